// Where capture bytes go. A sink writes whole chunks (a chunk = one or more complete records),
// can make them durable (fsync), and can roll back a chunk whose write failed so that a later
// record never lands after a half-written one. `-o FILE` is a FileSink (holding the capture's
// lock, lock.ts); `-o -` a StdoutSink.
import * as fs from 'node:fs';
import { HaDedupError, inputError, usageError } from '../model/index.js';
import { RWCAP_MAGIC } from '../wire/rwcap.js';
import { acquireCaptureLock, type CaptureLock } from './lock.js';
import { scanCapture, type ScanDamage } from './scan.js';
import { startPipeProbe, type PipeProbe } from './pipe.js';

/**
 * The capture's reader went away (`-o -` and stdout closed), or recording stopped before the
 * reader took the bytes: what was not acknowledged must be sent elsewhere (503), and recording
 * stops. Not a write failure to retry here.
 */
export class SinkClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SinkClosedError';
  }
}

export interface CaptureSink {
  /** For messages: the path, or "stdout". */
  readonly name: string;
  /** Bytes committed so far, magic included. */
  readonly length: number;
  /** Write all of `chunk` after the committed bytes; resolves once the write call completed. */
  write(chunk: Uint8Array): Promise<void>;
  /** Count the last written chunk as committed (after a successful write, and sync if asked). */
  commit(): void;
  /** Make the committed bytes durable (fsync); a no-op where that means nothing (a pipe). */
  sync(): Promise<void>;
  /** After a failed write: restore the sink to its committed length. False when it cannot. */
  rollback(): Promise<boolean>;
  close(): Promise<void>;
  /** Give up waiting for a write in progress (a second signal): it fails with SinkClosedError. */
  abort?(): void;
}

function fsWrite(fd: number, buf: Uint8Array, off: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n))));
}
function fsFsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}
function fsFtruncate(fd: number, len: number): Promise<void> {
  return new Promise((resolve, reject) => fs.ftruncate(fd, len, (err) => (err ? reject(err) : resolve())));
}
function fsClose(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

/** A capture file written with positioned writes (pwrite) at its committed length. */
export class FileSink implements CaptureSink {
  readonly name: string;
  private fd: number;
  private committed: number;
  private written = 0;
  private readonly lock: CaptureLock | null;

  constructor(name: string, fd: number, length: number, lock: CaptureLock | null = null) {
    this.name = name;
    this.fd = fd;
    this.committed = length;
    this.lock = lock;
  }

  get length(): number {
    return this.committed;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.written = 0;
    let off = 0;
    while (off < chunk.length) {
      const n = await fsWrite(this.fd, chunk, off, chunk.length - off, this.committed + off);
      if (n <= 0) throw new Error('write returned 0 bytes');
      off += n;
    }
    this.written = chunk.length;
  }

  commit(): void {
    this.committed += this.written;
    this.written = 0;
  }

  sync(): Promise<void> {
    return fsFsync(this.fd);
  }

  async rollback(): Promise<boolean> {
    this.written = 0;
    try {
      await fsFtruncate(this.fd, this.committed);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    try {
      await fsClose(this.fd);
    } finally {
      this.lock?.release();
    }
  }
}

interface OpenedCapture {
  sink: FileSink;
  /** Records already in the file (append). */
  existingRecords: number;
  /** Bytes of a truncated last record dropped from the end of an existing file (append). */
  droppedTailBytes: number;
}

function errno(e: unknown): string {
  return (e as { code?: string }).code ?? '';
}
function reason(e: unknown): string {
  const code = errno(e);
  const map: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
  };
  return map[code] ?? (e as Error).message;
}

/** The one-line refusal of --append on a damaged capture: where, why, and how to repair it. */
function damageMessage(path: string, size: number, d: ScanDamage): string {
  const q = (p: string) => (/^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`);
  const fixed = q(`${path}.repaired`);
  const parts = [
    `record: cannot append to ${path}: record ${d.index} at byte ${d.offset} is damaged: ${d.reason}`,
    `it is not a truncated last record (${size - d.offset} bytes follow it), so nothing was cut and the file is unchanged`,
  ];
  if (d.resume) {
    const kept = d.index + d.resume.records;
    parts.push(
      `good records resume at byte ${d.resume.offset} (${d.resume.records} records${d.resume.reachesEnd ? ' to the end' : ', then more damage'})`,
      `to keep all ${kept} good records: head -c ${d.offset} ${q(path)} > ${fixed} && tail -c +${d.resume.offset + 1} ${q(path)} >> ${fixed}` +
        `${d.resume.reachesEnd ? '' : ` (then check ${fixed} with ha-dedup inspect)`}, and record with --append to ${fixed}`,
    );
  } else {
    parts.push(`to keep the ${d.index} good records before it: ha-dedup convert ${q(path)} -o ${fixed} --to rwcap, and record with --append to ${fixed}`);
  }
  return parts.join('; ');
}

/**
 * Open `path` for recording, holding its lock (lock.ts) first: a capture another recorder is
 * writing is refused (exit 2) before anything is read or changed. Without `append` the file must
 * not exist (created exclusively, never overwritten). With `append` an existing file must start
 * with the rwcap magic and every record is checked (scan.ts): a truncated last record (left by a
 * killed recorder, never acknowledged) is cut off so new records follow the last complete one;
 * any other damage is refused (exit 3) with the offset and how to repair. A missing or empty
 * file gets the magic.
 */
export function openCaptureFile(path: string, append: boolean, opts: { log?: (line: string) => void; lock?: boolean } = {}): OpenedCapture {
  const lock = opts.lock === false ? null : acquireLock(path, opts.log);
  let fd: number;
  try {
    fd = fs.openSync(path, append ? fs.constants.O_RDWR | fs.constants.O_CREAT : 'wx', 0o644);
  } catch (e) {
    lock?.release();
    if (errno(e) === 'EEXIST') {
      throw usageError(`record: output ${path} already exists; use --append to add to it, or choose another -o`);
    }
    throw usageError(`record: cannot open output ${path}: ${reason(e)}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) {
      fs.writeSync(fd, RWCAP_MAGIC, 0, RWCAP_MAGIC.length, 0);
      return { sink: new FileSink(path, fd, RWCAP_MAGIC.length, lock), existingRecords: 0, droppedTailBytes: 0 };
    }
    const head = Buffer.alloc(RWCAP_MAGIC.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n < head.length || !head.equals(Buffer.from(RWCAP_MAGIC))) {
      throw inputError(`record: ${path} is not an rwcap capture (it does not start with "RWCAP1\\n"); --append only adds to a capture`);
    }
    const scan = scanCapture(fd, size);
    if (scan.damage) throw inputError(damageMessage(path, size, scan.damage));
    if (scan.tail) fs.ftruncateSync(fd, scan.length);
    return { sink: new FileSink(path, fd, scan.length, lock), existingRecords: scan.records, droppedTailBytes: scan.tail?.bytes ?? 0 };
  } catch (e) {
    fs.closeSync(fd);
    lock?.release();
    if (e instanceof HaDedupError) throw e;
    throw usageError(`record: cannot prepare output ${path}: ${reason(e)}`);
  }
}

function acquireLock(path: string, log: ((line: string) => void) | undefined): CaptureLock {
  try {
    return acquireCaptureLock(path, log ? { log } : {});
  } catch (e) {
    if (e instanceof HaDedupError) throw e;
    throw usageError(`record: cannot take the lock of ${path}: ${reason(e)}`);
  }
}

function fsWriteHere(fd: number, buf: Uint8Array, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, off, len, null, (err, n) => (err ? reject(err) : resolve(n))));
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `-o -`: the capture written to file descriptor 1. Written means: into a regular file, the write
 * call completed; into a pipe, its reader has read every byte of the chunk (the pipe is empty
 * again, pipe.ts), so a 204 is never given for a record that sits unread in the pipe when the
 * reader goes away. When the reader is gone (EPIPE, or no reader left while waiting) the write
 * fails with SinkClosedError.
 */
class StdoutSink implements CaptureSink {
  readonly name = 'stdout';
  private committed = 0;
  private written = 0;
  private dirty = false;
  private aborted = false;
  private probe: PipeProbe | null;
  private readonly log: (line: string) => void;

  constructor(
    private readonly fd: number,
    probe: PipeProbe | null,
    log: (line: string) => void = () => {},
  ) {
    this.probe = probe;
    this.log = log;
  }

  get length(): number {
    return this.committed;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.dirty = true;
    let off = 0;
    while (off < chunk.length) {
      if (this.aborted) throw new SinkClosedError('recording stopped before the reader of stdout took it');
      let n: number;
      try {
        n = await fsWriteHere(this.fd, chunk, off, chunk.length - off);
      } catch (e) {
        if (errno(e) === 'EAGAIN') {
          await sleep(2); // a non-blocking pipe that is full
          continue;
        }
        if (errno(e) === 'EPIPE') throw new SinkClosedError('the reader of stdout went away');
        throw e;
      }
      off += n;
    }
    await this.taken();
    this.dirty = false;
    this.written = chunk.length;
  }

  /** Resolves once the reader has read everything written (at once without a pipe probe). */
  private async taken(): Promise<void> {
    let tries = 0;
    let delay = 1;
    while (this.probe) {
      let st;
      try {
        st = await this.probe.query();
      } catch (e) {
        this.log(`record: cannot see what the reader of stdout has read any more (${(e as Error).message}): from now on 204 means handed to the pipe`);
        this.probe.close();
        this.probe = null;
        return;
      }
      // gone first: a closed socket frees what its reader never read, so 0 unread proves nothing then
      if (st.readerGone) throw new SinkClosedError('the reader of stdout went away');
      if (st.unread === 0) return;
      if (this.aborted) throw new SinkClosedError('recording stopped before the reader of stdout took it');
      // the query itself takes ~0.1 ms: ask again at once a few times (a reader keeping up has
      // read the chunk by then), then back off to at most 50 ms between queries
      if (++tries > 8) {
        await sleep(delay);
        delay = Math.min(delay * 2, 50);
      }
    }
  }

  commit(): void {
    this.committed += this.written;
    this.written = 0;
  }

  async sync(): Promise<void> {}

  async rollback(): Promise<boolean> {
    // bytes may have reached the reader already: a stream cannot be rolled back
    return !this.dirty;
  }

  abort(): void {
    this.aborted = true;
  }

  async close(): Promise<void> {
    this.probe?.close();
    this.probe = null;
  }
}

/**
 * The sink of `-o -` with the magic written. On a pipe, a helper (pipe.ts) tells what the reader
 * has read; where none can run, `log` says that 204 then means handed to the pipe.
 */
export async function openStdoutSink(fd: number, log: (line: string) => void): Promise<StdoutSink> {
  let probe: PipeProbe | null = null;
  const st = fs.fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) {
    const p = await startPipeProbe(fd, st.isFIFO() ? 'pipe' : 'socket');
    if (typeof p === 'string') {
      log(`record: warning: cannot see what the reader of stdout has read (${p}): 204 means handed to the pipe, and up to a pipe's worth of acknowledged records is lost if the reader goes away`);
    } else probe = p;
  }
  const sink = new StdoutSink(fd, probe, log);
  try {
    await sink.write(RWCAP_MAGIC);
  } catch (e) {
    await sink.close();
    if (e instanceof SinkClosedError) throw usageError(`record: stdout is closed (${e.message}); nothing recorded`);
    throw e;
  }
  sink.commit();
  return sink;
}
