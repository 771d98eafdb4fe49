// The bench capture generator (bench/gen.mjs) is deterministic and writes what it claims: decoded
// independently with protobufjs (bench/lib/proto.mjs), the tiny preset must be a valid rwcap file
// of node-exporter-like HA traffic with outages longer than the failover timeout, and its stats
// sidecar must match the content. No timing assertions here (SPEC 11: the bench measures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import snappy from 'snappyjs';
// @ts-ignore -- plain ESM without types
import { generate, PRESETS, paramsHash, ensureCapture } from '../../bench/gen.mjs';
// @ts-ignore -- plain ESM without types
import { buildTypes, rwcapRecords } from '../../bench/lib/proto.mjs';

const FAILOVER_TIMEOUT_MS = 30000;
const { WriteRequest, CapturedRequest } = buildTypes();
const opts = { longs: Number, defaults: true, bytes: Buffer };

interface Decoded {
  receivedAtMs: number;
  tenant: string;
  contentType: string;
  contentEncoding: string;
  body: Buffer;
  crc: number;
  headers: Record<string, string>;
  path: string;
  series: { labels: [string, string][]; samples: { value: number; timestamp: number }[] }[];
  metadata: number;
}

function decodeAll(buf: Buffer): Decoded[] {
  const out: Decoded[] = [];
  for (const [, rec] of rwcapRecords(buf)) {
    const c = CapturedRequest.toObject(CapturedRequest.decode(rec), opts);
    const w = WriteRequest.toObject(WriteRequest.decode(snappy.uncompress(c.body)), opts);
    out.push({
      receivedAtMs: c.received_at_ms,
      tenant: c.tenant,
      contentType: c.content_type,
      contentEncoding: c.content_encoding,
      body: c.body,
      crc: c.body_crc32,
      headers: c.headers,
      path: c.path,
      series: w.timeseries.map((ts: any) => ({ labels: ts.labels.map((l: any) => [l.name, l.value]), samples: ts.samples })),
      metadata: w.metadata.length,
    });
  }
  return out;
}

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ha-dedup-bench-gen-'));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('same parameters give byte-identical captures; another seed gives another one', () => {
  const a = join(tmp(), 'a.rwcap');
  const b = join(tmp(), 'b.rwcap');
  const c = join(tmp(), 'c.rwcap');
  const sa = generate(PRESETS.tiny, a);
  const sb = generate(PRESETS.tiny, b);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  assert.deepEqual(sa, sb);
  const other = { ...PRESETS.tiny, seed: 'another seed' };
  generate(other, c);
  assert.ok(!readFileSync(a).equals(readFileSync(c)));
  assert.equal(paramsHash(PRESETS.tiny), paramsHash({ ...PRESETS.tiny }));
  assert.notEqual(paramsHash(PRESETS.tiny), paramsHash(other));
});

test('ensureCapture caches by parameter hash', () => {
  const dir = tmp();
  const first = ensureCapture('tiny', { dir });
  const second = ensureCapture('tiny', { dir });
  assert.equal(first.cached, false);
  assert.equal(second.cached, true);
  assert.equal(first.file, second.file);
  assert.ok(first.file.includes(paramsHash(PRESETS.tiny)));
  assert.deepEqual(first.stats, second.stats);
});

test('the tiny capture is realistic HA remote-write traffic and matches its stats', () => {
  const file = join(tmp(), 'tiny.rwcap');
  const stats = generate(PRESETS.tiny, file);
  const buf = readFileSync(file);
  assert.equal(buf.subarray(0, 7).toString('latin1'), 'RWCAP1\n');
  assert.equal(stats.bytes, buf.length);
  const reqs = decodeAll(buf);
  assert.equal(reqs.length, stats.requests);

  let samples = 0;
  let prevReceived = 0;
  let full = 0;
  let metadataOnly = 0;
  const names = new Set<string>();
  const labelNames = new Set<string>();
  // (tenant/cluster/replica) -> sample timestamps; and per (tenant/cluster) -> replica -> label sets
  const times = new Map<string, number[]>();
  const setsByReplica = new Map<string, Map<string, Set<string>>>();
  const perReplica: Record<string, { requests: number; samples: number }> = {};
  for (const r of reqs) {
    assert.ok(r.receivedAtMs >= prevReceived, 'records are in receive order');
    prevReceived = r.receivedAtMs;
    assert.equal(r.contentType, 'application/x-protobuf');
    assert.equal(r.contentEncoding, 'snappy');
    assert.equal(r.path, '/api/v1/push');
    assert.equal(r.headers['x-prometheus-remote-write-version'], '0.1.0');
    assert.ok(stats.tenants.includes(r.tenant));
    assert.equal(r.crc, zlib.crc32(r.body), 'body_crc32 is the IEEE CRC-32 of the body');
    assert.ok(r.series.length <= 500);
    if (r.series.length === 500) full++;
    if (r.series.length === 0) {
      assert.ok(r.metadata > 100, 'a request without series carries metadata');
      metadataOnly++;
      continue;
    }
    let reqKey = '';
    for (const s of r.series) {
      assert.equal(s.samples.length, 1, 'one sample per series, as Prometheus sends');
      samples++;
      const ln = s.labels.map((l) => l[0]);
      assert.deepEqual(ln, [...ln].sort(), 'labels sorted by name');
      assert.equal(new Set(ln).size, ln.length);
      for (const n of ['__name__', '__replica__', 'cluster', 'instance', 'job']) assert.ok(ln.includes(n), `series has ${n}`);
      ln.forEach((n) => labelNames.add(n));
      const get = (n: string) => s.labels.find((l) => l[0] === n)![1];
      names.add(get('__name__'));
      const key = `${r.tenant}/${get('cluster')}/${get('__replica__')}`;
      if (!reqKey) reqKey = key;
      assert.equal(key, reqKey, 'one request comes from one replica of one cluster');
      const t = times.get(key) ?? [];
      t.push(s.samples[0]!.timestamp);
      times.set(key, t);
      const ck = `${r.tenant}/${get('cluster')}`;
      const byRep = setsByReplica.get(ck) ?? new Map<string, Set<string>>();
      const set = byRep.get(get('__replica__')) ?? new Set<string>();
      set.add(JSON.stringify(s.labels.filter((l) => l[0] !== '__replica__')));
      byRep.set(get('__replica__'), set);
      setsByReplica.set(ck, byRep);
    }
    const pr = (perReplica[reqKey] ??= { requests: 0, samples: 0 });
    pr.requests++;
    pr.samples += r.series.length;
  }
  assert.equal(samples, stats.samples);
  assert.equal(metadataOnly, stats.metadataRequests);
  assert.ok(metadataOnly > 0);
  assert.ok(full > 0, 'some requests are full (500 series)');
  for (const [k, v] of Object.entries(perReplica)) assert.equal(v.samples, stats.perReplica[k].samples, k);

  // node-exporter-like label sets
  for (const n of ['node_cpu_seconds_total', 'node_network_receive_bytes_total', 'node_filesystem_avail_bytes', 'node_memory_MemAvailable_bytes', 'up']) assert.ok(names.has(n), n);
  for (const n of ['cpu', 'mode', 'device', 'mountpoint']) assert.ok(labelNames.has(n), n);
  assert.ok(stats.tenants.length >= 2);

  // every cluster: two replicas sending the same series, at slightly different timestamps
  assert.equal(setsByReplica.size, stats.clusters.length);
  for (const [ck, byRep] of setsByReplica) {
    assert.equal(byRep.size, 2, `${ck} has two replicas`);
    const [a, b] = [...byRep.values()];
    assert.deepEqual([...a!].sort(), [...b!].sort(), `${ck}: both replicas send the same series`);
    const [ta, tb] = [...byRep.keys()].map((rep) => new Set(times.get(`${ck}/${rep}`)));
    const common = [...ta!].filter((t) => tb!.has(t));
    assert.equal(common.length, 0, `${ck}: the replicas' timestamps differ`);
    const da = [...ta!].sort((x, y) => x - y);
    const db = [...tb!].sort((x, y) => x - y);
    const nearest = Math.min(...da.map((t) => Math.min(...db.map((u) => Math.abs(u - t)))));
    assert.ok(nearest < 5000, `${ck}: twins are close in time (${nearest} ms)`);
  }

  // outages: for each one the stats list, the replica's samples have a hole covering it, and
  // every cluster has one longer than the failover timeout
  assert.ok(stats.outages.length >= stats.clusters.length);
  for (const c of stats.clusters) {
    assert.ok(stats.outages.some((o: any) => o.tenant === c.tenant && o.cluster === c.cluster && o.ms > FAILOVER_TIMEOUT_MS), `${c.cluster} has a long outage`);
  }
  for (const o of stats.outages) {
    const t = times.get(`${o.tenant}/${o.cluster}/${o.replica}`)!;
    assert.ok(!t.some((x) => x >= o.fromMs && x < o.toMs), `no samples inside ${JSON.stringify(o)}`);
    const sorted = [...new Set(t)].sort((x, y) => x - y);
    const maxGap = Math.max(...sorted.slice(1).map((x, i) => x - sorted[i]!));
    if (o.ms > FAILOVER_TIMEOUT_MS) assert.ok(maxGap > FAILOVER_TIMEOUT_MS, `${o.replica} of ${o.cluster} is silent > failover timeout`);
  }
});

test('the product reads the generated capture with the counts the generator wrote', () => {
  const file = join(tmp(), 'tiny.rwcap');
  const stats = generate(PRESETS.tiny, file);
  const r = spawnSync(process.execPath, ['bin/ha-dedup', 'inspect', '--json', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.inputs[0].records, stats.requests);
  assert.equal(j.inputs[0].bad_records, 0);
  let n = 0;
  for (const t of j.tenants) {
    for (const c of t.clusters) {
      for (const rep of c.replicas) {
        assert.equal(rep.samples, stats.perReplica[`${t.tenant}/${c.cluster}/${rep.replica}`].samples);
        n += rep.samples;
      }
    }
  }
  assert.equal(n, stats.samples);
});
