import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWriteRequest, encodeWriteRequest } from '../../src/wire/prompb.js';
import { PbWriter } from '../../src/wire/pbwriter.js';
import { PbReader } from '../../src/wire/pbreader.js';
import { bits, richRequest, STALE_BITS, NORMAL_NAN_BITS } from './helpers.js';

test('every RW 1.0 field survives encode -> decode', () => {
  const wr = richRequest();
  const back = decodeWriteRequest(encodeWriteRequest(wr));
  assert.equal(back.timeseries.length, 2);
  assert.deepEqual(back.timeseries[0]!.labels, wr.timeseries[0]!.labels);
  assert.deepEqual(back.timeseries[1]!.labels, wr.timeseries[1]!.labels);
  assert.deepEqual(back.timeseries[0]!.exemplars, wr.timeseries[0]!.exemplars);
  assert.deepEqual(back.timeseries[1]!.histograms, wr.timeseries[1]!.histograms);
  assert.deepEqual(back.metadata, wr.metadata);
  const ts = back.timeseries[0]!.samples.map((s) => s.timestamp);
  assert.deepEqual(ts, wr.timeseries[0]!.samples.map((s) => s.timestamp));
});

test('special values keep their exact bits (stale marker, NaN, ±Inf, -0)', () => {
  const wr = richRequest();
  const bytes = encodeWriteRequest(wr);
  const back = decodeWriteRequest(bytes);
  const got = back.timeseries[0]!.samples.map((s) => bits(s.value));
  assert.equal(got[1], bits(NaN));
  assert.equal(got[2], STALE_BITS);
  assert.equal(got[3], bits(Infinity));
  assert.equal(got[4], bits(-Infinity));
  assert.equal(got[5], bits(-0.5));
  // the bytes on the wire: stale bits and Prometheus's normal NaN bits
  const hex = Buffer.from(bytes).toString('hex');
  assert.ok(hex.includes('020000000000f07f'), 'stale marker bytes little-endian');
  assert.ok(hex.includes('010000000000f87f'), 'normal NaN bytes little-endian');
  // and again: decode -> encode -> decode stays bit-identical
  const again = decodeWriteRequest(encodeWriteRequest(back));
  assert.deepEqual(again.timeseries[0]!.samples.map((s) => bits(s.value)), got);
  assert.equal(bits(again.timeseries[1]!.histograms[1]!.sum), bits(Infinity));
  void STALE_BITS;
  void NORMAL_NAN_BITS;
});

test('negative int64 timestamps and large uint64 counts decode exactly', () => {
  const wr = richRequest();
  wr.timeseries[1]!.histograms[0]!.count = 2 ** 40 + 3;
  const back = decodeWriteRequest(encodeWriteRequest(wr));
  assert.equal(back.timeseries[0]!.samples[7]!.timestamp, -1000);
  assert.equal(back.timeseries[1]!.histograms[0]!.count, 2 ** 40 + 3);
});

function label(w: PbWriter, name: Uint8Array, value: Uint8Array): void {
  w.tag(1, 2);
  const m = w.beginMessage();
  w.tag(1, 2);
  w.bytes(name);
  w.tag(2, 2);
  w.bytes(value);
  w.endMessage(m);
}

function series(labels: [Uint8Array, Uint8Array][]): Uint8Array {
  const w = new PbWriter();
  w.tag(1, 2);
  const m = w.beginMessage();
  for (const [n, v] of labels) label(w, n, v);
  w.tag(2, 2);
  const s = w.beginMessage();
  w.tag(1, 1);
  w.double(1);
  w.tag(2, 0);
  w.int64(1000);
  w.endMessage(s);
  w.endMessage(m);
  return w.finish();
}

const t = (s: string) => new TextEncoder().encode(s);

test('invalid UTF-8 in a label value is rejected', () => {
  assert.throws(() => decodeWriteRequest(series([[t('__name__'), new Uint8Array([0x75, 0xff, 0xfe])]])), /invalid UTF-8 in label value/);
  assert.throws(() => decodeWriteRequest(series([[new Uint8Array([0xc3]), t('x')]])), /invalid UTF-8 in label name/);
});

test('an empty label name is rejected', () => {
  assert.throws(() => decodeWriteRequest(series([[t('__name__'), t('up')], [t(''), t('x')]])), /empty label name/);
});

test('a duplicate label name is rejected, sorted or not', () => {
  assert.throws(() => decodeWriteRequest(series([[t('a'), t('1')], [t('a'), t('2')]])), /duplicate label name "a"/);
  assert.throws(() => decodeWriteRequest(series([[t('b'), t('1')], [t('a'), t('2')], [t('b'), t('3')]])), /duplicate label name "b"/);
  // the cached decode of identical bytes still rejects
  assert.throws(() => decodeWriteRequest(series([[t('a'), t('1')], [t('a'), t('2')]])), /duplicate label name/);
});

test('repeated label sets decode to equal labels (cache) and unknown fields are skipped', () => {
  const a = decodeWriteRequest(series([[t('__name__'), t('up')], [t('job'), t('x')]]));
  const b = decodeWriteRequest(series([[t('__name__'), t('up')], [t('job'), t('x')]]));
  const c = decodeWriteRequest(series([[t('__name__'), t('up')], [t('job'), t('y')]]));
  assert.deepEqual(a.timeseries[0]!.labels, b.timeseries[0]!.labels);
  assert.equal(c.timeseries[0]!.labels[1]!.value, 'y');
  const w = new PbWriter();
  w.raw(series([[t('__name__'), t('up')]]));
  w.tag(7, 0);
  w.uvarint(99);
  w.tag(8, 2);
  w.bytes(t('junk'));
  const d = decodeWriteRequest(w.finish());
  assert.equal(d.timeseries.length, 1);
});

test('truncated and malformed protobuf throws a wire error', () => {
  const bytes = encodeWriteRequest(richRequest());
  assert.throws(() => decodeWriteRequest(bytes.subarray(0, bytes.length - 3)), /protobuf/);
  assert.throws(() => decodeWriteRequest(new Uint8Array([0x0f, 0x01])), /protobuf: invalid wire type/);
});

test('pbreader reads 10-byte negative varints', () => {
  const w = new PbWriter();
  w.int64(-1);
  w.int64(-(2 ** 40));
  w.sint(-5);
  w.sint(2 ** 40);
  const r = new PbReader(w.finish());
  assert.equal(r.int64(), -1);
  assert.equal(r.int64(), -(2 ** 40));
  assert.equal(r.sint64(), -5);
  assert.equal(r.sint64(), 2 ** 40);
});
