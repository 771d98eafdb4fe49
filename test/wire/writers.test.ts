import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from '../../src/model/index.js';
import { createOutputWriter, withoutLabelShared } from '../../src/wire/writers.js';
import { readAll, collector } from './helpers.js';

const FIXTURE = new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url).pathname;

async function fixture(): Promise<Request[]> {
  return (await readAll(FIXTURE)).reqs;
}

async function render(format: 'ndjson' | 'rwcap' | 'rwcap-json' | 'vm-json', reqs: Request[], sink: Writable): Promise<number> {
  const w = createOutputWriter(format, sink, { onWarning: () => undefined });
  let waits = 0;
  for (const r of reqs) {
    const series = r.write.timeseries.map((ts) => ({ ...ts, labels: withoutLabelShared(ts.labels, '__replica__') }));
    const p = w.write(r, r.tenant ?? 'anonymous', series, true, r.write.metadata);
    if (p) {
      waits++;
      await p;
    }
  }
  await w.end();
  return waits;
}

for (const format of ['ndjson', 'rwcap', 'rwcap-json', 'vm-json'] as const) {
  test(`${format}: the same input gives byte-identical output, and backpressure is honoured`, async () => {
    const reqs = await fixture();
    const a = collector();
    const b = collector();
    await render(format, reqs, a.sink);
    await render(format, await fixture(), b.sink);
    assert.ok(a.bytes().length > 100_000);
    assert.deepEqual(a.bytes(), b.bytes());
    // a slow sink: once the writer's buffers are all in flight (~2.5 MiB) write() must hand back
    // promises, what the sink holds stays bounded, and nothing is lost
    const chunks: Buffer[] = [];
    let maxQueued = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _e, cb) {
        chunks.push(Buffer.from(chunk));
        maxQueued = Math.max(maxQueued, slow.writableLength);
        setImmediate(cb);
      },
    });
    const many = [...reqs, ...reqs, ...reqs, ...reqs, ...reqs, ...reqs, ...reqs, ...reqs];
    const whole = collector();
    await render(format, many, whole.sink);
    assert.ok(whole.bytes().length > 4 << 20, `${whole.bytes().length} bytes are enough to fill the writer's buffers`);
    const waits = await render(format, many, slow);
    assert.ok(waits > 0, 'writer asked the caller to wait');
    assert.ok(maxQueued <= 3 << 20, `the sink held at most ~2.5 MiB, not ${maxQueued} bytes`);
    assert.deepEqual(Buffer.concat(chunks), whole.bytes());
    // a file stream (fd: its buffers are reused after each write completes) and a PassThrough
    // that keeps every chunk until the end (no fd: a fresh buffer per write) get the same bytes
    const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-writers-'));
    try {
      const path = join(dir, 'out');
      const file = createWriteStream(path);
      await render(format, many, file);
      await new Promise<void>((resolve) => file.end(resolve));
      assert.deepEqual(readFileSync(path), whole.bytes());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const held = new PassThrough({ highWaterMark: 1 << 30 });
    await render(format, many, held);
    held.end();
    const kept: Buffer[] = [];
    for await (const c of held) kept.push(c as Buffer);
    assert.deepEqual(Buffer.concat(kept), whole.bytes());
  });
}

test('withoutLabelShared returns one array per distinct input array and the same array when the label is absent', () => {
  const labels = [{ name: '__name__', value: 'up' }, { name: '__replica__', value: 'a' }, { name: 'cluster', value: 'c' }];
  const s1 = withoutLabelShared(labels, '__replica__');
  assert.deepEqual(s1, [labels[0], labels[2]]);
  assert.equal(withoutLabelShared(labels, '__replica__'), s1);
  assert.deepEqual(labels.length, 3, 'input untouched');
  const none = [{ name: '__name__', value: 'x' }];
  assert.equal(withoutLabelShared(none, '__replica__'), none);
  assert.deepEqual(withoutLabelShared(labels, 'cluster'), [labels[0], labels[1]]);
});

test('ndjson output of the fixture strips the replica label where the caller removed it and keeps received_at_ms', async () => {
  const reqs = await fixture();
  const c = collector();
  await render('ndjson', reqs.slice(0, 1), c.sink);
  const lines = c.text().trimEnd().split('\n');
  assert.equal(lines.length, reqs[0]!.write.timeseries.reduce((n, ts) => n + ts.samples.length, 0) + reqs[0]!.write.metadata.length);
  const o = JSON.parse(lines[0]!);
  assert.equal(o.tenant, 'tenant-a');
  assert.equal(o.received_at_ms, reqs[0]!.receivedAtMs);
  assert.equal(o.labels.__replica__, undefined);
  assert.equal(o.labels.cluster, 'dev-pair');
});

test('the fast ndjson writer emits exactly encodeNdjsonRequest for mixed series', async () => {
  const { encodeNdjsonRequest, linePrefix } = await import('../../src/wire/ndjson.js');
  const { richRequest } = await import('./helpers.js');
  const w = richRequest();
  const [a, b] = [w.timeseries[0]!, w.timeseries[1]!];
  // samples+exemplars, histograms only, histograms+samples, samples only
  const mixed = [a!, b!, { ...b!, samples: [{ value: 2, timestamp: 5 }] }, { ...a!, exemplars: [] }];
  const req: Request = { inputIndex: 0, recordIndex: 0, offset: 0, tenant: 't', receivedAtMs: 9, write: { timeseries: mixed, metadata: w.metadata } };
  const c = collector();
  const writer = createOutputWriter('ndjson', c.sink, { onWarning: () => undefined });
  await writer.write(req, 't', mixed, false, w.metadata);
  await writer.end();
  assert.equal(c.text(), encodeNdjsonRequest(linePrefix('t', 9), mixed, w.metadata));
});

test('the fast ndjson writer formats numbers exactly like the reference encoder', async () => {
  const { encodeNdjsonRequest, linePrefix } = await import('../../src/wire/ndjson.js');
  const { STALE_NAN } = await import('../../src/model/index.js');
  const vals = [0, -0, 1, -1, 9, 10, 99, 100, 123456789, -987654321, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 999999999999999, 1e15, -(1e15 - 1), 2 ** 53 - 1, 2 ** 53, 0.5, -0.1, 1e21, NaN, Infinity, -Infinity, 1.7976931348623157e308, 5e-324];
  const samples = vals.map((value, i) => ({ value, timestamp: i % 3 === 0 ? -5 : 1000 + i }));
  // not through the array above: V8 canonicalises NaN payloads stored in a packed double array
  samples.push({ value: STALE_NAN, timestamp: 7 });
  const series = [{ labels: [{ name: 'a', value: 'b' }], samples, exemplars: [], histograms: [] }];
  const req: Request = { inputIndex: 0, recordIndex: 0, offset: 0, tenant: null, receivedAtMs: null, write: { timeseries: series, metadata: [] } };
  const c = collector();
  const w = createOutputWriter('ndjson', c.sink, { onWarning: () => undefined });
  await w.write(req, null, series, false, []);
  await w.end();
  const ref = encodeNdjsonRequest(linePrefix(null, null), series, []);
  assert.equal(c.text(), ref);
  assert.ok(ref.includes('"value":-0}') && ref.includes('"value":"stale"}') && ref.includes('"value":1e+21}'));
});
