// A small hand-written protobuf reader over a Uint8Array: varints (uint32/uint64/int64/zigzag),
// fixed32/fixed64, length-delimited fields and skipping of unknown fields. Every read is
// bounds-checked against `end` and throws WireError on truncated or malformed input.
import { MAX_TIME_MS, timeRangeReason } from '../model/timerange.js';
import { WireError } from './errors.js';

const TWO32 = 0x100000000;

export class PbReader {
  buf: Uint8Array;
  view: DataView;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** A varint read as two 32-bit halves; returns lo and stores hi in this.hi. */
  hi = 0;
  private varint64(): number {
    const b = this.buf;
    const end = this.end;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let byte: number;
    // bits 0..27
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw truncated();
      byte = b[p++]!;
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = p;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    // byte 4: bits 28..34
    if (p >= end) throw truncated();
    byte = b[p++]!;
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x7f) >>> 4;
    if (byte < 0x80) {
      this.pos = p;
      this.hi = hi;
      return lo >>> 0;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (p >= end) throw truncated();
      byte = b[p++]!;
      hi |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = p;
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
    }
    throw new WireError('protobuf: malformed varint');
  }

  /** uint32 (also used for tags, lengths, enums); values above 2^32 are truncated as protobuf does. */
  uint32(): number {
    const b = this.buf;
    const p = this.pos;
    if (p < this.end) {
      const c = b[p]!;
      if (c < 0x80) {
        this.pos = p + 1;
        return c;
      }
      if (p + 1 < this.end) {
        const d = b[p + 1]!;
        if (d < 0x80) {
          this.pos = p + 2;
          return (c & 0x7f) | (d << 7);
        }
      }
    }
    return this.varint64();
  }

  /** int32 enum / int32 field (negative values are sent as 10-byte varints). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** uint64 as a JS number (exact up to 2^53). */
  uint64(): number {
    const lo = this.varint64();
    return this.hi * TWO32 + lo;
  }

  /** int64 as a JS number (exact for |v| <= 2^53). */
  int64(): number {
    const b = this.buf;
    const p = this.pos;
    // fast path: a 6-byte varint (millisecond timestamps of this century)
    if (p + 6 <= this.end) {
      const b0 = b[p]!, b1 = b[p + 1]!, b2 = b[p + 2]!, b3 = b[p + 3]!, b4 = b[p + 4]!, b5 = b[p + 5]!;
      if (b0 & b1 & b2 & b3 & b4 & 0x80 && b5 < 0x80) {
        this.pos = p + 6;
        return (
          ((b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | ((b3 & 0x7f) << 21)) +
          ((b4 & 0x7f) + b5 * 128) * 0x10000000
        );
      }
    }
    const lo = this.varint64();
    const hi = this.hi;
    if (hi & 0x80000000) {
      // negative two's complement
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nhi * TWO32 + nlo);
    }
    return hi * TWO32 + lo;
  }

  /** An int64 time in ms; outside ±MAX_TIME_MS (model/timerange.ts) it is a WireError naming `what`. */
  time(what: string): number {
    const t = this.int64();
    if (t > MAX_TIME_MS || t < -MAX_TIME_MS) throw new WireError(timeRangeReason(what, t));
    return t;
  }

  /** sint32/sint64 (zigzag). */
  sint64(): number {
    const lo = this.varint64();
    const hi = this.hi;
    if (hi === 0) return lo & 1 ? -((lo >>> 1) + 1) : lo >>> 1;
    const u = hi * TWO32 + lo;
    // exact for |v| <= 2^52
    return lo & 1 ? -(Math.floor(u / 2) + 1) : Math.floor(u / 2);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) throw truncated();
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Start of a length-delimited field's payload; sets pos past it and returns [start, end] via this.fieldEnd. */
  fieldEnd = 0;
  delimited(): number {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new WireError(`protobuf: field length ${len} runs past the end of its message`);
    this.pos = end;
    this.fieldEnd = end;
    return start;
  }

  bytes(): Uint8Array {
    const start = this.delimited();
    return this.buf.subarray(start, this.fieldEnd);
  }

  /** Skip a field of the given wire type (unknown fields are ignored, SPEC 4.1). */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint64();
        return;
      case 1:
        if (this.pos + 8 > this.end) throw truncated();
        this.pos += 8;
        return;
      case 2:
        this.delimited();
        return;
      case 5:
        if (this.pos + 4 > this.end) throw truncated();
        this.pos += 4;
        return;
      case 3: {
        // a group: skipped without recursion, counting nesting as Prometheus's (gogo) decoder
        // does, so ~10,000 nested start-groups are one truncated message, not a stack overflow
        let depth = 1;
        for (;;) {
          if (this.pos >= this.end) throw new WireError('protobuf: truncated message (a group is not closed)');
          const wt = this.uint32() & 7;
          if (wt === 3) depth++;
          else if (wt === 4) {
            if (--depth === 0) return;
          } else this.skip(wt); // never 3: no recursion
        }
      }
      default:
        throw new WireError(`protobuf: invalid wire type ${wireType}`);
    }
  }
}

function truncated(): WireError {
  return new WireError('protobuf: truncated message');
}

export function wireTypeError(field: number, wt: number, msg: string): WireError {
  return new WireError(`protobuf: ${msg} field ${field} has wire type ${wt}`);
}

/**
 * Skip a field its message does not read, after the fast paths found no match for `tag`. As in
 * Prometheus's own (gogo-generated) decoder, a field the message knows (bit `field` set in
 * `known`, fields 1 to 31) with another wire type than its own is an error, not skipped: a value
 * sent as a varint must not become 0. Field number 0 is an error in every message.
 */
export function skipUnknown(r: PbReader, tag: number, known: number, msg: string): void {
  const field = tag >>> 3;
  if (field === 0) throw new WireError(`protobuf: field number 0 in ${msg}`);
  if (field < 32 && (known >>> field) & 1 && (tag & 7) < 6) throw new WireError(`protobuf: ${msg} field ${field} has wrong wire type ${tag & 7}`);
  r.skip(tag & 7);
}

/** Bits for skipUnknown's `known`: fields 1 to 31. */
export function fieldBits(...fields: number[]): number {
  let m = 0;
  for (const f of fields) m |= 1 << f;
  return m;
}
