// IEEE CRC-32 (the polynomial of zlib, gzip and Go's hash/crc32.ChecksumIEEE).
// Used for the `body_crc32` field of rwcap records (SPEC 4.1). zlib's native crc32 (Node >= 20.15)
// when the runtime has it: every captured body is checked, and the table loop below cost ~3% of
// a replay; the table loop stays for older runtimes.
import * as zlib from 'node:zlib';

type NativeCrc32 = (data: Uint8Array, value?: number) => number;
const native: NativeCrc32 | undefined = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;

const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** IEEE CRC-32 of `bytes` as an unsigned 32-bit number. Pass a previous result as `seed` to continue. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  if (native !== undefined) return native(bytes, seed) >>> 0;
  return crc32Table(bytes, seed);
}

/** The portable table-driven CRC-32 (same results as crc32; kept for runtimes without zlib.crc32). */
export function crc32Table(bytes: Uint8Array, seed = 0): number {
  return ~update(~seed, bytes) >>> 0;
}

// The loop on its own, so V8 optimises it as a whole function rather than OSR-compiling it
// inside crc32 and deoptimising at its exit on every call.
function update(crc: number, bytes: Uint8Array): number {
  let c = crc | 0;
  const t = TABLE;
  for (let i = 0, n = bytes.length; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}
