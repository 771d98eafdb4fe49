// Minimal protobuf / rwcap writing helpers for the bench generator. Self-contained on purpose:
// the generator must not depend on the product's wire layer it is used to measure.

const enc = new TextEncoder();

export class Writer {
  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
  }
  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** Unsigned varint of a non-negative safe integer. */
  uvarint(v) {
    this.ensure(10);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }
  byte(v) {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  double(v) {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  fixed32(v) {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }
  raw(bytes) {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  /** tag + length + bytes */
  lenField(field, bytes) {
    this.uvarint((field << 3) | 2);
    this.uvarint(bytes.length);
    this.raw(bytes);
  }
  strField(field, s) {
    this.lenField(field, enc.encode(s));
  }
  bytes() {
    return this.buf.subarray(0, this.pos);
  }
  copy() {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
  reset() {
    this.pos = 0;
  }
}

/** Encoded prometheus.Label entries (each as WriteRequest.TimeSeries field 1) for sorted [name, value] pairs. */
export function encodeLabels(pairs) {
  const w = new Writer(256);
  const inner = new Writer(128);
  for (const [name, value] of pairs) {
    inner.reset();
    inner.strField(1, name);
    inner.strField(2, value);
    w.lenField(1, inner.bytes());
  }
  return w.copy();
}

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** IEEE CRC-32. */
export function crc32(bytes) {
  let c = ~0;
  for (let i = 0, n = bytes.length; i < n; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** One rwcap record (varint length + CapturedRequest), SPEC 4.1. `headers` keys are written sorted. */
export function encodeCaptured(w, rec) {
  const m = new Writer(rec.body.length + 256);
  m.uvarint((1 << 3) | 0);
  m.uvarint(rec.receivedAtMs);
  if (rec.tenant) m.strField(2, rec.tenant);
  m.strField(3, rec.contentType);
  if (rec.contentEncoding) m.strField(4, rec.contentEncoding);
  m.lenField(5, rec.body);
  const entry = new Writer(128);
  for (const k of Object.keys(rec.headers).sort()) {
    entry.reset();
    entry.strField(1, k);
    entry.strField(2, rec.headers[k]);
    m.lenField(6, entry.bytes());
  }
  if (rec.remoteAddr) m.strField(7, rec.remoteAddr);
  if (rec.path) m.strField(8, rec.path);
  m.uvarint((9 << 3) | 5);
  m.fixed32(crc32(rec.body));
  w.uvarint(m.pos);
  w.raw(m.bytes());
}
