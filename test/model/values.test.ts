import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_NAN, isStaleNaN, readFloat64LE, writeFloat64LE, valueToJSON } from '../../src/model/index.js';

function bitsOf(view: DataView): string {
  return view.getUint32(4, true).toString(16).padStart(8, '0') + view.getUint32(0, true).toString(16).padStart(8, '0');
}

test('stale marker keeps its bits through read and write', () => {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, 2, true);
  v.setUint32(4, 0x7ff00000, true);
  const x = readFloat64LE(v, 0);
  assert.ok(isStaleNaN(x));
  const out = new DataView(new ArrayBuffer(8));
  writeFloat64LE(out, 0, x);
  assert.equal(bitsOf(out), '7ff0000000000002');
  assert.equal(valueToJSON(STALE_NAN), 'stale');
});

test('a plain NaN is written with Prometheus bits and is not stale', () => {
  const out = new DataView(new ArrayBuffer(8));
  writeFloat64LE(out, 0, NaN);
  assert.equal(bitsOf(out), '7ff8000000000001');
  assert.ok(!isStaleNaN(NaN));
  assert.ok(!isStaleNaN(readFloat64LE(out, 0)));
  assert.equal(valueToJSON(NaN), 'NaN');
  assert.equal(valueToJSON(Infinity), '+Inf');
  assert.equal(valueToJSON(-Infinity), '-Inf');
  assert.equal(valueToJSON(1.5), 1.5);
});
