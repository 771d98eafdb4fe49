// Special float values. Prometheus marks a series as stale with a NaN whose bits are
// 0x7ff0000000000002; a plain NaN is written with 0x7ff8000000000001 (Prometheus's value.NormalNaN).

const scratch = new DataView(new ArrayBuffer(8));

export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;
export const NORMAL_NAN_HI = 0x7ff80000;
export const NORMAL_NAN_LO = 0x00000001;

function fromBits(hi: number, lo: number): number {
  scratch.setUint32(0, hi, false);
  scratch.setUint32(4, lo, false);
  return scratch.getFloat64(0, false);
}

/** The Prometheus stale marker. Compare with isStaleNaN(), never with ===. */
export const STALE_NAN: number = fromBits(STALE_NAN_HI, STALE_NAN_LO);

/** True when x is the Prometheus stale marker (bit-exact). */
export function isStaleNaN(x: number): boolean {
  if (x === x) return false; // not NaN
  scratch.setFloat64(0, x, false);
  return scratch.getUint32(0, false) === STALE_NAN_HI && scratch.getUint32(4, false) === STALE_NAN_LO;
}

/** The 8 little-endian bytes a float sample value is written with on the wire. */
export function writeFloat64LE(view: DataView, offset: number, x: number): void {
  if (x !== x) {
    if (isStaleNaN(x)) {
      view.setUint32(offset, STALE_NAN_LO, true);
      view.setUint32(offset + 4, STALE_NAN_HI, true);
    } else {
      view.setUint32(offset, NORMAL_NAN_LO, true);
      view.setUint32(offset + 4, NORMAL_NAN_HI, true);
    }
    return;
  }
  view.setFloat64(offset, x, true);
}

/** Read a little-endian float64, mapping the stale bits to STALE_NAN and any other NaN to NaN. */
export function readFloat64LE(view: DataView, offset: number): number {
  const x = view.getFloat64(offset, true);
  if (x === x) return x;
  return view.getUint32(offset, true) === STALE_NAN_LO && view.getUint32(offset + 4, true) === STALE_NAN_HI
    ? STALE_NAN
    : NaN;
}

/** The JSON form used by ndjson (SPEC 4.4): a number when finite, else "NaN", "+Inf", "-Inf", "stale". */
export function valueToJSON(x: number): number | string {
  if (Number.isFinite(x)) return x;
  if (x !== x) return isStaleNaN(x) ? 'stale' : 'NaN';
  return x > 0 ? '+Inf' : '-Inf';
}
