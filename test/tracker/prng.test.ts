import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng } from '../../src/clock/prng.js';

test('the same seed gives the same sequence, other seeds another', () => {
  const a = createPrng(1);
  const b = createPrng(1);
  const c = createPrng(2);
  const sa = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(sa, Array.from({ length: 100 }, () => b.next()));
  assert.notDeepEqual(sa, Array.from({ length: 100 }, () => c.next()));
  assert.notDeepEqual(Array.from({ length: 5 }, createPrng(2 ** 32 + 1).next), Array.from({ length: 5 }, createPrng(1).next));
});

test('values are in [0, 1) and roughly uniform', () => {
  const p = createPrng(42);
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const x = p.next();
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]++;
  }
  for (const n of buckets) assert.ok(n > 9000 && n < 11000, `bucket ${n}`);
});

test('state can be saved and restored', () => {
  const p = createPrng(7);
  for (let i = 0; i < 13; i++) p.next();
  const saved = p.getState();
  const rest = Array.from({ length: 20 }, () => p.next());
  const q = createPrng(12345);
  q.setState(saved);
  assert.deepEqual(Array.from({ length: 20 }, () => q.next()), rest);
  assert.throws(() => q.setState('nope'), /invalid PRNG state/);
});
