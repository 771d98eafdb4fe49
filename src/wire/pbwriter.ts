// A small hand-written protobuf writer: a growable byte buffer with varint, fixed and
// length-delimited helpers. Hot paths (encodeWriteRequest) use it directly; no reflection.

const textEncoder = new TextEncoder();

export class PbWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  /** Make room for n more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (numbers) or any uint64 (bigint path not needed). */
  uvarint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    if (v < 0x80000000 && v >= 0) {
      v = v >>> 0;
      while (v > 0x7f) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[p++] = v;
      this.pos = p;
      return;
    }
    if (v < 0) {
      // int64 two's complement, 10 bytes
      this.int64(v);
      return;
    }
    let lo = v % 0x100000000 >>> 0;
    let hi = Math.floor(v / 0x100000000) >>> 0;
    while (hi > 0 || lo > 0x7f) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  /** int64 varint (negative numbers take 10 bytes, two's complement), exact for |v| <= 2^53. */
  int64(v: number): void {
    if (v >= 0) {
      this.uvarint(v);
      return;
    }
    this.ensure(10);
    // two's complement of a negative safe integer split into hi/lo 32-bit words
    const a = -v;
    let lo = a % 0x100000000 >>> 0;
    let hi = Math.floor(a / 0x100000000) >>> 0;
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < 9; i++) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo & 0x01;
    this.pos = p;
  }

  /** sint32/sint64 zigzag varint, exact for |v| <= 2^52. */
  sint(v: number): void {
    if (v >= -0x40000000 && v < 0x40000000) {
      this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
    } else {
      this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
    }
  }

  tag(field: number, wireType: number): void {
    this.uvarint((field << 3) | wireType);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length-delimited UTF-8 string (without tag). */
  string(s: string): void {
    // ASCII fast path: most label names and values are ASCII
    const n = s.length;
    if (n < 128) {
      this.ensure(n * 3 + 1);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start] = n;
        this.pos = p;
        return;
      }
    }
    this.bytes(textEncoder.encode(s));
  }

  /** Begin a length-delimited sub-message; returns a mark for `endMessage`. Reserves 1 length byte and moves if needed. */
  beginMessage(): number {
    this.ensure(1);
    const mark = this.pos;
    this.pos += 1;
    return mark;
  }

  endMessage(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let lenBytes = 1;
    for (let v = len >>> 7; v > 0; v >>>= 7) lenBytes++;
    this.ensure(lenBytes - 1);
    const b = this.buf;
    b.copyWithin(mark + lenBytes, mark + 1, this.pos);
    let p = mark;
    let v = len;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p] = v;
    this.pos += lenBytes - 1;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}

/** Bytes of a non-negative varint. */
export function uvarintBytes(v: number): Uint8Array {
  const w = new PbWriter(10);
  w.uvarint(v);
  return w.finish();
}
