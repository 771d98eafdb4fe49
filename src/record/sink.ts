// Where capture bytes go. A sink writes whole chunks (a chunk = one or more complete records),
// can make them durable (fsync), and can roll back a chunk whose write failed so that a later
// record never lands after a half-written one. `-o FILE` is a FileSink; `-o -` a StreamSink.
import * as fs from 'node:fs';
import { HaDedupError, inputError, usageError } from '../model/index.js';
import { RWCAP_MAGIC } from '../wire/rwcap.js';

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

  constructor(name: string, fd: number, length: number) {
    this.name = name;
    this.fd = fd;
    this.committed = length;
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

  close(): Promise<void> {
    return fsClose(this.fd);
  }
}

/** A capture streamed to a writable (stdout for `-o -`). "Written" = the stream's write callback fired. */
export class StreamSink implements CaptureSink {
  readonly name: string;
  private stream: NodeJS.WritableStream;
  private committed = 0;
  private written = 0;
  private dirty = false;
  private endOnClose: boolean;

  /** `endOnClose: false` for process.stdout, which must not be ended. */
  constructor(name: string, stream: NodeJS.WritableStream, endOnClose = true) {
    this.name = name;
    this.stream = stream;
    this.endOnClose = endOnClose;
  }

  get length(): number {
    return this.committed;
  }

  write(chunk: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.dirty = true;
      this.stream.write(chunk, (err?: Error | null) => {
        if (err) return reject(err);
        this.dirty = false;
        this.written = chunk.length;
        resolve();
      });
    });
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

  close(): Promise<void> {
    return new Promise((resolve) => {
      // an empty write's callback fires once everything before it has been flushed
      if (!this.endOnClose) return void this.stream.write('', () => resolve());
      this.stream.end(() => resolve());
    });
  }
}

/** How many bytes of an existing capture are complete records (after the magic). */
export function completeRecordsLength(fd: number, size: number): { length: number; records: number } {
  let pos = RWCAP_MAGIC.length;
  let records = 0;
  const head = Buffer.alloc(10);
  while (pos < size) {
    const n = fs.readSync(fd, head, 0, Math.min(10, size - pos), pos);
    let len = 0;
    let shift = 0;
    let i = 0;
    let done = false;
    for (; i < n; i++) {
      const b = head[i]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) {
        done = true;
        i++;
        break;
      }
    }
    if (!done) break; // truncated or malformed length prefix
    const end = pos + i + len;
    if (end > size) break; // truncated body
    pos = end;
    records++;
  }
  return { length: pos, records };
}

export interface OpenedCapture {
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

/**
 * Open `path` for recording. Without `append` the file must not exist (created exclusively,
 * never overwritten). With `append` an existing file must start with the rwcap magic; a
 * truncated last record (left by a killed recorder, never acknowledged) is cut off so new
 * records follow the last complete one. A missing or empty file gets the magic.
 */
export function openCaptureFile(path: string, append: boolean): OpenedCapture {
  let fd: number;
  try {
    fd = fs.openSync(path, append ? fs.constants.O_RDWR | fs.constants.O_CREAT : 'wx', 0o644);
  } catch (e) {
    if (errno(e) === 'EEXIST') {
      throw usageError(`record: output ${path} already exists; use --append to add to it, or choose another -o`);
    }
    throw usageError(`record: cannot open output ${path}: ${reason(e)}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) {
      fs.writeSync(fd, RWCAP_MAGIC, 0, RWCAP_MAGIC.length, 0);
      return { sink: new FileSink(path, fd, RWCAP_MAGIC.length), existingRecords: 0, droppedTailBytes: 0 };
    }
    const head = Buffer.alloc(RWCAP_MAGIC.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n < head.length || !head.equals(Buffer.from(RWCAP_MAGIC))) {
      throw inputError(`record: ${path} is not an rwcap capture (it does not start with "RWCAP1\\n"); --append only adds to a capture`);
    }
    const { length, records } = completeRecordsLength(fd, size);
    if (length < size) fs.ftruncateSync(fd, length);
    return { sink: new FileSink(path, fd, length), existingRecords: records, droppedTailBytes: size - length };
  } catch (e) {
    fs.closeSync(fd);
    if (e instanceof HaDedupError) throw e;
    throw usageError(`record: cannot prepare output ${path}: ${reason(e)}`);
  }
}

/** A StreamSink that has already written the magic. */
export async function openCaptureStream(name: string, stream: NodeJS.WritableStream, endOnClose = true): Promise<StreamSink> {
  const sink = new StreamSink(name, stream, endOnClose);
  await sink.write(RWCAP_MAGIC);
  sink.commit();
  return sink;
}
