// SendConsumer: send as a Consumer of the event pipeline (model/events.ts), fed hand-made
// decoded requests (columns + a catalog): a captured body goes out as recorded without the
// request being materialised; re-encoding and batching materialise it; the consumer's promise is
// the backpressure; a lane with decisions is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedRequest, EndEvent, Label, RequestEvent, RunStart, SeriesCatalog, WriteRequest } from '../../src/model/index.js';
import { SendConsumer, SendSink } from '../../src/send/index.js';
import { parseSendOptions, SEND_DEFAULTS, type SendOptionValues } from '../../src/cli/sendoptions.js';
import { encodeWriteRequest } from '../../src/wire/prompb.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { FakeClient, FakeClock, OK, decodePost, flatSamples } from './helpers.js';

const SERIES: Label[][] = [
  [{ name: '__name__', value: 'up' }, { name: 'cluster', value: 'c' }, { name: '__replica__', value: 'r1' }],
  [{ name: '__name__', value: 'x' }, { name: 'cluster', value: 'c' }, { name: '__replica__', value: 'r1' }],
];
const catalog: SeriesCatalog = { size: SERIES.length, labels: (id) => SERIES[id]!, labelValue: (id, n) => SERIES[id]!.find((l) => l.name === n)?.value ?? '' };

/** A request of both series, samples at t and t + 1 for each. */
function decoded(t: number, captured: boolean): DecodedRequest {
  const write = materializeColumns(t);
  const body = snappyCompress(encodeWriteRequest(write));
  return {
    inputIndex: 0,
    recordIndex: 3,
    offset: 0,
    tenant: 'team-a',
    receivedAtMs: t,
    protocol: captured ? 'rw1' : null,
    captured: captured ? { receivedAtMs: t, tenant: 'team-a', contentType: 'application/x-protobuf', contentEncoding: 'snappy', body, headers: {}, remoteAddr: '', path: '/', bodyCrc32: 0 } : null,
    wireBytes: body.length,
    decodedBytes: 0,
    seriesCount: 2,
    ids: Int32Array.from([0, 1]),
    sampleStart: Int32Array.from([0, 2, 4]),
    timestamps: Float64Array.from([t, t + 1, t, t + 1]),
    values: Float64Array.from([1, 2, 3, 4]),
    histogramStart: null,
    histograms: [],
    exemplarStart: null,
    exemplars: [],
    metadata: [],
  };
}

function materializeColumns(t: number): WriteRequest {
  return {
    timeseries: SERIES.map((labels, i) => ({ labels, samples: [0, 1].map((k) => ({ timestamp: t + k, value: 2 * i + k + 1 })), exemplars: [], histograms: [] })),
    metadata: [],
  };
}

function setup(values: Partial<SendOptionValues> = {}) {
  const clock = new FakeClock();
  const client = new FakeClient(() => OK, clock);
  const cfg = parseSendOptions({ url: 'http://127.0.0.1:1/', format: 'auto', maxDecodedSize: '64MiB', ...SEND_DEFAULTS, ...values });
  const sink = new SendSink(cfg, { authorization: null, secrets: [], tls: { insecureSkipVerify: false } }, { userAgent: 't', onBadRecord() {}, client, clock }, 0);
  let materialized = 0;
  const consumer = new SendConsumer(sink, (req) => {
    materialized++;
    return materializeColumns(req.timestamps[0]!);
  });
  const start: RunStart = { catalog, inputs: ['cap.rwcap'], semantics: null, config: () => { throw new Error('unused'); }, defaultTenant: '' };
  consumer.begin(start);
  const event = (request: DecodedRequest, seq: number): RequestEvent => ({ seq, request, tenant: request.tenant ?? '', recordTimeMs: request.receivedAtMs!, nowMs: request.receivedAtMs!, ha: { seriesPair: new Int32Array(2), pairs: [], missing: new Uint8Array(2) }, decision: null });
  return { client, consumer, event, materialized: () => materialized };
}

const END = {} as EndEvent;

test('a captured request goes out as recorded, without being materialised; counts come from the columns', async () => {
  const { client, consumer, event, materialized } = setup();
  const reqs = [decoded(1000, true), decoded(2000, true)];
  for (const [i, r] of reqs.entries()) await consumer.request(event(r, i));
  await consumer.end(END);
  assert.equal(materialized(), 0);
  assert.deepEqual(client.calls.map((c) => Buffer.from(c.body)), reqs.map((r) => Buffer.from(r.captured!.body)));
  assert.equal(client.calls[0]!.headers['x-scope-orgid'], 'team-a');
  assert.deepEqual(consumer.report!, { ...consumer.report!, requests: 2, samples: 8, acknowledged_requests: 2 });
});

test('--protocol 2 and sample formats materialise the request: same samples, batched', async () => {
  const a = setup({ protocol: '2' });
  await a.consumer.request(a.event(decoded(1000, true), 0));
  await a.consumer.end(END);
  assert.equal(a.materialized(), 1);
  assert.deepEqual(flatSamples(decodePost(a.client.calls[0]!.body, 'rw2')), flatSamples(materializeColumns(1000)));
  const b = setup();
  for (let i = 0; i < 3; i++) await b.consumer.request(b.event(decoded(1000 + i, false), i));
  await b.consumer.end(END);
  assert.equal(b.client.calls.length, 1, 'three sample-format requests in one batch');
  assert.equal(decodePost(b.client.calls[0]!.body, 'rw1').timeseries.length, 6);
});

test('a lane with decisions is refused (send as a consumer sends what it reads)', () => {
  const { consumer, event } = setup();
  const ev = { ...event(decoded(1000, true), 0), decision: { outcome: 'accepted', status: 200, message: null, replicaLabel: '__replica__', outcomes: new Uint8Array(2), pairOf: new Int32Array(2) } } as RequestEvent;
  assert.throws(() => consumer.request(ev), /cannot be given a lane with a tracker/);
});
