// The bench capture generator (bench/gen.mjs) is deterministic and writes what it claims: decoded
// independently with protobufjs (bench/lib/proto.mjs), the tiny preset must be a valid rwcap file
// of node-exporter-like HA traffic with outages longer than the failover timeout, and its stats
// sidecar must match the content. No timing assertions here (SPEC 11: the bench measures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import snappy from 'snappyjs';
// @ts-ignore -- plain ESM without types
import { generate, PRESETS, paramsHash, ensureCapture, plan, tenantName, clusterName, instanceAddress, rng, SenderQueue } from '../../bench/gen.mjs';
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

// ---------------------------------------------------------------------------------------------
// issue 18: captures at scale (cardinality, many clusters)

// sha-256 of the round-1 generator's tiny and small captures: the presets that existed before
// the issue-18 ones must keep their bytes (the bench's earlier numbers were measured on them)
const ROUND1_SHA256: Record<string, string> = {
  tiny: '56f0163b69f58a541cab386c46f29bce173e457d52b62fd3193397c9a0a4ab69',
  small: '2f81bd643fd26cb895ddcb3ee8eae493842a9cc70bf7cdf151086600a7ca0544',
};

test('the round-1 presets keep their bytes', () => {
  for (const [name, sha] of Object.entries(ROUND1_SHA256)) {
    const file = join(tmp(), `${name}.rwcap`);
    generate(PRESETS[name], file);
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), sha, name);
  }
});

test('the issue-18 presets: the same samples at 10^4, 10^5 and 10^6 series; 10k clusters in 1k tenants', () => {
  const card = ['card-1e4', 'card-1e5', 'card-1e6'].map((n) => plan(PRESETS[n]));
  card.forEach((c: any, k: number) => {
    const want = 10 ** (4 + k);
    assert.ok(Math.abs(c.uniqueSeries - want) / want < 0.035, `card-1e${4 + k}: ${c.uniqueSeries} series`);
    assert.equal(c.nClusters, 1);
    assert.ok(Math.abs(c.samplesWithoutOutages - 4e6) / 4e6 < 0.01, `${c.samplesWithoutOutages} samples`);
  });
  for (const n of ['card-1e4', 'card-1e5', 'card-1e6']) assert.equal(PRESETS[n].outages, null, `${n}: no outages, so every sample is written`);
  const fleet = plan(PRESETS['clusters-10k']);
  assert.equal(fleet.tenants, 1000);
  assert.equal(fleet.nClusters, 10000);
  assert.equal(fleet.uniqueSeries, 100000);
  assert.equal(fleet.perTarget, 10);
});

test('names and addresses stay distinct and valid at any count', () => {
  const tenants = new Set(Array.from({ length: 1000 }, (_, i) => tenantName(i)));
  assert.equal(tenants.size, 1000);
  assert.equal(tenantName(0), 'team-infra');
  const clusters = new Set(Array.from({ length: 10000 }, (_, i) => clusterName(i)));
  assert.equal(clusters.size, 10000);
  assert.equal(clusterName(1), 'us-east-1');
  for (const [p, n] of [[PRESETS['card-1e6'], 1938], [PRESETS['clusters-10k'], 1]] as [any, number][]) {
    const nClusters = p.clusters.reduce((a: number, b: number) => a + b, 0);
    const seen = new Set<string>();
    for (let ci = 0; ci < nClusters; ci++) {
      for (let i = 0; i < n; i++) {
        const a = instanceAddress(p, ci, i);
        const m = /^10\.(\d+)\.(\d+)\.(\d+):9100$/.exec(a);
        assert.ok(m && m.slice(1).every((o) => Number(o) <= 255), a);
        seen.add(a);
      }
    }
    assert.equal(seen.size, nClusters * n);
  }
  // the original scheme where it is valid (the round-1 presets' bytes)
  assert.equal(instanceAddress(PRESETS.small, 2, 0), '10.2.0.10:9100');
});

test('SenderQueue yields what a scan of every sender would: earliest first, ties in sender order', () => {
  const r = rng('queue');
  const lists = Array.from({ length: 40 }, () => {
    let t = 0;
    return Array.from({ length: r.int(0, 30) }, () => (t += r.int(0, 3)));
  });
  const mk = () => lists.map((l) => l[Symbol.iterator]());
  const scan = () => {
    const its = mk();
    const heads = its.map((it) => it.next());
    const out: string[] = [];
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) if (!heads[i].done && (best < 0 || heads[i].value < heads[best].value)) best = i;
      if (best < 0) return out;
      out.push(`${best}@${heads[best].value}`);
      heads[best] = its[best].next();
    }
  };
  const viaQueue = () => {
    const its = mk();
    const heads = its.map((it) => {
      const n = it.next();
      return n.done ? n : { done: false, value: { receivedAtMs: n.value } };
    });
    const q = new SenderQueue(heads);
    const out: string[] = [];
    for (;;) {
      const best = q.first();
      if (best < 0) return out;
      out.push(`${best}@${heads[best]!.value!.receivedAtMs}`);
      const n = its[best].next();
      heads[best] = n.done ? n : { done: false, value: { receivedAtMs: n.value } };
      q.replaced(best);
    }
  };
  const want = scan();
  assert.ok(want.length > 300);
  assert.deepEqual(viaQueue(), want);
});

test('a cardinality capture (scaled down): every series in every round from both replicas, as many samples as planned', () => {
  const params = { ...PRESETS['card-1e4'], instancesPerCluster: 6, targetSamples: 3 * 2 * 6 * 516 };
  const p = plan(params);
  assert.equal(p.rounds, 3);
  const file = join(tmp(), 'card.rwcap');
  const stats = generate(params, file);
  assert.equal(stats.outages.length, 0);
  assert.equal(stats.samples, p.samplesWithoutOutages);
  assert.equal(stats.uniqueSeries, 6 * 516);
  const reqs = decodeAll(readFileSync(file));
  const perSeries = new Map<string, number>(); // label set without replica -> samples
  const instances = new Set<string>();
  let samples = 0;
  for (const r of reqs) {
    for (const s of r.series) {
      const ln = s.labels.map((l) => l[0]);
      assert.deepEqual(ln, [...ln].sort(), 'labels sorted by name');
      assert.equal(ln[1], '__replica__');
      instances.add(s.labels.find((l) => l[0] === 'instance')![1]);
      const key = JSON.stringify(s.labels.filter((l) => l[0] !== '__replica__'));
      perSeries.set(key, (perSeries.get(key) ?? 0) + s.samples.length);
      samples += s.samples.length;
    }
  }
  assert.equal(samples, stats.samples);
  assert.equal(perSeries.size, stats.uniqueSeries, 'distinct series as the stats say');
  assert.ok([...perSeries.values()].every((n) => n === 2 * 3), 'each series: one sample per round per replica');
  assert.equal(instances.size, 6);
});

test('a many-clusters capture (scaled down): distinct tenants and clusters, 10 kept series each, a failover in every cluster', () => {
  const params = { ...PRESETS['clusters-10k'], clusters: Array(12).fill(10), targetSamples: 12 * 10 * 10 * 2 * 20 };
  const file = join(tmp(), 'fleet.rwcap');
  const stats = generate(params, file);
  assert.equal(stats.tenants.length, 12);
  assert.equal(stats.clusters.length, 120);
  assert.equal(new Set(stats.clusters.map((c: any) => `${c.tenant}/${c.cluster}`)).size, 120);
  assert.equal(new Set(stats.clusters.map((c: any) => c.cluster)).size, 120);
  assert.equal(stats.uniqueSeries, 1200);
  const reqs = decodeAll(readFileSync(file));
  const seriesPerCluster = new Map<string, Set<string>>();
  const names = new Set<string>();
  let samples = 0;
  for (const r of reqs) {
    if (r.series.length === 0) {
      assert.equal(r.metadata, PRESETS['clusters-10k'].shape.keep.length, 'metadata lists the kept families only');
      continue;
    }
    for (const s of r.series) {
      samples++;
      const get = (n: string) => s.labels.find((l) => l[0] === n)![1];
      names.add(get('__name__'));
      const k = `${r.tenant}/${get('cluster')}`;
      const set = seriesPerCluster.get(k) ?? new Set<string>();
      set.add(JSON.stringify(s.labels.filter((l) => l[0] !== '__replica__')));
      seriesPerCluster.set(k, set);
    }
  }
  assert.equal(samples, stats.samples);
  assert.deepEqual([...names].sort(), [...PRESETS['clusters-10k'].shape.keep].sort());
  assert.equal(seriesPerCluster.size, 120);
  for (const [k, set] of seriesPerCluster) assert.equal(set.size, 10, k);
  for (const c of stats.clusters) {
    assert.ok(stats.outages.some((o: any) => o.tenant === c.tenant && o.cluster === c.cluster && o.ms > FAILOVER_TIMEOUT_MS), `${c.cluster} has a long outage`);
  }
});
