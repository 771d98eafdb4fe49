// Streaming reads over an async source of byte chunks (a file stream, stdin, a gunzip stream):
// records of a known length and newline-terminated lines, with the absolute byte offset of each.
// Only the bytes of the current record (plus one chunk) are held: memory does not grow with the
// input size.

export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Absolute offset of buf[0] within the input. */
  private base = 0;
  private done = false;
  private scanFrom = 0;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.buf.length - this.pos;
  }

  get eof(): boolean {
    return this.done && this.pos >= this.buf.length;
  }

  /** Pull chunks until at least n bytes are buffered or the source ends; true when n are available. */
  async ensure(n: number): Promise<boolean> {
    if (this.buf.length - this.pos >= n) return true;
    if (this.done) return false;
    const parts: Buffer[] = [this.buf.subarray(this.pos)];
    let have = this.buf.length - this.pos;
    while (have < n) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      if (chunk.length === 0) continue;
      parts.push(chunk);
      have += chunk.length;
    }
    this.base += this.pos;
    this.scanFrom -= this.pos;
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    this.pos = 0;
    return have >= n;
  }

  /** Pull one more chunk; false at the end of the source. */
  async more(): Promise<boolean> {
    return this.ensure(this.available + 1);
  }

  /** The next n buffered bytes without consuming them (call ensure first). */
  peek(n: number): Buffer {
    return this.buf.subarray(this.pos, Math.min(this.pos + n, this.buf.length));
  }

  /** Consume n buffered bytes (call ensure first). The view stays valid: buffers are never reused. */
  take(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.pos = Math.min(this.pos + n, this.buf.length);
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
      if (p >= b.length) return null;
      const c = b[p]!;
      v += (c & 0x7f) * 2 ** (7 * i);
      if (c < 0x80) return [v, i + 1];
    }
    return [-1, 0];
  }

  /**
   * The next line without its "\n" (and without a trailing "\r"), synchronously from the buffer:
   * null when no complete line is buffered (call more(); at EOF the rest is returned by lastLine()).
   */
  nextLine(): Buffer | null {
    const b = this.buf;
    const from = Math.max(this.pos, this.scanFrom);
    const nl = b.indexOf(10, from);
    if (nl < 0) {
      this.scanFrom = b.length;
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
    if (this.pos >= this.buf.length) return null;
    let end = this.buf.length;
    if (this.buf[end - 1] === 13) end--;
    const line = this.buf.subarray(this.pos, end);
    this.pos = this.buf.length;
    return line;
  }

  /** Length of the partial (unterminated) line buffered so far. */
  get partialLineLength(): number {
    return this.buf.length - this.pos;
  }

  /** Drop buffered bytes up to and including the next "\n" (for over-long lines); false if none buffered yet. */
  dropThroughNewline(): boolean {
    const nl = this.buf.indexOf(10, this.pos);
    if (nl < 0) {
      this.pos = this.buf.length;
      this.scanFrom = this.pos;
      return false;
    }
    this.pos = nl + 1;
    this.scanFrom = this.pos;
    return true;
  }

  /** Everything not yet consumed, then the rest of the source, as one async iterable (for gunzip). */
  async *remaining(): AsyncGenerator<Buffer> {
    if (this.pos < this.buf.length) yield this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    if (this.done) return;
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    }
  }

  /** Stop reading the source early (closes file handles). */
  async close(): Promise<void> {
    if (!this.done && this.it.return) await this.it.return();
    this.done = true;
  }
}
