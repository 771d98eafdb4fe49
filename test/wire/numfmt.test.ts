import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeInteger, writeShortestDecimal } from '../../src/wire/numfmt.js';
import { createPrng } from '../../src/clock/prng.js';

const buf = new Uint8Array(64);
const latin1 = new TextDecoder('latin1');

/** What the writer emits for x: the fast path's bytes, or null when it declines. */
function fast(x: number): string | null {
  buf.fill(0x58); // 'X': a byte the fast path forgot to write shows up
  const end = writeShortestDecimal(buf, 3, x);
  if (end < 0) return null;
  return latin1.decode(buf.subarray(3, end));
}

/** Every value the fast path takes must be spelled exactly as String(x); returns how many it took. */
function check(values: Iterable<number>): { taken: number; total: number } {
  let taken = 0;
  let total = 0;
  for (const x of values) {
    total++;
    const got = fast(x);
    if (got === null) continue;
    taken++;
    if (got !== String(x)) assert.fail(`writeShortestDecimal(${String(x)}) wrote ${got}`);
  }
  return { taken, total };
}

test('writeShortestDecimal on what exporters send: fixed-point decimals of every length, counters, rates, seconds', () => {
  const prng = createPrng(11);
  const rnd = () => prng.next();
  // values parsed from decimal text, as an exporter's float64 usually is: the fast path must
  // take all of them up to 15 significant digits
  function* parsed(): Generator<number> {
    for (let i = 0; i < 400_000; i++) {
      const digits = 1 + Math.floor(rnd() * 15);
      const m = 1 + Math.floor(rnd() * (10 ** digits - 1));
      const decimals = 1 + Math.floor(rnd() * Math.min(digits + 5, 20));
      const x = Number(`${m}e-${decimals}`);
      if (Number.isInteger(x) || x < 1e-6 || x >= 1e15) continue;
      yield (rnd() < 0.5 ? -1 : 1) * x;
    }
  }
  const r = check(parsed());
  assert.ok(r.taken > r.total * 0.98, `took only ${r.taken} of ${r.total}`);
  // computed values: some need all 17 digits (declined), the rest must still match
  function* computed(): Generator<number> {
    for (let i = 0; i < 200_000; i++) {
      yield i / 100 + 0.01; // cpu seconds
      yield (i * 15) / 7; // a rate
      yield rnd(); // a ratio, full 17-digit doubles
      yield 1.764e9 + rnd() * 1e5; // unix seconds with a fraction
      yield 0.1 * i; // accumulated error: 0.30000000000000004 and friends
    }
  }
  check(computed());
});

test('writeShortestDecimal at the edges: powers of ten, neighbours of nice decimals, range limits', () => {
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  const near: number[] = [];
  for (let e = -7; e <= 15; e++) {
    for (const base of [1, 1.5, 2.5, 9.99, 9.999999999999998, 1.0000000000000002, 5e-1]) {
      f[0] = base * 10 ** e;
      const b = u[0]!;
      for (let k = -3n; k <= 3n; k++) {
        u[0] = b + k;
        near.push(f[0]!, -f[0]!);
      }
    }
  }
  near.push(0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, 1e-6, 1.1e-6, 9.99e-7, 1e15 - 0.5, 999999999999999.9, 4503599627370495.5, 12345678.12345678);
  const r = check(near);
  assert.ok(r.taken > 0);
  for (const x of [0, -0, 1, 42, 1e-7, 1e21, NaN, Infinity, -Infinity, 1e15 + 0.5, 123456789012345680000]) {
    assert.equal(fast(x), null, `declines ${String(x)}`);
  }
});

test('writeShortestDecimal on random bit patterns in its range', () => {
  const prng = createPrng(3);
  const rnd = () => prng.next();
  const f = new Float64Array(1);
  const w = new Uint32Array(f.buffer);
  function* values(): Generator<number> {
    for (let i = 0; i < 300_000; i++) {
      w[0] = Math.floor(rnd() * 2 ** 32);
      // exponent between 2^-20 and 2^49; a short mantissa half the time (values with few digits)
      const short = rnd() < 0.5;
      w[1] = ((1023 - 20 + Math.floor(rnd() * 70)) << 20) | (short ? 0 : Math.floor(rnd() * 2 ** 20)) | (rnd() < 0.5 ? 0x80000000 : 0);
      if (short) w[0] = 0;
      yield f[0]!;
    }
  }
  check(values());
});

test('writeInteger spells safe integers like String(x), -0 as "-0", and declines the rest', () => {
  const prng = createPrng(5);
  const rnd = () => prng.next();
  const xs = [0, 1, -1, 9, 10, 99, 100, 99_999_999, 100_000_000, 100_000_001, 1e15, -1e15, 2 ** 53 - 1, -(2 ** 53 - 1), 1764010530000];
  for (let i = 0; i < 200_000; i++) xs.push(Math.floor((rnd() - 0.5) * 2 ** Math.floor(rnd() * 54)));
  for (const x of xs) {
    const end = writeInteger(buf, 0, x);
    assert.equal(latin1.decode(buf.subarray(0, end)), x === 0 ? '0' : String(x), `${x}`);
  }
  assert.equal(latin1.decode(buf.subarray(0, writeInteger(buf, 0, -0))), '-0');
  for (const x of [0.5, 2 ** 53, 1e21, NaN, Infinity]) assert.equal(writeInteger(buf, 0, x), -1);
});
