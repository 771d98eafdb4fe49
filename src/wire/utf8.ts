// UTF-8 decoding of protobuf strings with validation (invalid UTF-8 is a bad record, SPEC 10)
// and a fast path for short ASCII strings, which most label names and values are.
import { WireError } from './errors.js';

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode buf[start, end) as UTF-8; throws WireError(`invalid UTF-8 in ${what}`) when it is not. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number, what: string): string {
  const n = end - start;
  if (n === 0) return '';
  if (n <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decodeSlow(buf, start, end, what);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeSlow(buf, start, end, what);
}

function decodeSlow(buf: Uint8Array, start: number, end: number, what: string): string {
  try {
    return fatalDecoder.decode(buf.subarray(start, end));
  } catch {
    throw new WireError(`invalid UTF-8 in ${what}`);
  }
}

/**
 * Interning decoder for label names and values: repeated byte strings (the same label across
 * thousands of series) map to one JS string without re-decoding. Keyed by length + a hash of the
 * bytes with a byte-for-byte check, so collisions cannot return a wrong string.
 */
export class StringInterner {
  private readonly table: Map<number, { bytes: Uint8Array; str: string }[]> = new Map();
  private size = 0;
  constructor(private readonly maxEntries = 50_000, private readonly maxLen = 128) {}

  decode(buf: Uint8Array, start: number, end: number, what: string): string {
    const n = end - start;
    if (n === 0) return '';
    if (n > this.maxLen) return decodeUtf8(buf, start, end, what);
    let h = n * 0x9e3779b1;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const list = this.table.get(h);
    if (list !== undefined) {
      outer: for (let k = 0; k < list.length; k++) {
        const e = list[k]!;
        const eb = e.bytes;
        if (eb.length !== n) continue;
        for (let i = 0; i < n; i++) if (eb[i] !== buf[start + i]) continue outer;
        return e.str;
      }
    }
    const str = decodeUtf8(buf, start, end, what);
    if (this.size >= this.maxEntries) {
      this.table.clear();
      this.size = 0;
    }
    const entry = { bytes: buf.slice(start, end), str };
    if (list !== undefined) list.push(entry);
    else this.table.set(h, [entry]);
    this.size++;
    return str;
  }
}
