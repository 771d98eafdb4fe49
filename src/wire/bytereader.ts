// Streaming reads over a source of byte chunks (a file, stdin, a gunzip stream): records of a
// known length and newline-terminated lines, with the absolute byte offset of each.
// Only the bytes of the current record (plus one chunk) are held: memory does not grow with the
// input size. The reader keeps ONE buffer of its own and reuses it (compacting the unread rest to
// its front): fresh 1 MiB chunks per read lived long enough to be promoted to the old generation
// and piled up as ~60 MB of dead ArrayBuffers before a full GC (docs/perf.md). A file is read
// straight into that buffer (ReadIntoSource); stream chunks are copied into it at once.

/** A source that reads into the caller's buffer (a file): no chunk allocation per read. */
export interface ReadIntoSource {
  /** Read up to `length` bytes into buf[offset..]; 0 at the end of the source. */
  readInto(buf: Uint8Array, offset: number, length: number): Promise<number>;
  /** Release the source; may be called more than once. */
  close(): Promise<void>;
}

const CHUNK = 1 << 20;

function isReadInto(s: AsyncIterable<Uint8Array> | ReadIntoSource): s is ReadIntoSource {
  return typeof (s as ReadIntoSource).readInto === 'function';
}

export class ByteReader {
  private buf: Buffer = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  /** End of the buffered bytes in buf. */
  private len = 0;
  /** Absolute offset of buf[0] within the input. */
  private base = 0;
  private done = false;
  private scanFrom = 0;
  private readonly it: AsyncIterator<Uint8Array> | null;
  private readonly file: ReadIntoSource | null;

  constructor(source: AsyncIterable<Uint8Array> | ReadIntoSource) {
    if (isReadInto(source)) {
      this.file = source;
      this.it = null;
    } else {
      this.file = null;
      this.it = source[Symbol.asyncIterator]();
    }
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.len - this.pos;
  }

  /** The source has ended: what is buffered is all there is. */
  get sourceDone(): boolean {
    return this.done;
  }

  get eof(): boolean {
    return this.done && this.pos >= this.len;
  }

  /** Move the unread bytes to the front of the buffer, with room for at least `need` bytes in all. */
  private compact(need: number): void {
    const rest = this.len - this.pos;
    let target = this.buf;
    // grow for a large record; shrink back to one chunk once a large record is gone
    if (need > target.length) target = Buffer.allocUnsafe(Math.max(need, target.length * 2));
    else if (target.length > CHUNK && Math.max(need, rest) <= CHUNK) target = Buffer.allocUnsafe(CHUNK);
    if (target !== this.buf) this.buf.copy(target, 0, this.pos, this.len);
    else if (this.pos > 0 && rest > 0) target.copyWithin(0, this.pos, this.len);
    this.buf = target;
    this.base += this.pos;
    this.scanFrom -= this.pos;
    this.len = rest;
    this.pos = 0;
  }

  /** Pull from the source until at least n bytes are buffered or it ends; true when n are available. */
  async ensure(n: number): Promise<boolean> {
    if (this.len - this.pos >= n) return true;
    if (this.done) return false;
    this.compact(Math.max(n, CHUNK));
    while (this.len < n) {
      if (this.file !== null) {
        if (this.len === this.buf.length) this.compact(this.len + CHUNK);
        const got = await this.file.readInto(this.buf, this.len, this.buf.length - this.len);
        if (got === 0) {
          this.done = true;
          break;
        }
        this.len += got;
      } else {
        const r = await this.it!.next();
        if (r.done) {
          this.done = true;
          break;
        }
        const chunk = r.value;
        if (chunk.length === 0) continue;
        if (this.len + chunk.length > this.buf.length) this.compact(this.len + chunk.length);
        this.buf.set(chunk, this.len);
        this.len += chunk.length;
      }
    }
    return this.len >= n;
  }

  /** Pull one more chunk; false at the end of the source. */
  async more(): Promise<boolean> {
    return this.ensure(this.available + 1);
  }

  /** The next n buffered bytes without consuming them (call ensure first); valid until the next ensure/more. */
  peek(n: number): Buffer {
    return this.buf.subarray(this.pos, Math.min(this.pos + n, this.len));
  }

  /**
   * Consume n buffered bytes (call ensure first). The result is a copy of its own, so it stays
   * valid while the reader reuses its buffer (a decoded record keeps a view of its body).
   */
  take(n: number): Buffer {
    const end = Math.min(this.pos + n, this.len);
    const out = Buffer.allocUnsafe(end - this.pos);
    this.buf.copy(out, 0, this.pos, end);
    this.pos = end;
    return out;
  }

  skip(n: number): void {
    this.pos = Math.min(this.pos + n, this.len);
  }

  /**
   * A varint at the read position, without consuming it: [value, byteLength], or null when the
   * buffered bytes do not hold a complete varint (call ensure/more), or [-1, 0] when malformed.
   */
  peekVarint(): [number, number] | null {
    let v = 0;
    const b = this.buf;
    for (let i = 0; i < 10; i++) {
      const p = this.pos + i;
      if (p >= this.len) return null;
      const c = b[p]!;
      v += (c & 0x7f) * 2 ** (7 * i);
      if (c < 0x80) return [v, i + 1];
    }
    return [-1, 0];
  }

  /** Index of the next "\n" in buf[from, len), or -1. */
  private newlineFrom(from: number): number {
    if (from >= this.len) return -1;
    const nl = this.buf.indexOf(10, from);
    return nl >= 0 && nl < this.len ? nl : -1;
  }

  /**
   * The next line without its "\n" (and without a trailing "\r"), synchronously from the buffer:
   * null when no complete line is buffered (call more(); at EOF the rest is returned by lastLine()).
   * The line is a view, valid until the next ensure/more.
   */
  nextLine(): Buffer | null {
    const b = this.buf;
    const from = Math.max(this.pos, this.scanFrom);
    const nl = this.newlineFrom(from);
    if (nl < 0) {
      this.scanFrom = this.len;
      return null;
    }
    let end = nl;
    if (end > this.pos && b[end - 1] === 13) end--;
    const line = b.subarray(this.pos, end);
    this.pos = nl + 1;
    this.scanFrom = this.pos;
    return line;
  }

  /** At EOF: the unterminated last line, if any. */
  lastLine(): Buffer | null {
    if (this.pos >= this.len) return null;
    let end = this.len;
    if (this.buf[end - 1] === 13) end--;
    const line = this.buf.subarray(this.pos, end);
    this.pos = this.len;
    return line;
  }

  /** Length of the partial (unterminated) line buffered so far. */
  get partialLineLength(): number {
    return this.len - this.pos;
  }

  /** Drop buffered bytes up to and including the next "\n" (for over-long lines); false if none buffered yet. */
  dropThroughNewline(): boolean {
    const nl = this.newlineFrom(this.pos);
    if (nl < 0) {
      this.pos = this.len;
      this.scanFrom = this.pos;
      return false;
    }
    this.pos = nl + 1;
    this.scanFrom = this.pos;
    return true;
  }

  /** Everything not yet consumed, then the rest of the source, as one async iterable (for gunzip). */
  async *remaining(): AsyncGenerator<Buffer> {
    if (this.pos < this.len) yield Buffer.from(this.buf.subarray(this.pos, this.len));
    this.pos = this.len;
    if (this.done) return;
    if (this.file !== null) {
      try {
        for (;;) {
          const chunk = Buffer.allocUnsafe(CHUNK);
          const got = await this.file.readInto(chunk, 0, CHUNK);
          if (got === 0) break;
          yield chunk.subarray(0, got);
        }
      } finally {
        this.done = true;
        await this.file.close();
      }
      return;
    }
    for (;;) {
      const r = await this.it!.next();
      if (r.done) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    }
  }

  /** Stop reading the source early (closes file handles). */
  async close(): Promise<void> {
    if (this.file !== null) await this.file.close();
    else if (!this.done && this.it!.return) await this.it!.return();
    this.done = true;
  }
}
