import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { snappyCompress, snappyDecompress, snappyjsDecompress } from '../../src/wire/snappy.js';
import { decodeCapturedRequest } from '../../src/wire/rwcap.js';
import { PbReader } from '../../src/wire/pbreader.js';

test('own decompressor equals snappyjs on every fixture body', () => {
  const f = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
  const r = new PbReader(f, 7);
  let n = 0;
  while (r.pos < r.end) {
    const s = r.delimited();
    const body = decodeCapturedRequest(f.subarray(s, r.fieldEnd)).body;
    assert.deepEqual(Buffer.from(snappyDecompress(body)), Buffer.from(snappyjsDecompress(body)));
    n++;
  }
  assert.equal(n, 146);
});

test('compress -> decompress round-trips, including long overlapping runs', () => {
  const input = new Uint8Array(100_000);
  for (let i = 0; i < input.length; i++) input[i] = i % 7 === 0 ? (i * 31) & 0xff : 97;
  assert.deepEqual(Buffer.from(snappyDecompress(snappyCompress(input))), Buffer.from(input));
  assert.equal(snappyDecompress(snappyCompress(new Uint8Array(0))).length, 0);
});

test('a header declaring 1 GiB is refused before allocating', () => {
  // varint 1 GiB = 0x40000000, then a tiny literal
  const evil = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x41]);
  assert.throws(() => snappyDecompress(evil, 64 * 1024 * 1024), /declared decoded size 1073741824 bytes is over --max-decoded-size 67108864/);
});

test('corrupt streams are rejected: bad offset, short output, overrun', () => {
  const good = snappyCompress(new TextEncoder().encode('hello hello hello hello hello'));
  assert.throws(() => snappyDecompress(good.subarray(0, good.length - 2)), /snappy/);
  // declares 10 bytes, provides a 3-byte literal
  assert.throws(() => snappyDecompress(new Uint8Array([10, 0x08, 1, 2, 3])), /decoded 3 bytes but the header declares 10/);
  // copy with offset beyond output
  assert.throws(() => snappyDecompress(new Uint8Array([8, 0x00, 65, 0x01 | (3 << 2), 5])), /snappy: corrupt/);
  // literal longer than the declared size
  assert.throws(() => snappyDecompress(new Uint8Array([1, 0x04, 1, 2])), /snappy: corrupt/);
  assert.throws(() => snappyDecompress(new Uint8Array([0xff, 0xff])), /invalid block header/);
});
