// The Batcher: recorded requests one for one (byte for byte when nothing changes, re-encoded for
// another protocol or a shift), sample formats batched into requests of at most
// --max-samples-per-send, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher, BATCH_DEADLINE_MS, type BatchOptions, type Post, type SourceRequest } from '../../src/send/index.js';
import { encodeWriteRequest } from '../../src/wire/prompb.js';
import { encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { STALE_NAN, type WriteRequest } from '../../src/model/index.js';
import { decodePost, flatSamples, sampleSource, series } from './helpers.js';

const base: BatchOptions = { protocol: 'recorded', maxSamplesPerSend: 2000, shiftMs: 0, keepHeaders: false, defaultTenant: null };

function recorded(write: WriteRequest, protocol: 'rw1' | 'rw2', opts: Partial<SourceRequest> = {}): SourceRequest {
  const raw = protocol === 'rw2' ? encodeWriteRequestV2(write) : encodeWriteRequest(write);
  return {
    tenant: 'team-a',
    timeMs: 5000,
    protocol,
    write,
    body: { bytes: snappyCompress(raw), encoding: 'snappy' },
    headers: { 'user-agent': 'Prometheus/2.42.0', 'retry-attempt': '1', host: 'x:1', 'x-custom': 'kept' },
    origin: { input: 'cap.rwcap', unit: 'record', first: 7, last: 7 },
    ...opts,
  };
}

function all(b: Batcher, srcs: SourceRequest[]): Post[] {
  const out: Post[] = [];
  for (const s of srcs) out.push(...b.add(s));
  out.push(...b.flush());
  return out;
}

const W: WriteRequest = {
  timeseries: [series('up', [1000, 2000], { cluster: 'c', __replica__: 'r1' }), series('x', [1500], { cluster: 'c', __replica__: 'r1' })],
  metadata: [{ type: 'gauge', metricFamilyName: 'up', help: 'Up.', unit: '' }],
};

test('a recorded request is posted as it was: the same bytes, tenant, time, origin', () => {
  const src = recorded(W, 'rw1');
  const [p, ...rest] = all(new Batcher(base), [src]);
  assert.equal(rest.length, 0);
  assert.equal(p!.body, src.body!.bytes, 'the recorded body itself, not a copy or a re-encoding');
  assert.equal(p!.asRecorded, true);
  assert.equal(p!.protocol, 'rw1');
  assert.equal(p!.tenant, 'team-a');
  assert.equal(p!.timeMs, 5000);
  assert.deepEqual(p!.counts, { samples: 3, histograms: 0, exemplars: 0 });
  assert.deepEqual(p!.origin, { input: 'cap.rwcap', unit: 'record', first: 7, last: 7 });
  assert.deepEqual(p!.headers, {}, 'recorded headers only with --keep-headers');
  // a 2.0 capture stays 2.0, byte for byte
  const p2 = all(new Batcher(base), [recorded(W, 'rw2')])[0]!;
  assert.equal(p2.protocol, 'rw2');
  assert.equal(p2.asRecorded, true);
});

test('an uncompressed recorded body is snappy-compressed, its protobuf untouched', () => {
  const raw = encodeWriteRequest(W);
  const src = recorded(W, 'rw1', { body: { bytes: raw, encoding: '' } });
  const p = all(new Batcher(base), [src])[0]!;
  assert.equal(p.asRecorded, false);
  assert.deepEqual(decodePost(p.body, 'rw1'), W);
});

test('--protocol 2 re-encodes a 1.0 capture as 2.0 and --protocol 1 a 2.0 capture as 1.0; samples are equal', () => {
  const to2 = all(new Batcher({ ...base, protocol: 'rw2' }), [recorded(W, 'rw1')])[0]!;
  assert.equal(to2.protocol, 'rw2');
  assert.equal(to2.asRecorded, false);
  assert.deepEqual(flatSamples(decodePost(to2.body, 'rw2')), flatSamples(W));
  const to1 = all(new Batcher({ ...base, protocol: 'rw1' }), [recorded(W, 'rw2')])[0]!;
  assert.equal(to1.protocol, 'rw1');
  assert.deepEqual(flatSamples(decodePost(to1.body, 'rw1')), flatSamples(W));
  // asking for the recorded protocol changes nothing
  assert.equal(all(new Batcher({ ...base, protocol: 'rw1' }), [recorded(W, 'rw1')])[0]!.asRecorded, true);
});

test('--shift-to-now moves every timestamp by the shift, bit-exact values, and never touches the input', () => {
  const w: WriteRequest = {
    timeseries: [
      {
        ...series('s', [1000, 2000]),
        samples: [
          { timestamp: 1000, value: STALE_NAN },
          { timestamp: 2000, value: -0 },
        ],
        exemplars: [{ labels: [{ name: 'trace_id', value: 'a' }], value: 1, timestamp: 1500 }],
      },
    ],
    metadata: [],
  };
  const before = JSON.stringify(w);
  const p = all(new Batcher({ ...base, shiftMs: 86_400_000 }), [recorded(w, 'rw1')])[0]!;
  assert.equal(p.asRecorded, false);
  const back = decodePost(p.body, 'rw1');
  assert.deepEqual(back.timeseries[0]!.samples.map((s) => s.timestamp), [86_401_000, 86_402_000]);
  assert.deepEqual(back.timeseries[0]!.exemplars.map((e) => e.timestamp), [86_401_500]);
  assert.deepEqual(flatSamples(back).map((s) => s[2]), flatSamples(w).map((s) => s[2]), 'stale marker and -0 keep their bits');
  assert.equal(JSON.stringify(w), before, 'the source request is not mutated');
  // sample formats too
  const q = all(new Batcher({ ...base, shiftMs: -500 }), [sampleSource({ timeseries: [series('a', [1000])], metadata: [] })])[0]!;
  assert.deepEqual(decodePost(q.body, 'rw1').timeseries[0]!.samples.map((s) => s.timestamp), [500]);
});

test('--keep-headers adds recorded headers, never the ones the sender sets or the connection\'s', () => {
  const p = all(new Batcher({ ...base, keepHeaders: true }), [recorded(W, 'rw1')])[0]!;
  assert.deepEqual(p.headers, { 'retry-attempt': '1', 'x-custom': 'kept' });
});

test('the record\'s tenant, else --tenant, else none', () => {
  const b = new Batcher({ ...base, defaultTenant: 'fallback' });
  const ps = all(b, [recorded(W, 'rw1'), recorded(W, 'rw1', { tenant: null })]);
  assert.deepEqual(ps.map((p) => p.tenant), ['team-a', 'fallback']);
  assert.equal(all(new Batcher(base), [recorded(W, 'rw1', { tenant: null })])[0]!.tenant, null);
});

test('sample formats: consecutive requests batched up to --max-samples-per-send, a series split across requests, order kept', () => {
  const b = new Batcher({ ...base, maxSamplesPerSend: 4 });
  const srcs = [
    sampleSource({ timeseries: [series('a', [1, 2, 3])], metadata: [] }, { origin: { input: 'in.ndjson', unit: 'line', first: 1, last: 3 } }),
    sampleSource({ timeseries: [series('b', [4, 5, 6, 7, 8, 9])], metadata: [] }, { origin: { input: 'in.ndjson', unit: 'line', first: 4, last: 9 } }),
    sampleSource({ timeseries: [series('c', [10])], metadata: [] }, { origin: { input: 'in.ndjson', unit: 'line', first: 10, last: 10 } }),
  ];
  const ps = all(b, srcs);
  assert.deepEqual(ps.map((p) => p.counts.samples), [4, 4, 2]);
  assert.deepEqual(ps.map((p) => p.index), [0, 1, 2]);
  const got = ps.map((p) => decodePost(p.body, 'rw1').timeseries.map((ts) => [ts.labels[0]!.value, ts.samples.map((s) => s.timestamp)]));
  assert.deepEqual(got, [
    [['a', [1, 2, 3]], ['b', [4]]],
    [['b', [5, 6, 7, 8]]],
    [['b', [9]], ['c', [10]]],
  ]);
  assert.deepEqual(ps.map((p) => [p.origin.first, p.origin.last]), [[1, 9], [4, 9], [4, 10]]);
  // every sample sent exactly once, in input order
  assert.deepEqual(got.flatMap((r) => r.flatMap(([, ts]) => ts as number[])), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('the default batch is 2000 samples, as Prometheus sends', () => {
  const ts = Array.from({ length: 4500 }, (_, i) => i);
  const ps = all(new Batcher(base), [sampleSource({ timeseries: [series('big', ts)], metadata: [] })]);
  assert.deepEqual(ps.map((p) => p.counts.samples), [2000, 2000, 500]);
});

test('histograms count as samples when batching; exemplars go with the first part of their series', () => {
  const h = { isFloat: false, count: 1, zeroCount: 0, sum: 1, schema: 0, zeroThreshold: 0, negativeSpans: [], negativeDeltas: [], negativeCounts: [], positiveSpans: [], positiveDeltas: [], positiveCounts: [], resetHint: 'unknown' as const, customValues: [] };
  const s = { ...series('h', [1, 2]), histograms: [3, 4].map((t) => ({ ...h, timestamp: t })), exemplars: [{ labels: [], value: 1, timestamp: 1 }] };
  const ps = all(new Batcher({ ...base, maxSamplesPerSend: 3 }), [sampleSource({ timeseries: [s], metadata: [] })]);
  assert.deepEqual(ps.map((p) => p.counts), [
    { samples: 2, histograms: 1, exemplars: 1 },
    { samples: 0, histograms: 1, exemplars: 0 },
  ]);
});

test('a batch is closed by another tenant, another input, a recorded request, or the 5s batch deadline', () => {
  const one = (opts: Partial<SourceRequest>) => sampleSource({ timeseries: [series('a', [1])], metadata: [] }, opts);
  const count = (srcs: SourceRequest[]) => all(new Batcher(base), srcs).map((p) => p.counts.samples);
  assert.deepEqual(count([one({}), one({})]), [2], 'same tenant, input, time: one request');
  assert.deepEqual(count([one({ tenant: 't1' }), one({ tenant: 't2' })]), [1, 1]);
  assert.deepEqual(count([one({}), one({ origin: { input: 'other.ndjson', unit: 'line', first: 1, last: 1 } })]), [1, 1]);
  assert.deepEqual(count([one({ timeMs: 0 }), one({ timeMs: BATCH_DEADLINE_MS - 1 }), one({ timeMs: BATCH_DEADLINE_MS })]), [2, 1]);
  const ps = all(new Batcher(base), [one({}), recorded(W, 'rw1'), one({})]);
  assert.deepEqual(ps.map((p) => p.asRecorded), [false, true, false]);
  // a batch is posted at the time of its newest request
  assert.equal(all(new Batcher(base), [one({ timeMs: 100 }), one({ timeMs: 900 })])[0]!.timeMs, 900);
});

test('metadata goes with the request it came in; nothing is posted for empty requests', () => {
  const md = { type: 'counter' as const, metricFamilyName: 'x_total', help: 'X.', unit: '' };
  const ps = all(new Batcher(base), [sampleSource({ timeseries: [], metadata: [md] }), sampleSource({ timeseries: [series('x_total', [1])], metadata: [] })]);
  assert.equal(ps.length, 1);
  assert.deepEqual(decodePost(ps[0]!.body, 'rw1').metadata, [md]);
  assert.deepEqual(all(new Batcher(base), [sampleSource({ timeseries: [], metadata: [] })]), []);
  // sample formats follow --protocol (1.0 by default)
  assert.equal(all(new Batcher(base), [sampleSource({ timeseries: [series('a', [1])], metadata: [] })])[0]!.protocol, 'rw1');
  const p2 = all(new Batcher({ ...base, protocol: 'rw2' }), [sampleSource({ timeseries: [series('a', [1])], metadata: [] })])[0]!;
  assert.equal(p2.protocol, 'rw2');
  assert.deepEqual(flatSamples(decodePost(p2.body, 'rw2')), flatSamples({ timeseries: [series('a', [1])], metadata: [] }));
});
