// Issue 12 points 1, 2, 3 and 5: reproducers built by hand and from fixtures/. Each of these
// failed before the fix: a stack overflow (exit 70) on nested groups, wrong wire types decoded as
// 0 / no labels, a replay that never ended on a huge timestamp, a damaged length prefix or gzip
// trailer that lost every record after it, an over-long first line that made the whole file
// "remote-write".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { CapturedRequest } from '../../src/model/index.js';
import { WireError } from '../../src/wire/errors.js';
import { PbReader } from '../../src/wire/pbreader.js';
import { decodeWriteRequest, encodeWriteRequest } from '../../src/wire/prompb.js';
import { decodeWriteRequestV2, encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { RWCAP_MAGIC, decodeCapturedRequest, encodeCaptureRecord, withCrc } from '../../src/wire/rwcap.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { readAll, richRequest, tempDir } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/ha-dedup', import.meta.url));
const fixture = readFileSync(FIXTURE);
const RW2_CT = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

function cli(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at |Maximum call stack|RangeError|This is a bug/, stderr);
}

// ---- tiny protobuf builders ----
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const tag = (field: number, wt: number) => varint((field << 3) | wt);
const lenField = (field: number, bytes: number[]) => [...tag(field, 2), ...varint(bytes.length), ...bytes];
const str = (s: string) => [...Buffer.from(s)];
const f64 = (x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...b];
};
const label = (n: string, v: string) => [...lenField(1, str(n)), ...lenField(2, str(v))];
const LABELS = [...lenField(1, label('__name__', 'up')), ...lenField(1, label('cluster', 'c')), ...lenField(1, label('__replica__', 'a'))];
const goodSample = [...tag(1, 1), ...f64(1), ...tag(2, 0), ...varint(1764010523000)];
const rw1 = (...series: number[][]) => Uint8Array.from(series.flatMap((s) => lenField(1, s)));

/** The fixture's records: [offset, message bytes] (after the magic). */
function fixtureRecords(): { offset: number; lenBytes: number; msg: Buffer }[] {
  const out = [];
  const r = new PbReader(fixture, RWCAP_MAGIC.length);
  while (r.pos < r.end) {
    const offset = r.pos;
    const s = r.delimited();
    out.push({ offset, lenBytes: s - offset, msg: fixture.subarray(s, r.fieldEnd) });
  }
  return out;
}
const RECORDS = fixtureRecords();

function capture(records: Uint8Array[]): Buffer {
  return Buffer.concat([RWCAP_MAGIC, ...records]);
}

function capRecord(body: Uint8Array, contentType = 'application/x-protobuf', crc = true, receivedAtMs = 1764010523100): Uint8Array {
  const req: CapturedRequest = { receivedAtMs, tenant: 't', contentType, contentEncoding: 'snappy', body: snappyCompress(body), headers: {}, remoteAddr: '', path: '/api/v1/push', bodyCrc32: 0 };
  return encodeCaptureRecord(crc ? withCrc(req) : req);
}

const good = (i: number, crc = true) =>
  capRecord(encodeWriteRequest({ timeseries: [{ labels: [{ name: '__name__', value: 'up' }, { name: 'i', value: String(i) }], samples: [{ value: i, timestamp: 1764010523000 + i }], exemplars: [], histograms: [] }], metadata: [] }), 'application/x-protobuf', crc);

// ---------------------------------------------------------------------------------------------
// 1. nested groups

const NESTED = new Uint8Array(10_000).fill(0x53); // field 10, start group, never closed

test('12.1: ~10,000 nested start-groups are a WireError in every protobuf decoder, not a stack overflow', () => {
  const inSeries = rw1([...LABELS, ...NESTED]);
  const inSample = rw1([...LABELS, ...lenField(2, [...goodSample, ...NESTED])]);
  for (const [name, fn] of [
    ['rw1 body', () => decodeWriteRequest(NESTED)],
    ['rw1 series', () => decodeWriteRequest(inSeries)],
    ['rw1 sample', () => decodeWriteRequest(inSample)],
    ['rw2 body', () => decodeWriteRequestV2(NESTED)],
    ['capture record', () => decodeCapturedRequest(NESTED)],
  ] as const) {
    assert.throws(fn, (e: unknown) => e instanceof WireError && /truncated message \(a group is not closed\)/.test(e.reason), name);
  }
});

test('12.1: closed groups nested 10,000 deep are skipped as unknown fields, as Prometheus\'s decoder does', () => {
  const deep = [...new Array(10_000).fill(0x53), ...new Array(10_000).fill(0x54)];
  const w = decodeWriteRequest(rw1([...LABELS, ...deep, ...lenField(2, goodSample)]));
  assert.equal(w.timeseries.length, 1);
  assert.deepEqual(w.timeseries[0]!.samples, [{ value: 1, timestamp: 1764010523000 }]);
  assert.equal(w.timeseries[0]!.labels.length, 3);
});

test('12.1: a capture with nested groups in a body and in a record envelope: one bad record each, the rest kept; replay exits 0', () => {
  const t = tempDir();
  try {
    const envelope = Uint8Array.from([...varint(NESTED.length + 2), ...tag(1, 0), 5, ...NESTED]);
    const file = t.file('nested.rwcap', capture([good(0), capRecord(NESTED), good(1), envelope, good(2)]));
    const r = cli(['replay', file, '--output-format', 'none', '--report-format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    noStack(r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('ha-dedup: warning:'));
    assert.equal(warnings.length, 2, r.stderr);
    assert.match(warnings[0]!, /record 1 at byte \d+: protobuf: truncated message \(a group is not closed\)/);
    assert.match(warnings[1]!, /record 3 at byte \d+: protobuf: truncated message \(a group is not closed\); skipped 10\d\d\d bytes to the next valid record/);
    const report = JSON.parse(r.stdout);
    assert.equal(report.totals.requests, 3);
  } finally {
    t.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// 2. wrong wire types

test('12.2: wrong wire types of known fields are bad records (value as varint, timestamp as fixed64, labels as varint, ...)', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['value as varint', rw1([...LABELS, ...lenField(2, [...tag(1, 0), 1, ...tag(2, 0), 5])]), /Sample field 1 has wrong wire type 0/],
    ['timestamp as fixed64', rw1([...LABELS, ...lenField(2, [...tag(1, 1), ...f64(1), ...tag(2, 1), ...f64(0)])]), /Sample field 2 has wrong wire type 1/],
    ['labels as varint', rw1([...tag(1, 0), 5, ...lenField(2, goodSample)]), /TimeSeries field 1 has wrong wire type 0/],
    ['samples as fixed32', rw1([...LABELS, ...tag(2, 5), 1, 2, 3, 4]), /TimeSeries field 2 has wrong wire type 5/],
    ['label name as varint', rw1([...lenField(1, [...tag(1, 0), 3, ...lenField(2, str('v'))]), ...lenField(2, goodSample)]), /Label field 1 has wrong wire type 0/],
    ['timeseries as varint', Uint8Array.from([...tag(1, 0), 7]), /WriteRequest field 1 has wrong wire type 0/],
    ['histogram count as fixed64', rw1([...LABELS, ...lenField(4, [...tag(1, 1), ...f64(3)])]), /Histogram field 1 has wrong wire type 1/],
    ['histogram timestamp as fixed32', rw1([...LABELS, ...lenField(4, [...tag(15, 5), 1, 2, 3, 4])]), /Histogram field 15 has wrong wire type 5/],
    ['exemplar value as varint', rw1([...LABELS, ...lenField(2, goodSample), ...lenField(3, [...tag(2, 0), 1])]), /Exemplar field 2 has wrong wire type 0/],
    ['metadata type as bytes', Uint8Array.from(lenField(3, lenField(1, str('counter')))), /MetricMetadata field 1 has wrong wire type 2/],
  ];
  for (const [name, body, reason] of cases) {
    assert.throws(() => decodeWriteRequest(body), (e: unknown) => e instanceof WireError && reason.test(e.reason), name);
  }
  // Remote-Write 2.0
  const symbols = ['', '__name__', 'up'].flatMap((s) => lenField(4, str(s)));
  const series = (inner: number[]) => Uint8Array.from([...symbols, ...lenField(5, [...lenField(1, [1, 2]), ...inner])]);
  const cases2: [string, Uint8Array, RegExp][] = [
    ['value as varint', series(lenField(2, [...tag(1, 0), 1, ...tag(2, 0), 5])), /Sample field 1 has wrong wire type 0/],
    ['timestamp as fixed64', series(lenField(2, [...tag(1, 1), ...f64(1), ...tag(2, 1), ...f64(0)])), /Sample field 2 has wrong wire type 1/],
    ['labels_refs as fixed32', Uint8Array.from([...symbols, ...lenField(5, [...tag(1, 5), 1, 0, 0, 0, ...lenField(2, goodSample)])]), /wire type 5 for labels_refs/],
    ['samples as varint', series([...tag(2, 0), 1]), /TimeSeries field 2 has wrong wire type 0/],
    ['symbols as varint', Uint8Array.from([...tag(4, 0), 1]), /Request field 4 has wrong wire type 0/],
    ['created_timestamp as bytes', series(lenField(6, [1])), /TimeSeries field 6 has wrong wire type 2/],
  ];
  for (const [name, body, reason] of cases2) {
    assert.throws(() => decodeWriteRequestV2(body), (e: unknown) => e instanceof WireError && reason.test(e.reason), `2.0 ${name}`);
  }
  // capture record envelope: received_at_ms as fixed64, body as varint
  assert.throws(() => decodeCapturedRequest(Uint8Array.from([...tag(1, 1), ...f64(1)])), /capture record field 1 has wrong wire type 1/);
  assert.throws(() => decodeCapturedRequest(Uint8Array.from([...tag(5, 0), 1])), /capture record field 5 has wrong wire type 0/);
  // the right wire types still decode, and unknown fields of any wire type are still skipped
  const ok = decodeWriteRequest(rw1([...LABELS, ...tag(9, 0), 1, ...tag(10, 1), ...f64(2), ...lenField(2, goodSample)]));
  assert.deepEqual(ok.timeseries[0]!.samples, [{ value: 1, timestamp: 1764010523000 }]);
});

test('12.2: a 1.0 body read as 2.0 (and a 2.0 body read as 1.0) is a bad record, not 0 samples in silence', async () => {
  const v1 = encodeWriteRequest(richRequest());
  const v2 = encodeWriteRequestV2(richRequest());
  assert.throws(() => decodeWriteRequestV2(v1), /a 1\.0 body under the 2\.0 content type/);
  assert.throws(() => decodeWriteRequest(v2), /a 2\.0 body read as 1\.0/);
  // an empty body is still an empty request in both
  assert.equal(decodeWriteRequestV2(new Uint8Array(0)).timeseries.length, 0);
  assert.equal(decodeWriteRequest(new Uint8Array(0)).timeseries.length, 0);
  const t = tempDir();
  try {
    const r = await readAll(t.file('mixed.rwcap', capture([good(0), capRecord(v1, RW2_CT), good(1)])));
    assert.equal(r.reqs.length, 2);
    assert.equal(r.bad.length, 1);
    assert.equal(r.bad[0]!.index, 1);
    assert.match(r.bad[0]!.reason, /remote-write 2\.0 request with no series/);
    const f = await readAll(t.file('v1.bin', snappyCompress(v1)), { format: 'remote-write2' });
    assert.equal(f.reqs.length, 0);
    assert.equal(f.bad.length, 1);
  } finally {
    t.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// 3. timestamps

test('12.3: timestamps outside ±8.64e15 ms are bad records in every reader', async () => {
  const huge = [2 ** 60, -(2 ** 60), 2 ** 53 + 2, 8.64e15 + 1];
  for (const ts of huge) {
    const s = rw1([...LABELS, ...lenField(2, [...tag(1, 1), ...f64(1), ...tag(2, 0), ...varint(BigInt(ts))])]);
    assert.throws(() => decodeWriteRequest(s), /sample timestamp -?\d+ is outside the supported time range/, `rw1 ${ts}`);
    const h = rw1([...LABELS, ...lenField(4, [...tag(15, 0), ...varint(BigInt(ts))])]);
    assert.throws(() => decodeWriteRequest(h), /histogram timestamp/, `rw1 histogram ${ts}`);
    const e = rw1([...LABELS, ...lenField(2, goodSample), ...lenField(3, [...tag(3, 0), ...varint(BigInt(ts))])]);
    assert.throws(() => decodeWriteRequest(e), /exemplar timestamp/, `rw1 exemplar ${ts}`);
    const v2 = Uint8Array.from([...['', 'a', 'b'].flatMap((x) => lenField(4, str(x))), ...lenField(5, [...lenField(1, [1, 2]), ...lenField(2, [...tag(2, 0), ...varint(BigInt(ts))])])]);
    assert.throws(() => decodeWriteRequestV2(v2), /sample timestamp/, `rw2 ${ts}`);
    assert.throws(() => decodeCapturedRequest(Uint8Array.from([...tag(1, 0), ...varint(BigInt(ts))])), /received_at_ms/, `rwcap ${ts}`);
  }
  // the limit itself is fine
  const edge = rw1([...LABELS, ...lenField(2, [...tag(2, 0), ...varint(-8.64e15)]), ...lenField(2, [...tag(2, 0), ...varint(8.64e15)])]);
  assert.deepEqual(decodeWriteRequest(edge).timeseries[0]!.samples.map((x) => x.timestamp), [-8.64e15, 8.64e15]);
  const t = tempDir();
  try {
    const nd = (ts: string) => `{"labels":{"__name__":"up"},"timestamp":${ts},"value":1}\n`;
    const r = await readAll(
      t.file(
        'huge.ndjson',
        nd('1') + nd('1e30') + nd('"9007199254740993"') + `{"received_at_ms":1e300,"labels":{"a":"b"},"timestamp":2,"value":1}\n` + `{"labels":{"a":"b"},"exemplar":{"value":1,"timestamp":-1e20}}\n` + nd('3'),
      ),
    );
    assert.deepEqual(r.bad.map((b) => [b.index, b.reason.replace(/ is outside.*/, '')]), [
      [2, 'timestamp 1e+30'],
      [3, 'timestamp 9007199254740993'],
      [4, 'received_at_ms 1e+300'],
      [5, 'exemplar.timestamp -100000000000000000000'],
    ]);
    assert.equal(r.reqs.length, 2);
    const vm = await readAll(t.file('huge.vm.json', '{"metric":{"a":"b"},"values":[1,2],"timestamps":[1,1e30]}\n{"metric":{"a":"b"},"values":[1],"timestamps":[5]}\n'));
    assert.equal(vm.bad.length, 1);
    assert.match(vm.bad[0]!.reason, /timestamps\[1\] 1e\+30 is outside/);
    assert.equal(vm.reqs.length, 1);
    const body = Buffer.from(snappyCompress(encodeWriteRequest(richRequest()))).toString('base64');
    const rc = await readAll(t.file('huge.rwcap.json', `{"received_at_ms":1e30,"content_encoding":"snappy","body_base64":"${body}"}\n{"received_at_ms":1,"content_encoding":"snappy","body_base64":"${body}"}\n`));
    assert.equal(rc.bad.length, 1);
    assert.match(rc.bad[0]!.reason, /received_at_ms 1e\+30 is outside/);
    assert.equal(rc.reqs.length, 1);
  } finally {
    t.cleanup();
  }
});

test('12.3: an ndjson timestamp of 1e30 after a normal one no longer hangs replay (both models)', () => {
  const t = tempDir();
  try {
    const line = (ts: string) => `{"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":${ts},"value":1}\n`;
    const file = t.file('hang.ndjson', line('1700000000000') + line('1e30') + line('1700000001000'));
    for (const semantics of ['cortex', 'mimir']) {
      const r = cli(['replay', file, '--semantics', semantics, '--output-format', 'none', '--report-format', 'json'], 30_000);
      assert.equal(r.signal, null, `replay --semantics ${semantics} did not end`);
      assert.equal(r.code, 0, r.stderr);
      noStack(r.stderr);
      assert.match(r.stderr, /line 2 at byte \d+: timestamp 1e\+30 is outside the supported time range/);
      assert.equal(JSON.parse(r.stdout).totals.samples, 2);
    }
  } finally {
    t.cleanup();
  }
});

test('12.3: a --db whose saved clock (or tracker time) is 1e30 is exit 4 "state database is inconsistent", no hang', () => {
  const t = tempDir();
  try {
    const line = `{"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":1700000000000,"value":1}\n`;
    const input = t.file('in.ndjson', line);
    for (const [key, semantics] of [['replay.clock', 'cortex'], ['tracker.next_cleanup_ms', 'cortex'], ['tracker.next_pass_ms', 'mimir']] as const) {
      const db = `${t.dir}/${key}.db`;
      const first = cli(['replay', input, '--db', db, '--semantics', semantics, '--output-format', 'none']);
      assert.equal(first.code, 0, first.stderr);
      const d = new Database(db);
      assert.equal(d.prepare('UPDATE meta SET value = ? WHERE key = ?').run('1e30', key).changes, 1, key);
      d.close();
      const r = cli(['replay', input, '--db', db, '--semantics', semantics, '--output-format', 'none'], 30_000);
      assert.equal(r.signal, null, `${key}: replay did not end`);
      assert.equal(r.code, 4, `${key}: ${r.stderr}`);
      assert.match(r.stderr, /^ha-dedup: state database is inconsistent: .*1e30/m);
      noStack(r.stderr);
    }
  } finally {
    t.cleanup();
  }
});

test('12.3: inspect prints its table for large valid times (near the ±8.64e15 ms limit)', () => {
  const t = tempDir();
  try {
    const file = t.file('late.ndjson', `{"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":-8640000000000000,"value":1}\n{"received_at_ms":8640000000000000,"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":8640000000000000,"value":1}\n`);
    const r = cli(['inspect', file]);
    assert.equal(r.code, 0, r.stderr);
    noStack(r.stderr);
    assert.match(r.stdout, /-271821-04-20T00:00:00\.000Z → 275760-09-13T00:00:00\.000Z/);
  } finally {
    t.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// 5. resynchronisation

/** The fixture with record k's length prefix changed by `damage`; the bodies of the other records. */
function damaged(k: number, damage: (prefix: Buffer) => void): Buffer {
  const b = Buffer.from(fixture);
  const rec = RECORDS[k]!;
  damage(b.subarray(rec.offset, rec.offset + rec.lenBytes));
  return b;
}

test('12.5: a damaged rwcap length prefix loses only its own record: the reader resynchronises on the next valid record', async () => {
  const t = tempDir();
  try {
    const want = RECORDS.map((r) => decodeCapturedRequest(r.msg).body);
    const damages: [string, (p: Buffer) => void][] = [
      ['one more', (p) => (p[0] = p[0]! + 1)],
      ['one less', (p) => (p[0] = p[0]! - 1)],
      ['zero', (p) => p.fill(0)],
      ['all bits set (runs into the record)', (p) => p.fill(0xff)],
      ['beyond the end of the file', (p) => { p.fill(0xff); p[p.length - 1] = 0x7f; }],
    ];
    for (const k of [0, 40, RECORDS.length - 2]) {
      for (const [name, dmg] of damages) {
        const r = await readAll(t.file(`d${k}.rwcap`, damaged(k, dmg)));
        const what = `record ${k}, ${name}: ${JSON.stringify(r.bad)}`;
        assert.equal(r.bad.length, 1, what);
        assert.equal(r.bad[0]!.index, k, what);
        assert.equal(r.bad[0]!.offset, RECORDS[k]!.offset, what);
        assert.match(r.bad[0]!.reason, /skipped \d+ bytes to the next valid record, at byte \d+/, what);
        assert.equal(r.reqs.length, RECORDS.length - 1, what);
        const got = r.reqs.map((q) => Buffer.from(q.captured!.body));
        assert.deepEqual(got, want.filter((_, i) => i !== k).map((x) => Buffer.from(x)), what);
      }
    }
    // a length prefix damaged to a larger value that swallows the next record's prefix (and the
    // first bytes after it) as an unknown field of a record that still decodes: the record ends
    // where its known fields end, and the next one is read
    let swallowed = 0;
    for (let k = 0; k + 1 < RECORDS.length && swallowed < 3; k++) {
      const next = RECORDS[k + 1]!;
      if (next.lenBytes !== 2) continue;
      const wt = next.msg.length & 7; // the low bits of the prefix's first byte
      const d = { 0: 3, 1: 10, 2: 11, 5: 6 }[wt];
      if (d === undefined) continue;
      const rec = RECORDS[k]!;
      const prefix = varint(rec.msg.length + d);
      if (prefix.length !== rec.lenBytes) continue;
      const b = Buffer.from(fixture);
      b.set(prefix, rec.offset);
      const r = await readAll(t.file(`sw${k}.rwcap`, b));
      const what = `record ${k} swallowing ${d} bytes: ${JSON.stringify(r.bad)}`;
      assert.deepEqual(r.reqs.map((q) => Buffer.from(q.captured!.body)), want.map((x) => Buffer.from(x)), what);
      assert.equal(r.bad.length, 0, what);
      swallowed++;
    }
    assert.equal(swallowed, 3);
    // records without a CRC resynchronise too (on a body that decodes)
    const plain = [0, 1, 2, 3].map((i) => good(i, false));
    const noCrc = capture(plain);
    const at = RWCAP_MAGIC.length + plain[0]!.length;
    noCrc[at] = noCrc[at]! + 3;
    const n = await readAll(t.file('nocrc.rwcap', noCrc));
    assert.equal(n.bad.length, 1, JSON.stringify(n.bad));
    assert.deepEqual(n.reqs.map((q) => q.write.timeseries[0]!.labels[1]!.value), ['0', '2', '3']);
    // two captures joined with cat: the second header is one bad record, every record is read
    const joined = await readAll(t.file('joined.rwcap', Buffer.concat([fixture, fixture])));
    assert.equal(joined.bad.length, 1);
    assert.equal(joined.reqs.length, 2 * RECORDS.length);
    // a record cut by the end of the file is still reported as such
    const cut = await readAll(t.file('cut.rwcap', fixture.subarray(0, fixture.length - 10)));
    assert.equal(cut.bad.length, 1);
    assert.match(cut.bad[0]!.reason, /^truncated record: it declares \d+ bytes but only \d+ are left in the input$/);
    assert.equal(cut.reqs.length, RECORDS.length - 1);
  } finally {
    t.cleanup();
  }
});

test('12.5: junk after a gzip member, a bad or cut gzip trailer lose no record (as zcat); zero padding is no warning', async () => {
  const t = tempDir();
  try {
    const gz = gzipSync(fixture);
    const flip = (i: number) => {
      const b = Buffer.from(gz);
      b[b.length - i] ^= 1;
      return b;
    };
    const cases: [string, Buffer, RegExp | null][] = [
      ['junk', Buffer.concat([gz, Buffer.from('junk after the data')]), /gzip: 19 bytes after the end of the compressed data \(at byte \d+\) are not gzip; ignored/],
      ['bad crc', flip(5), /gzip: the trailer at byte \d+ does not match the data \(CRC-32 differs\); the decompressed data is used/],
      ['bad length', flip(1), /length differs/],
      ['cut trailer', gz.subarray(0, gz.length - 3), /the input ends inside the trailer/],
      ['zero padding', Buffer.concat([gz, Buffer.alloc(512)]), null],
      ['two members', Buffer.concat([gzipSync(fixture), gzipSync(fixture.subarray(RWCAP_MAGIC.length))]), null],
    ];
    for (const [name, data, reason] of cases) {
      const r = await readAll(t.file(`${name}.rwcap.gz`, data));
      assert.equal(r.format, 'rwcap', name);
      assert.equal(r.reqs.length, (name === 'two members' ? 2 : 1) * RECORDS.length, `${name}: ${JSON.stringify(r.bad)}`);
      if (reason === null) assert.equal(r.bad.length, 0, `${name}: ${JSON.stringify(r.bad)}`);
      else {
        assert.equal(r.bad.length, 1, name);
        assert.match(r.bad[0]!.reason, reason, name);
      }
    }
  } finally {
    t.cleanup();
  }
});

test('12.5: an over-long first line does not make auto-detection read the whole file as one remote-write body', async () => {
  const t = tempDir();
  try {
    // --max-decoded-size 1 MB: detection gives up on a first line past that; the line reader
    // refuses an ndjson or vm-json line past it (issue 12.4), and takes rwcap-json lines up to
    // ~4.5 MB (bodies in base64)
    for (const [size, rcBad] of [[3_000_000, 0], [16_000_000, 1]] as const) {
      const long = 'x'.repeat(size);
      const nd = `{"labels":{"__name__":"up","pad":"${long}"},"timestamp":1,"value":1}\n` + `{"labels":{"__name__":"up"},"timestamp":2,"value":1}\n`.repeat(3);
      const vm = `{"metric":{"__name__":"up","pad":"${long}"},"values":[1],"timestamps":[1]}\n` + `{"metric":{"__name__":"up"},"values":[1],"timestamps":[2]}\n`.repeat(3);
      const body = Buffer.from(snappyCompress(encodeWriteRequest(richRequest()))).toString('base64');
      const rc = `{"received_at_ms":1,"content_encoding":"snappy","body_base64":"${body}","headers":{"x":"${long}"}}\n` + `{"received_at_ms":2,"content_encoding":"snappy","body_base64":"${body}"}\n`.repeat(3);
      for (const [name, text, format] of [['nd.ndjson', nd, 'ndjson'], ['vm.json', vm, 'vm-json'], ['rc.json', rc, 'rwcap-json']] as const) {
        const bad = format === 'rwcap-json' ? rcBad : 1;
        const r = await readAll(t.file(name, text), { maxDecodedSize: 1_000_000 });
        const what = `${name} with a first line of ${size} bytes: ${JSON.stringify(r.bad)}`;
        assert.equal(r.format, format, what);
        assert.equal(r.reqs.length, 4 - bad, what);
        assert.equal(r.bad.length, bad, what);
        if (bad) assert.match(r.bad[0]!.reason, /^line longer than/);
      }
    }
  } finally {
    t.cleanup();
  }
});
