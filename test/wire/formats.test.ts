import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { CapturedRequest, Request } from '../../src/model/index.js';
import { createOutputWriter } from '../../src/wire/writers.js';
import { encodeWriteRequest } from '../../src/wire/prompb.js';
import { encodeWriteRequestV2, decodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { snappyCompress, snappyDecompress } from '../../src/wire/snappy.js';
import { crc32 } from '../../src/wire/crc32.js';
import { RWCAP_MAGIC, encodeCaptureRecord } from '../../src/wire/rwcap.js';
import { remoteWriteVersion } from '../../src/wire/body.js';
import { parseVmJsonLine, parseVmJsonText } from '../../src/wire/vmjson.js';
import { bits, collector, readAll, richRequest, tempDir, STALE_BITS, NORMAL_NAN_BITS } from './helpers.js';

function captured(body: Uint8Array, contentType = 'application/x-protobuf'): CapturedRequest {
  return {
    receivedAtMs: 1764010530000,
    tenant: 'tenant-a',
    contentType,
    contentEncoding: 'snappy',
    body,
    headers: { 'x-prometheus-remote-write-version': '0.1.0', 'user-agent': 'test' },
    remoteAddr: '10.0.0.1',
    path: '/api/v1/push',
    bodyCrc32: crc32(body),
  };
}

function richCaptured(): Request {
  const write = richRequest();
  return { inputIndex: 0, recordIndex: 0, offset: 7, tenant: 'tenant-a', receivedAtMs: 1764010530000, write, captured: captured(snappyCompress(encodeWriteRequest(write))) };
}

async function writeWith(format: 'ndjson' | 'rwcap' | 'rwcap-json' | 'vm-json', req: Request, labelsChanged = false): Promise<{ out: Buffer; warnings: string[] }> {
  const c = collector();
  const warnings: string[] = [];
  const w = createOutputWriter(format, c.sink, { onWarning: (m) => warnings.push(m) });
  await w.write(req, req.tenant, req.write.timeseries, labelsChanged, req.write.metadata);
  await w.end();
  return { out: c.bytes(), warnings };
}

function assertSameRequest(got: Request, want: Request): void {
  assert.equal(got.write.timeseries.length, want.write.timeseries.length);
  for (let i = 0; i < want.write.timeseries.length; i++) {
    const g = got.write.timeseries[i]!;
    const w = want.write.timeseries[i]!;
    assert.deepEqual([...g.labels].sort((a, b) => (a.name < b.name ? -1 : 1)), [...w.labels].sort((a, b) => (a.name < b.name ? -1 : 1)));
    assert.deepEqual(g.samples.map((s) => [bits(s.value), s.timestamp]), w.samples.map((s) => [bits(s.value), s.timestamp]));
    assert.deepEqual(g.exemplars, w.exemplars);
    assert.equal(g.histograms.length, w.histograms.length);
    for (let j = 0; j < w.histograms.length; j++) {
      const gh = g.histograms[j]!;
      const wh = w.histograms[j]!;
      assert.deepEqual({ ...gh, sum: bits(gh.sum) }, { ...wh, sum: bits(wh.sum) });
    }
  }
  assert.deepEqual(got.write.metadata, want.write.metadata);
}

for (const format of ['rwcap', 'rwcap-json', 'ndjson'] as const) {
  test(`${format}: decode -> encode -> decode keeps everything, special values bit for bit`, async () => {
    const t = tempDir();
    try {
      const req = richCaptured();
      // labelsChanged=true forces a re-encode for rwcap/rwcap-json too
      for (const changed of [false, true]) {
        const { out } = await writeWith(format, req, changed);
        const p = t.file(`a.${format}`, out);
        const first = await readAll(p);
        assert.equal(first.format, format);
        assert.deepEqual(first.bad, []);
        assert.equal(first.reqs.length, 1);
        assertSameRequest(first.reqs[0]!, req);
        const samples = first.reqs[0]!.write.timeseries[0]!.samples;
        // a plain NaN decodes to JS NaN (encoders write Prometheus's 0x7ff8000000000001 for it)
        assert.ok(Number.isNaN(samples[1]!.value));
        assert.notEqual(bits(samples[1]!.value), STALE_BITS);
        assert.equal(bits(samples[2]!.value), STALE_BITS);
        assert.equal(bits(samples[3]!.value), bits(Infinity));
        assert.equal(bits(samples[4]!.value), bits(-Infinity));
        // and once more through the same format
        const again = await writeWith(format, first.reqs[0]!, changed);
        assert.deepEqual(again.out, out, 'byte-identical re-encoding');
        const p2 = t.file(`b.${format}`, again.out);
        const second = await readAll(p2);
        assertSameRequest(second.reqs[0]!, req);
        assert.equal(bits(second.reqs[0]!.write.timeseries[0]!.samples[2]!.value), STALE_BITS);
        assert.equal(first.reqs[0]!.tenant, 'tenant-a');
        assert.equal(first.reqs[0]!.receivedAtMs, 1764010530000);
      }
    } finally {
      t.cleanup();
    }
  });
}

test('remote-write raw body (snappy and bare protobuf) keeps special values bit for bit', async () => {
  const t = tempDir();
  try {
    const req = richCaptured();
    for (const [name, data] of [['s.bin', snappyCompress(encodeWriteRequest(req.write))], ['p.bin', encodeWriteRequest(req.write)]] as const) {
      const r = await readAll(t.file(name, data));
      assert.equal(r.format, 'remote-write');
      assert.deepEqual(r.bad, []);
      assertSameRequest(r.reqs[0]!, req);
      assert.equal(r.reqs[0]!.tenant, null);
      assert.equal(r.reqs[0]!.receivedAtMs, null);
      assert.equal(bits(r.reqs[0]!.write.timeseries[0]!.samples[2]!.value), STALE_BITS);
    }
  } finally {
    t.cleanup();
  }
});

test('rwcap output keeps an unchanged captured body byte for byte, and re-encodes changed ones as RW 1.0 snappy', async () => {
  const req = richCaptured();
  // a body that our encoder would not produce (different field order) must survive untouched
  const odd = Buffer.concat([Buffer.from(snappyCompress(encodeWriteRequest(req.write)))]);
  req.captured = captured(odd);
  const same = await writeWith('rwcap', req, false);
  const expect = Buffer.concat([Buffer.from(RWCAP_MAGIC), Buffer.from(encodeCaptureRecord(req.captured))]);
  assert.deepEqual(same.out, expect);
  const stripped = { ...req, write: { ...req.write, timeseries: req.write.timeseries.map((ts) => ({ ...ts, labels: ts.labels.filter((l) => l.name !== '__replica__') })) } };
  const c = collector();
  const w = createOutputWriter('rwcap', c.sink, { onWarning: () => undefined });
  await w.write(stripped, 'tenant-a', stripped.write.timeseries, true, stripped.write.metadata);
  await w.end();
  const t = tempDir();
  try {
    const r = await readAll(t.file('x.rwcap', c.bytes()));
    const cap = r.reqs[0]!.captured!;
    assert.equal(cap.contentEncoding, 'snappy');
    assert.equal(cap.contentType, 'application/x-protobuf');
    assert.equal(cap.receivedAtMs, 1764010530000);
    assert.equal(cap.tenant, 'tenant-a');
    assert.deepEqual(cap.headers, req.captured.headers);
    assert.notEqual(cap.bodyCrc32, 0);
    assert.ok(!r.reqs[0]!.write.timeseries[0]!.labels.some((l) => l.name === '__replica__'));
    // the re-encoded body carries Prometheus's NaN bits and the stale bits, little-endian
    const hex = Buffer.from(snappyDecompress(cap.body)).toString('hex');
    const le = (b: string) => Buffer.from(b, 'hex').reverse().toString('hex');
    assert.ok(hex.includes(le(NORMAL_NAN_BITS)));
    assert.ok(hex.includes(le(STALE_BITS)));
  } finally {
    t.cleanup();
  }
});

test('ndjson output: labels sorted by name, one line per sample/histogram/exemplar/metadata', async () => {
  const req = richCaptured();
  req.write.timeseries[0]!.labels = [...req.write.timeseries[0]!.labels].reverse();
  const { out } = await writeWith('ndjson', req);
  const lines = out.toString().trimEnd().split('\n');
  assert.equal(lines.length, 8 + 1 + 2 + 2);
  const first = JSON.parse(lines[0]!);
  assert.deepEqual(Object.keys(first.labels), ['__name__', '__replica__', 'cluster', 'job']);
  assert.equal(lines[0], '{"tenant":"tenant-a","received_at_ms":1764010530000,"labels":{"__name__":"up","__replica__":"replica1","cluster":"dev-pair","job":"node"},"timestamp":1764010523000,"value":1}');
  assert.deepEqual(lines.slice(1, 5).map((l) => JSON.parse(l).value), ['NaN', 'stale', '+Inf', '-Inf']);
  assert.ok(lines[8]!.includes('"exemplar":{"labels":{"trace_id":"abc123"},"value":0.25,"timestamp":1764010523000}'));
  assert.ok(lines[9]!.includes('"histogram":{"schema":1,'));
  assert.ok(lines[10]!.includes('"positive_counts":[10,0.5,20]'));
  assert.ok(lines[11]!.includes('"metadata":{"type":"counter","metric_family_name":"x_total","help":"Total of x.","unit":""}'));
});

test('vm-json output: ±Inf as Infinity, NaN and stale left out with one warning, histograms/exemplars/metadata counted', async () => {
  const req = richCaptured();
  const { out, warnings } = await writeWith('vm-json', req);
  const lines = out.toString().trimEnd().split('\n');
  assert.equal(lines.length, 1, 'the histogram-only series has no line');
  assert.equal(
    lines[0],
    '{"metric":{"__name__":"up","__replica__":"replica1","cluster":"dev-pair","job":"node"},"values":[1,"Infinity","-Infinity",-0.5,0,1e+308],"timestamps":[1764010523000,1764010523003,1764010523004,1764010523005,1764010523006,-1000]}',
  );
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /left out 2 NaN value/);
  assert.match(warnings[1]!, /left out 2 histogram sample\(s\), 1 exemplar\(s\) and 2 metadata entries/);
});

test('vm-json input: numbers, null, special strings and bare tokens', async () => {
  const t = tempDir();
  try {
    const text =
      '{"metric":{"__name__":"a","job":"x"},"values":[1,null,"NaN","nan","Inf","-inf","+Infinity","infinity",2.5],"timestamps":[1,2,3,4,5,6,7,8,9]}\n' +
      '{"metric":{"__name__":"b"},"values":[NaN,+Inf,-Inf,Inf, 3],"timestamps":[1,2,3,4,5]}\n';
    const r = await readAll(t.file('v.json', text));
    assert.equal(r.format, 'vm-json');
    assert.deepEqual(r.bad, []);
    assert.equal(r.reqs.length, 2);
    const v1 = r.reqs[0]!.write.timeseries[0]!.samples.map((s) => s.value);
    assert.deepEqual(v1.map(String), ['1', 'NaN', 'NaN', 'NaN', 'Infinity', '-Infinity', 'Infinity', 'Infinity', '2.5']);
    const v2 = r.reqs[1]!.write.timeseries[0]!.samples.map((s) => s.value);
    assert.deepEqual(v2.map(String), ['NaN', 'Infinity', '-Infinity', 'Infinity', '3']);
    assert.equal(r.reqs[0]!.receivedAtMs, null);
  } finally {
    t.cleanup();
  }
  assert.throws(() => parseVmJsonLine(parseVmJsonText('{"metric":{},"values":[1,2],"timestamps":[1]}')), /"values" has 2 entries but "timestamps" has 1/);
});

test('ndjson input: grouping by tenant + received_at_ms, lines without received_at_ms stand alone', async () => {
  const t = tempDir();
  try {
    const L = (o: object) => JSON.stringify(o) + '\n';
    const text =
      L({ tenant: 't1', received_at_ms: 100, labels: { __name__: 'a' }, timestamp: 1, value: 1 }) +
      L({ tenant: 't1', received_at_ms: 100, labels: { __name__: 'a' }, timestamp: 2, value: 2 }) +
      L({ tenant: 't1', received_at_ms: 100, labels: { __name__: 'b' }, timestamp: 2, value: '+Inf' }) +
      L({ tenant: 't1', received_at_ms: 100, metadata: { type: 'gauge', metric_family_name: 'a', help: 'h', unit: '' } }) +
      L({ tenant: 't2', received_at_ms: 100, labels: { __name__: 'a' }, timestamp: 3, value: 3 }) +
      L({ labels: { __name__: 'c' }, timestamp: 4, value: 'stale' }) +
      L({ labels: { __name__: 'c' }, timestamp: 5, value: 5 });
    const r = await readAll(t.file('s.ndjson', text));
    assert.equal(r.format, 'ndjson');
    assert.deepEqual(r.bad, []);
    assert.deepEqual(r.reqs.map((q) => [q.tenant, q.receivedAtMs, q.write.timeseries.length, q.write.metadata.length, q.recordIndex]), [
      ['t1', 100, 2, 1, 1],
      ['t2', 100, 1, 0, 5],
      [null, null, 1, 0, 6],
      [null, null, 1, 0, 7],
    ]);
    assert.equal(r.reqs[0]!.write.timeseries[0]!.samples.length, 2);
    assert.equal(bits(r.reqs[2]!.write.timeseries[0]!.samples[0]!.value), STALE_BITS);
  } finally {
    t.cleanup();
  }
});

test('Remote-Write 2.0: symbols, label refs, samples, histograms, exemplars, metadata', async () => {
  const wr = richRequest();
  wr.metadata = [{ type: 'counter', metricFamilyName: 'up', help: 'Up.', unit: '' }];
  const bytes = encodeWriteRequestV2(wr);
  const back = decodeWriteRequestV2(bytes);
  assert.deepEqual(back.timeseries.map((s) => s.labels), wr.timeseries.map((s) => s.labels));
  assert.deepEqual(back.timeseries[0]!.samples.map((s) => [bits(s.value), s.timestamp]), wr.timeseries[0]!.samples.map((s) => [bits(s.value), s.timestamp]));
  assert.deepEqual(back.timeseries[0]!.exemplars, wr.timeseries[0]!.exemplars);
  assert.equal(back.timeseries[1]!.histograms.length, 2);
  assert.deepEqual(back.timeseries[1]!.histograms[0], wr.timeseries[1]!.histograms[0]);
  assert.deepEqual(back.metadata, [{ type: 'counter', metricFamilyName: 'up', help: 'Up.', unit: '' }]);
  // inside an rwcap record with the 2.0 content type (lenient spelling)
  const t = tempDir();
  try {
    const cap = captured(snappyCompress(bytes), 'Application/X-Protobuf ; proto = io.prometheus.write.v2.Request');
    const file = Buffer.concat([Buffer.from(RWCAP_MAGIC), Buffer.from(encodeCaptureRecord(cap))]);
    const r = await readAll(t.file('v2.rwcap', file));
    assert.deepEqual(r.bad, []);
    assert.equal(r.reqs[0]!.write.timeseries.length, 2);
    const forced = await readAll(t.file('v2.bin', snappyCompress(bytes)), { format: 'remote-write2' });
    assert.deepEqual(forced.bad, []);
    assert.equal(forced.reqs[0]!.write.timeseries[0]!.samples.length, 8);
  } finally {
    t.cleanup();
  }
});

test('Remote-Write 2.0: start_timestamp, created_timestamp (field 6) and bad refs', () => {
  // hand-built: symbols ["", "__name__", "x"], one series with refs [1,2], a sample with start_timestamp, created_timestamp=5
  const hex =
    '2200' + '2208' + Buffer.from('__name__').toString('hex') + '2201' + '78' +
    '2a' + '15' + '0a020102' + '12' + '0d' + '09' + '000000000000f03f' + '1002' + '1803' + '3005';
  const back = decodeWriteRequestV2(Buffer.from(hex, 'hex'));
  assert.deepEqual(back.timeseries[0]!.labels, [{ name: '__name__', value: 'x' }]);
  assert.deepEqual(back.timeseries[0]!.samples, [{ value: 1, timestamp: 2 }]);
  const badRef = Buffer.from('2200' + '2a04' + '0a020109', 'hex');
  assert.throws(() => decodeWriteRequestV2(badRef), /label ref 9 is outside the symbols table/);
});

test('content types are parsed leniently', () => {
  assert.equal(remoteWriteVersion(''), 'rw1');
  assert.equal(remoteWriteVersion('application/x-protobuf'), 'rw1');
  assert.equal(remoteWriteVersion('APPLICATION/X-PROTOBUF;proto=prometheus.WriteRequest'), 'rw1');
  assert.equal(remoteWriteVersion('application/x-protobuf ; proto = "io.prometheus.write.v2.Request"'), 'rw2');
  assert.throws(() => remoteWriteVersion('application/json'), /unsupported content type/);
  assert.throws(() => remoteWriteVersion('application/x-protobuf;proto=foo.Bar'), /unknown proto/);
  // the last answer is kept for the same string, and only for it; refusals are never kept
  const v2 = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
  assert.equal(remoteWriteVersion(v2), 'rw2');
  assert.equal(remoteWriteVersion(v2), 'rw2');
  assert.equal(remoteWriteVersion('application/x-protobuf'), 'rw1');
  assert.equal(remoteWriteVersion(v2), 'rw2');
  assert.throws(() => remoteWriteVersion('text/plain'), /unsupported content type/);
  assert.throws(() => remoteWriteVersion('text/plain'), /unsupported content type/);
  assert.equal(remoteWriteVersion(v2), 'rw2');
});

test('gzip-wrapped inputs are unwrapped and detected again', async () => {
  const t = tempDir();
  try {
    const req = richCaptured();
    const { out } = await writeWith('rwcap', req);
    const r = await readAll(t.file('a.rwcap.gz', gzipSync(out)));
    assert.equal(r.format, 'rwcap');
    assertSameRequest(r.reqs[0]!, req);
    const nd = await writeWith('ndjson', req);
    const r2 = await readAll(t.file('a.ndjson.gz', gzipSync(gzipSync(nd.out))));
    assert.equal(r2.format, 'ndjson');
    assertSameRequest(r2.reqs[0]!, req);
  } finally {
    t.cleanup();
  }
});

test('line formats accept a UTF-8 byte order mark, CRLF line ends, blank lines and no final newline', async () => {
  const t = tempDir();
  try {
    const text = '\ufeff{"labels":{"__name__":"a"},"timestamp":1,"value":1}\r\n\r\n  \n{"metric":{"__name__":"b"},"values":[2],"timestamps":[2]}';
    const nd = await readAll(t.file('bom.ndjson', text.split('\n').slice(0, 3).join('\n') + '\n{"labels":{"__name__":"a"},"timestamp":2,"value":2}'));
    assert.equal(nd.format, 'ndjson');
    assert.deepEqual(nd.bad, []);
    assert.deepEqual(nd.reqs.map((r) => [r.recordIndex, r.write.timeseries[0]!.samples[0]!.timestamp]), [[1, 1], [4, 2]]);
    const vm = await readAll(t.file('bom.vm.json', '\ufeff' + text.split('\n')[3]! + '\r\n'));
    assert.equal(vm.format, 'vm-json');
    assert.equal(vm.reqs[0]!.write.timeseries[0]!.samples[0]!.value, 2);
  } finally {
    t.cleanup();
  }
});
