// Numbers written straight into a byte buffer, spelled exactly as JavaScript's String(x) spells
// them, without making a string: the ndjson writer's per-sample timestamps and values (SPEC 11:
// >= 400,000 samples/s). JSON.stringify plus a copy of its characters cost ~250 ns per float
// value; these cost a few tens.
//
// Where the fast path cannot prove its bytes equal String(x) it returns -1 and the caller
// formats with JSON.stringify (jsonvalues.ts: numberText); test/wire/numfmt.test.ts compares
// both on millions of values.

/** 10^0 .. 10^22: every one an exact double. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Below 2^52 every decimal candidate that can read back is within one of round(|x|·10^d). */
const LIMIT = 2 ** 52;

/** Decimal digits of a non-negative safe integer (1 for 0). */
function digitCount(m: number): number {
  let n = 1;
  while (n < 16 && m >= POW10[n]!) n++;
  return n;
}

/**
 * Write the n digits of a non-negative safe integer m ending just before `end`. The low eight
 * digits and the rest (below 10^8 for a safe integer) are split first, so every step is 32-bit
 * integer arithmetic.
 */
function digitsBackwards(out: Uint8Array, end: number, m: number, n: number): void {
  let p = end;
  let lo = m;
  if (m >= 1e8) {
    let hi = Math.floor(m / 1e8);
    if (hi * 1e8 > m) hi--; // a quotient just under an integer may round up
    lo = m - hi * 1e8;
    for (let i = 0; i < 8; i++) {
      const q = (lo / 10) | 0;
      out[--p] = 0x30 + (lo - q * 10);
      lo = q;
    }
    lo = hi;
  }
  const start = end - n;
  while (p > start) {
    const q = (lo / 10) | 0;
    out[--p] = 0x30 + (lo - q * 10);
    lo = q;
  }
}

/**
 * A safe integer as String(x) writes it ("-0" for negative zero, as the ndjson value spelling
 * wants). Needs 17 bytes of room at pos. Returns the position after the last byte, or -1 when
 * x is not a safe integer.
 */
export function writeInteger(out: Uint8Array, pos: number, x: number): number {
  if (!Number.isSafeInteger(x)) return -1;
  if (x === 0) {
    if (1 / x < 0) out[pos++] = 0x2d;
    out[pos] = 0x30;
    return pos + 1;
  }
  if (x < 0) {
    out[pos++] = 0x2d;
    x = -x;
  }
  const n = digitCount(x);
  digitsBackwards(out, pos + n, x, n);
  return pos + n;
}

/**
 * A finite, non-integer x with 1e-6 <= |x| < 1e15 as String(x) writes it: the shortest decimal
 * that reads back as x (the closest one when there are two), in plain notation.
 *
 * For d = 1, 2, ... decimals, m = round(|x|·10^d) is the candidate; m / 10^d === |x| (both
 * operands exact, so the division is the correctly rounded m·10^-d, exactly what parsing the
 * decimal gives) proves it reads back. The smallest such d gives the fewest significant digits,
 * since the integer part is fixed. The product |x|·10^d may be off by one, so m's neighbours are
 * checked too: if one of them also reads back at the same or a smaller d, which one String(x)
 * picks depends on exact arithmetic this shortcut does not do, and it gives up. It also gives up
 * when m would pass 2^52 (full-precision doubles need 17 digits). Needs 24 bytes of room at pos.
 * Returns the position after the last byte, or -1.
 */
export function writeShortestDecimal(out: Uint8Array, pos: number, x: number): number {
  let a = x;
  let neg = false;
  if (a < 0) {
    a = -a;
    neg = true;
  }
  if (!(a >= 1e-6 && a < 1e15) || Number.isInteger(a)) return -1;
  for (let d = 1; d <= 22; d++) {
    const p = POW10[d]!;
    const y = a * p;
    if (y >= LIMIT) return -1;
    const m = Math.round(y);
    if ((m > 0 && (m - 1) / p === a) || (m + 1) / p === a) return -1;
    if (m / p !== a) continue;
    if (neg) out[pos++] = 0x2d;
    const n = digitCount(m);
    if (n > d) {
      // iii.fff: all digits of m one byte to the right, then the integer digits back over the gap
      const end = pos + n + 1;
      digitsBackwards(out, end, m, n);
      const point = pos + n - d;
      for (let i = pos; i < point; i++) out[i] = out[i + 1]!;
      out[point] = 0x2e;
      return end;
    }
    // 0.000fff
    out[pos++] = 0x30;
    out[pos++] = 0x2e;
    for (let i = n; i < d; i++) out[pos++] = 0x30;
    digitsBackwards(out, pos + n, m, n);
    return pos + n;
  }
  return -1;
}
