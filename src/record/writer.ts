// Appends capture records one after another, never interleaved, with group commit: while one
// write is in progress, new records queue up; the next write takes every queued record in one
// chunk. A record's promise resolves only once the write call holding it completed (and, with
// `fsync`, the file was fsync'd), so `record` can answer 204 knowing the record is written.
// A failed write rejects every record of its chunk and the sink is rolled back to its last
// committed length; if that is impossible the writer is broken and rejects every later record.
import { SinkClosedError, type CaptureSink } from './sink.js';

interface Pending {
  bytes: Uint8Array;
  resolve(): void;
  reject(err: Error): void;
}

interface CaptureWriterOptions {
  fsync?: boolean;
  /** Upper bound of one chunk in bytes (a single record larger than this is written alone). */
  maxChunkBytes?: number;
  /** Called once when the writer becomes unusable. */
  onBroken?(err: Error): void;
}

export class CaptureWriter {
  private readonly sink: CaptureSink;
  private readonly fsync: boolean;
  private readonly maxChunk: number;
  private readonly onBroken: ((err: Error) => void) | undefined;
  private queue: Pending[] = [];
  private writing = false;
  private broken: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Records and bytes acknowledged as written. */
  records = 0;
  bytes = 0;

  constructor(sink: CaptureSink, opts: CaptureWriterOptions = {}) {
    this.sink = sink;
    this.fsync = opts.fsync ?? false;
    this.maxChunk = opts.maxChunkBytes ?? 8 * 1024 * 1024;
    this.onBroken = opts.onBroken;
  }

  get isBroken(): boolean {
    return this.broken !== null;
  }

  /** Append one framed record; resolves when it is written (see the file comment). */
  append(bytes: Uint8Array): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      if (!this.writing) void this.pump();
    });
  }

  /** Resolves once every queued record has been written or rejected. */
  idle(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop waiting for a write in progress where the sink can (a second signal). */
  abort(): void {
    this.sink.abort?.();
  }

  /** Wait for the queue to drain, fsync if asked, close the sink. */
  async close(): Promise<void> {
    await this.idle();
    try {
      if (this.fsync && !this.broken) await this.sink.sync();
    } finally {
      await this.sink.close();
    }
  }

  private takeChunk(): Pending[] {
    let n = 0;
    let size = 0;
    while (n < this.queue.length) {
      const len = this.queue[n]!.bytes.length;
      if (n > 0 && size + len > this.maxChunk) break;
      size += len;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async pump(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      if (this.broken) {
        for (const p of this.queue.splice(0)) p.reject(this.broken);
        break;
      }
      const batch = this.takeChunk();
      const chunk = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
      try {
        await this.sink.write(chunk);
        if (this.fsync) await this.sink.sync();
        this.sink.commit();
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (err instanceof SinkClosedError) {
          // the reader is gone: nothing more can be written; every queued record fails the same way
          this.broken = err;
          for (const p of batch) p.reject(err);
          continue;
        }
        if (!(await this.sink.rollback())) {
          this.broken = new Error(`${this.sink.name}: ${err.message}; the capture could not be rolled back to its last complete record, so nothing more is written`);
          this.onBroken?.(this.broken);
        }
        for (const p of batch) p.reject(err);
        continue;
      }
      this.records += batch.length;
      this.bytes += chunk.length;
      for (const p of batch) p.resolve();
    }
    this.writing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
