import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RWCAP_MAGIC, encodeCaptureRecord, decodeCapturedRequest, encodeCapturedRequest } from '../../src/wire/rwcap.js';
import { crc32 } from '../../src/wire/crc32.js';
import { PbReader } from '../../src/wire/pbreader.js';
import type { CapturedRequest } from '../../src/model/index.js';

function sample(): CapturedRequest {
  const body = new TextEncoder().encode('hello body');
  return {
    receivedAtMs: 1764010523123,
    tenant: 'tenant-a',
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    body,
    headers: { 'user-agent': 'Prometheus/2.42.0', 'x-prometheus-remote-write-version': '0.1.0', authorization: 'Bearer secret' },
    remoteAddr: '127.0.0.1:5555',
    path: '/api/v1/push',
    bodyCrc32: crc32(body),
  };
}

test('crc32 matches known IEEE vectors', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog')), 0x414fa339);
});

test('RWCAP_MAGIC is RWCAP1\\n', () => {
  assert.equal(new TextDecoder().decode(RWCAP_MAGIC), 'RWCAP1\n');
});

test('encodeCaptureRecord frames the message with a varint length and round-trips', () => {
  const req = sample();
  const rec = encodeCaptureRecord(req);
  const r = new PbReader(rec);
  const len = r.uint32();
  assert.equal(len, rec.length - r.pos);
  const back = decodeCapturedRequest(rec.subarray(r.pos));
  assert.equal(back.receivedAtMs, req.receivedAtMs);
  assert.equal(back.tenant, 'tenant-a');
  assert.equal(back.contentType, req.contentType);
  assert.equal(back.contentEncoding, 'snappy');
  assert.deepEqual([...back.body], [...req.body]);
  assert.equal(back.remoteAddr, req.remoteAddr);
  assert.equal(back.path, req.path);
  assert.equal(back.bodyCrc32, req.bodyCrc32);
  // credentials are never written
  assert.deepEqual(back.headers, { 'user-agent': 'Prometheus/2.42.0', 'x-prometheus-remote-write-version': '0.1.0' });
});

test('field 9 is fixed32 and field 6 is a map entry message (wire layout)', () => {
  const req = { ...sample(), headers: { a: 'b' } };
  const msg = encodeCapturedRequest(req);
  const r = new PbReader(msg);
  const seen: [number, number][] = [];
  while (r.pos < r.end) {
    const tag = r.uint32();
    seen.push([tag >>> 3, tag & 7]);
    r.skip(tag & 7);
  }
  assert.deepEqual(seen, [[1, 0], [2, 2], [3, 2], [4, 2], [5, 2], [6, 2], [7, 2], [8, 2], [9, 5]]);
});

test('unknown fields are skipped', () => {
  const req = sample();
  const msg = encodeCapturedRequest(req);
  // append field 15 varint, field 16 length-delimited, field 17 fixed64
  const extra = new Uint8Array([0x78, 0x05, 0x82, 0x01, 0x02, 0x41, 0x42, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8]);
  const all = new Uint8Array(msg.length + extra.length);
  all.set(msg);
  all.set(extra, msg.length);
  const back = decodeCapturedRequest(all);
  assert.equal(back.tenant, 'tenant-a');
});

test('a CRC mismatch is reported; CRC 0 is not checked', () => {
  const req = sample();
  const msg = encodeCapturedRequest(req);
  const bodyStart = Buffer.from(msg).indexOf(Buffer.from('hello body'));
  const bad = msg.slice();
  bad[bodyStart] ^= 0x01;
  assert.throws(() => decodeCapturedRequest(bad), /CRC-32 mismatch/);
  const noCrc = encodeCapturedRequest({ ...req, bodyCrc32: 0 });
  const bad2 = noCrc.slice();
  bad2[Buffer.from(noCrc).indexOf(Buffer.from('hello body'))] ^= 0x01;
  assert.equal(decodeCapturedRequest(bad2).bodyCrc32, 0);
});

test('the real fixture starts with the magic and its records decode', () => {
  const f = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
  assert.deepEqual([...f.subarray(0, 7)], [...RWCAP_MAGIC]);
  const r = new PbReader(f, 7);
  let n = 0;
  while (r.pos < r.end) {
    const start = r.delimited();
    const rec = decodeCapturedRequest(f.subarray(start, r.fieldEnd));
    assert.equal(rec.tenant, 'tenant-a');
    assert.ok(rec.body.length > 0);
    n++;
  }
  assert.equal(n, 146);
});
