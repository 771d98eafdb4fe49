// Run an ha-dedup command in this process (runMain from src/cli/main.ts) with captured streams:
// the shared helper of the CLI tests. The result has spawnSync's shape (status, stdout, stderr),
// so a test that needs no real process reads the same as one that spawns bin/ha-dedup.
// Tests that need a real process (signals, pipes, a TTY, /dev/full, exit on a closed stdout, the
// bundle itself) still spawn it (BIN).
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runMain, type CliIo } from '../../src/cli/main.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const BIN = `${ROOT}/bin/ha-dedup`;

export interface RunOptions {
  /** What stdin holds (default: nothing, as spawnSync gives a child without `input`). */
  input?: string | Uint8Array;
  /** stdin itself, for a test that feeds it over time (instead of `input`). */
  stdin?: Readable;
  /** The environment (default: process.env, as spawnSync's). */
  env?: NodeJS.ProcessEnv;
  /** Pretend stdout/stderr are terminals of this many columns (what a TTY's WriteStream has). */
  stdoutTTY?: { columns?: number };
  stderrTTY?: { columns?: number };
  stdinTTY?: boolean;
  /** The directory relative paths are taken from: must be this process's (a command in process has no other). */
  cwd?: string;
  /**
   * Make stdout / stderr fail as a real one does: the write that takes it past `afterBytes` fails
   * with errno `code` (EPIPE: its reader went away, as `| head` does; ENOSPC: /dev/full), and so
   * does every write after it. What was taken before is in the result.
   */
  stdoutFails?: StreamFailure;
  stderrFails?: StreamFailure;
}

export interface StreamFailure {
  afterBytes: number;
  code: 'EPIPE' | 'ENOSPC' | 'EIO';
}

export interface RunResult<T> {
  status: number;
  stdout: T;
  stderr: T;
}

class Capture extends Writable {
  readonly chunks: Buffer[] = [];
  isTTY?: boolean;
  columns?: number;
  private taken = 0;
  constructor(private readonly fails?: StreamFailure) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    if (this.fails !== undefined && this.taken + b.length > this.fails.afterBytes) {
      const keep = Math.max(0, this.fails.afterBytes - this.taken);
      this.chunks.push(b.subarray(0, keep));
      this.taken = this.fails.afterBytes;
      cb(Object.assign(new Error(`${this.fails.code}: write failed`), { code: this.fails.code, errno: -1, syscall: 'write' }));
      return;
    }
    this.taken += b.length;
    this.chunks.push(b);
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function capture(tty: { columns?: number } | undefined, fails?: StreamFailure): Capture {
  const c = new Capture(fails);
  if (tty !== undefined) {
    c.isTTY = true;
    if (tty.columns !== undefined) c.columns = tty.columns;
  }
  return c;
}

/** `ha-dedup ...args` in process; stdout and stderr as Buffers. */
export async function runCliBytes(args: readonly string[], opts: RunOptions = {}): Promise<RunResult<Buffer>> {
  if (opts.cwd !== undefined && opts.cwd !== process.cwd()) throw new Error(`runCli: cwd ${opts.cwd} is not this process's (${process.cwd()}); run the tests from the project root`);
  const stdout = capture(opts.stdoutTTY, opts.stdoutFails);
  const stderr = capture(opts.stderrTTY, opts.stderrFails);
  const input = opts.input === undefined ? [] : [typeof opts.input === 'string' ? Buffer.from(opts.input) : opts.input];
  const stdin = Object.assign(opts.stdin ?? Readable.from(input, { objectMode: false }), opts.stdinTTY ? { isTTY: true } : {});
  const io: CliIo = {
    stdin,
    stdout,
    stderr,
    env: opts.env ?? process.env,
    exitNow: (code) => {
      throw new Error(`runCli: the command asked to exit the process at once (code ${code}); a test of that spawns bin/ha-dedup`);
    },
  };
  const status = await runMain(['node', 'ha-dedup', ...args], io);
  return { status, stdout: stdout.bytes(), stderr: stderr.bytes() };
}

/** `ha-dedup ...args` in process; stdout and stderr as UTF-8 text. */
export async function runCli(args: readonly string[], opts: RunOptions = {}): Promise<RunResult<string>> {
  const r = await runCliBytes(args, opts);
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}
