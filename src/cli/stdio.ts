// The standard streams as the commands see them (issue 12.10): a write to stdout or stderr never
// throws and never raises an 'error' event a command did not ask for, whatever the stream is (a
// pipe whose reader left, /dev/full, a full disk). What happened is kept here instead:
// - stdout's reader went away (EPIPE: `ha-dedup replay x | head`): `stdoutClosed`; what is
//   written to stdout from then on is dropped. A command that streams data stops early, or, when
//   it has a result to give beyond that data (replay with --expect or --report), finishes
//   without writing data and exits with the code its checks give.
// - any other failure of stdout, or any failure of stderr (EPIPE included: nobody is reading the
//   messages): `failure`; runMain then exits 2, with one line on stderr when stderr still works
//   and nothing anywhere when it does not (never a Node stack trace).
// Temporary output files (outfile.ts) are registered here too, so an exit at once (a second
// signal) removes them.
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { usageError, type HaDedupError } from '../model/index.js';
import type { CliIo, OutStream } from './io.js';

export interface StdioFailure {
  stream: 'stdout' | 'stderr';
  /** The errno code (ENOSPC, EPIPE, EIO...) or "error". */
  code: string;
  /** In words, for the one line of the exit. */
  reason: string;
}

function errCode(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'error';
}

function reasonOf(err: unknown): string {
  switch (errCode(err)) {
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EPIPE':
      return 'nobody is reading it (broken pipe)';
    case 'EFBIG':
      return 'file too large';
    case 'EIO':
      return 'input/output error';
    case 'EBADF':
      return 'it is closed';
    default: {
      const m = (err as Error | null)?.message;
      return typeof m === 'string' && m !== '' ? m : String(err);
    }
  }
}

/** What became of the standard streams during a command, and the temporary files it holds. */
export class StdioState {
  /** stdout's reader went away (EPIPE on stdout): data written to stdout is dropped from then on. */
  stdoutClosed = false;
  /** The first failure that makes the exit code 2 (stdout other than EPIPE, stderr any). */
  failure: StdioFailure | null = null;
  /** Temporary output files in the making (outfile.ts): removed by removeTemporaries(). */
  readonly temporaries = new Set<string>();
  private readonly listeners: (() => void)[] = [];
  /** Writes handed to the streams whose outcome is not known yet. */
  private pending = 0;
  private idle: (() => void)[] = [];

  /** A write was handed to a stream (GuardedStream). */
  began(): void {
    this.pending++;
  }

  /** The outcome of a write is known. */
  ended(): void {
    this.pending--;
    if (this.pending === 0) for (const fn of this.idle.splice(0)) fn();
  }

  /**
   * Resolves once every write handed to the streams so far has its outcome (a file or
   * /dev/full as stdout reports its failure a tick after the write, a pipe when the write is
   * done), so `failure` is final for them.
   */
  async settled(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Whether writes to `stream` are dropped. */
  dropping(stream: 'stdout' | 'stderr'): boolean {
    return stream === 'stdout' ? this.stdoutClosed || this.failure !== null : this.failure?.stream === 'stderr';
  }

  /** Whether a command should stop its work: stdout or stderr failed (exit 2 follows). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Call `fn` whenever stdoutClosed or failure is set. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** A write to `stream` failed with `err`. */
  fail(stream: 'stdout' | 'stderr', err: unknown): void {
    const code = errCode(err);
    if (stream === 'stdout' && code === 'EPIPE') {
      if (this.stdoutClosed) return;
      this.stdoutClosed = true;
    } else {
      if (this.failure !== null) return;
      this.failure = { stream, code, reason: reasonOf(err) };
    }
    for (const fn of this.listeners) fn();
  }

  /** The one line for a failure of stdout (stderr's cannot be written). */
  failureLine(): string | null {
    const f = this.failure;
    if (f === null || f.stream !== 'stdout') return null;
    return `ha-dedup: ${failureMessage(f)}\n`;
  }

  /** Set once the failure's line went out (as a command's error: runMain does not repeat it). */
  reported = false;

  /** The failure as the usage error (exit 2) a command stops with. */
  error(): HaDedupError {
    const f = this.failure;
    if (f === null) throw new Error('StdioState.error: no failure');
    this.reported = true;
    return usageError(failureMessage(f));
  }

  removeTemporaries(): void {
    for (const p of this.temporaries) rmSync(p, { force: true });
    this.temporaries.clear();
  }
}

function failureMessage(f: StdioFailure): string {
  return `${f.stream}: cannot write: ${f.reason}`;
}

type WriteCallback = (err?: Error | null) => void;

/**
 * A stream that passes every write straight to `target` (no buffering of its own: what the
 * target writes synchronously, as stdout into a pipe or file does on Linux, is written when
 * write() returns) and turns the target's failures, thrown or emitted, into `state.fail`.
 * After a failure writes are dropped and their callbacks called, so a writer waiting for them
 * goes on.
 */
class GuardedStream extends EventEmitter {
  readonly writable = true;

  constructor(
    private readonly target: OutStream,
    private readonly name: 'stdout' | 'stderr',
    private readonly state: StdioState,
  ) {
    super();
    target.on('error', (err: unknown) => state.fail(name, err));
    target.on('drain', () => this.emit('drain'));
    state.onChange(() => {
      if (state.dropping(name)) this.emit('drain');
    });
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }

  /** The target's file descriptor, when it has one (output writers reuse buffers then). */
  get fd(): number | undefined {
    const fd = (this.target as { fd?: unknown }).fd;
    return typeof fd === 'number' ? fd : undefined;
  }

  write(chunk: string | Uint8Array, encOrCb?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean {
    const done = typeof encOrCb === 'function' ? encOrCb : cb;
    const enc = typeof encOrCb === 'string' ? encOrCb : undefined;
    if (this.state.dropping(this.name)) {
      if (done) process.nextTick(done);
      return true;
    }
    let settled = false;
    const after: WriteCallback = (err) => {
      if (settled) return;
      settled = true;
      if (err) this.state.fail(this.name, err);
      this.state.ended();
      done?.();
    };
    this.state.began();
    try {
      return enc === undefined ? this.target.write(chunk, after) : this.target.write(chunk as string, enc, after);
    } catch (err) {
      // a stream that throws instead of calling back (a destroyed one, or a file written
      // synchronously in other Node versions)
      if (!settled) {
        settled = true;
        this.state.fail(this.name, err);
        this.state.ended();
        if (done) process.nextTick(done);
      }
      return true;
    }
  }

  end(...args: unknown[]): this {
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb) process.nextTick(cb);
    return this;
  }
}

/** `io` with its stdout and stderr guarded (idempotent: an io that is already guarded is returned as is). */
export function guardIo(io: CliIo): CliIo & { stdio: StdioState } {
  if (io.stdio !== undefined) return io as CliIo & { stdio: StdioState };
  const state = new StdioState();
  const stdout = new GuardedStream(io.stdout, 'stdout', state) as unknown as OutStream;
  const stderr = new GuardedStream(io.stderr, 'stderr', state) as unknown as OutStream;
  return {
    get stdin() {
      return io.stdin;
    },
    stdout,
    stderr,
    env: io.env,
    exitNow: (code: number) => {
      state.removeTemporaries();
      return io.exitNow(code);
    },
    stdio: state,
  };
}
