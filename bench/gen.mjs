// Deterministic synthetic capture generator for `npm run bench` (issue 6).
//
// Simulates HA pairs of Prometheus servers scraping node-exporter targets and remote-writing to
// a receiver that records every request in the rwcap format (SPEC 4.1):
//   - several tenants, each with one or more clusters; every cluster is an HA pair (two
//     replicas, external labels `cluster` and `__replica__`) scraping the same targets, each
//     replica at its own scrape phase, so the twins' timestamps differ by a few hundred ms;
//   - one shard per replica, max_samples_per_send 500 (a request holds up to 500 series of one
//     sample each, as real 2.x traffic does), batch_send_deadline 5s for the partial tail;
//   - a metadata-only request per replica every minute (as Prometheus sends);
//   - outages: a replica goes silent (no scrapes, no sends) for longer than the 30s failover
//     timeout, and short blips under it; the first outage of every cluster hits the replica that
//     started first (the one elected), so every capture has at least one failover per cluster;
//   - receive times from a simulated send latency; records written in receive order;
//   - snappy bodies (snappyjs, as Prometheus' Go snappy block format), CRC-32 set.
// Everything comes from a seeded PRNG: the same parameters give byte-identical files.
//
// Presets: tiny, small, medium, large (fixture-like traffic, ~10^4 to ~10^7 samples), and for
// issue 18 (scale) card-1e4, card-1e5, card-1e6 (the same ~4 M samples at 10^4, 10^5 and 10^6
// distinct series: one cluster of more and more 516-series targets, no outages) and
// clusters-10k (10,000 clusters in 1,000 tenants, ~100k series, ~3.4 M samples).
//
// CLI: node bench/gen.mjs <preset...|--all> [--out DIR]

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import snappy from 'snappyjs';
import { targetMetadata, targetSeries } from './lib/catalog.mjs';
import { encodeCaptured, encodeLabels, Writer } from './lib/pb.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = join(HERE, 'data');

const TENANT_NAMES = ['team-infra', 'team-platform', 'team-data', 'team-edge', 'team-ml', 'team-web'];
const CLUSTER_NAMES = ['eu-west-1', 'us-east-1', 'ap-south-1', 'eu-central-1', 'us-west-2', 'sa-east-1', 'ca-central-1', 'af-south-1'];

const BASE = {
  seed: 'ha-dedup-bench/1',
  startMs: 1795546500000, // 2026-11-24T18:55:00Z, the fixture's day
  replicas: ['prometheus-0', 'prometheus-1'],
  job: 'node',
  scrapeIntervalMs: 15000,
  maxSamplesPerSend: 500,
  batchSendDeadlineMs: 5000,
  metadataIntervalMs: 60000,
  sendLatencyMs: [10, 45],
  outages: {
    firstAtFraction: 0.3, // first outage of each cluster, on the replica elected first
    firstMs: [45000, 120000],
    meanEveryMs: 20 * 60000, // then per replica, on average
    longMs: [40000, 180000],
    blipShare: 0.3, // share of later outages that are shorter than the failover timeout
    blipMs: [5000, 25000],
  },
};

// Issue 18: the same sample count at growing cardinality. One cluster of 516-series targets (the
// small/medium shape), more of them; no outages, so the three captures carry the same number of
// samples and differ only in how many distinct series they hold (at 10^6 series that is two
// scrapes per replica: 30 s of traffic). `addressing: 'wide'` gives every target a valid address
// beyond 246 targets per cluster or 256 clusters (the original scheme's limits).
const CARDINALITY = {
  ...BASE,
  outages: null,
  targetSamples: 4000000,
  clusters: [1],
  addressing: 'wide',
  shape: { cpus: 4, disks: 2, filesystems: 3, netDevices: 3 },
};

// Issue 18: many small clusters. 1,000 tenants of 10 clusters, each an HA pair scraping one target
// whose remote write keeps 10 series (a `write_relabel_configs` keep list, as an edge fleet that
// forwards a few key series would): ~100k distinct series, with the usual outages (a failover
// in every cluster).
const CLUSTER_FLEET_KEEP = [
  'node_filesystem_avail_bytes', 'node_load1', 'node_load15', 'node_load5', 'node_memory_MemAvailable_bytes',
  'node_memory_MemTotal_bytes', 'scrape_duration_seconds', 'scrape_samples_scraped', 'up',
];

/** Generator parameters per size. `clusters` lists the number of clusters of each tenant. */
export const PRESETS = {
  tiny: { ...BASE, targetSamples: 30000, clusters: [1, 1], instancesPerCluster: 1, shape: { cpus: 4, disks: 2, filesystems: 2, netDevices: 3 } },
  small: { ...BASE, targetSamples: 100000, clusters: [2, 1], instancesPerCluster: 1, shape: { cpus: 4, disks: 2, filesystems: 3, netDevices: 3 } },
  medium: { ...BASE, targetSamples: 1000000, clusters: [2, 2, 1], instancesPerCluster: 2, shape: { cpus: 4, disks: 2, filesystems: 3, netDevices: 3 } },
  large: { ...BASE, targetSamples: 10000000, clusters: [2, 2, 2], instancesPerCluster: 4, shape: { cpus: 8, disks: 2, filesystems: 4, netDevices: 4 } },
  'card-1e4': { ...CARDINALITY, instancesPerCluster: 20 }, // 10,320 series
  'card-1e5': { ...CARDINALITY, instancesPerCluster: 194 }, // 100,104 series
  'card-1e6': { ...CARDINALITY, instancesPerCluster: 1938 }, // 1,000,008 series
  'clusters-10k': {
    ...BASE,
    targetSamples: 4000000,
    clusters: Array(1000).fill(10),
    instancesPerCluster: 1,
    addressing: 'wide',
    shape: { cpus: 1, disks: 1, filesystems: 2, netDevices: 1, keep: CLUSTER_FLEET_KEEP },
  },
};

/** Tenant name of the ti-th tenant: the six team names, then numbered ones (`team-data-17`). */
export function tenantName(ti) {
  const base = TENANT_NAMES[ti % TENANT_NAMES.length];
  return ti < TENANT_NAMES.length ? base : `${base}-${Math.floor(ti / TENANT_NAMES.length)}`;
}

/** Cluster name of the ci-th cluster of the capture: the eight regions, then numbered ones (`us-east-1-k8s-12`). */
export function clusterName(ci) {
  const base = CLUSTER_NAMES[ci % CLUSTER_NAMES.length];
  return ci < CLUSTER_NAMES.length ? base : `${base}-k8s-${Math.floor(ci / CLUSTER_NAMES.length)}`;
}

/**
 * Address of target i of cluster ci. The original scheme (`10.<ci>.<i/256>.<i%256+10>`) keeps the
 * first presets' bytes; 'wide' numbers targets through the whole capture, every octet valid.
 */
export function instanceAddress(p, ci, i) {
  if (p.addressing !== 'wide') return `10.${ci}.${i >> 8}.${(i & 255) + 10}:9100`;
  const n = ci * p.instancesPerCluster + i;
  return `10.${Math.floor(n / 61440) % 256}.${Math.floor(n / 240) % 256}.${10 + (n % 240)}:9100`;
}

// ---------------------------------------------------------------------------------------------
// deterministic randomness

function hash32(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for test data; seeded from a string. */
export function rng(seedStr) {
  let a = hash32(seedStr);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.range = (lo, hi) => lo + (hi - lo) * next();
  next.int = (lo, hi) => Math.floor(lo + (hi - lo + 1) * next());
  return next;
}

// ---------------------------------------------------------------------------------------------
// parameters, hash, cache

const SOURCES = ['gen.mjs', 'lib/catalog.mjs', 'lib/pb.mjs'];

/** Hash of the parameters and of the generator's own source: a new file whenever either changes. */
export function paramsHash(params) {
  const h = createHash('sha256');
  h.update(JSON.stringify(params));
  for (const f of SOURCES) h.update(readFileSync(join(HERE, f)));
  return h.digest('hex').slice(0, 12);
}

/** Path of the cached capture for a preset; generates it (and its .json stats) when missing. */
export function ensureCapture(preset, { dir = DATA_DIR, log = () => {} } = {}) {
  const params = typeof preset === 'string' ? PRESETS[preset] : preset;
  if (!params) throw new Error(`unknown preset ${preset}`);
  const name = typeof preset === 'string' ? preset : 'custom';
  const file = join(dir, `${name}-${paramsHash(params)}.rwcap`);
  const statsFile = file.replace(/\.rwcap$/, '.json');
  if (existsSync(file) && existsSync(statsFile)) return { file, stats: JSON.parse(readFileSync(statsFile, 'utf8')), cached: true };
  mkdirSync(dir, { recursive: true });
  log(`generating ${file} ...`);
  const t0 = process.hrtime.bigint();
  const stats = generate(params, file);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  log(`  ${stats.samples} samples in ${stats.requests} requests, ${(stats.bytes / 1e6).toFixed(1)} MB, ${secs.toFixed(1)}s`);
  writeFileSync(statsFile, JSON.stringify(stats, null, 2) + '\n');
  return { file, stats, cached: false };
}

// ---------------------------------------------------------------------------------------------
// the model

/** Value of a series at time t (ms): a pure function, so both replicas see the same target. */
function valueModel(r, name, kind) {
  if (kind === 'const') {
    if (name.endsWith('_info') || name === 'up' || name === 'node_scrape_collector_success') return () => 1;
    const v = r() < 0.4 ? 0 : Math.round(r.range(1, 1e6));
    return () => v;
  }
  if (kind === 'counter') {
    const base = Math.round(r.range(0, 1e7));
    const rate = Math.exp(r.range(Math.log(0.01), Math.log(5e5))); // per second
    const whole = rate > 50;
    return (t) => {
      const v = base + (rate * t) / 1000;
      return whole ? Math.floor(v) : Math.round(v * 100) / 100;
    };
  }
  const base = r.range(0, 1e9) * (r() < 0.5 ? 1e-6 : 1);
  const amp = base * r.range(0.01, 0.2);
  const period = r.range(300000, 3600000);
  const phase = r.range(0, 2 * Math.PI);
  return (t) => Math.round((base + amp * Math.sin((2 * Math.PI * t) / period + phase)) * 1000) / 1000;
}

/** Down windows [from, to) of each replica of a cluster. */
function planOutages(p, r, durationMs, startMs) {
  const o = p.outages;
  const windows = p.replicas.map(() => []);
  if (!o) return windows;
  const overlaps = (from, to) => windows.some((ws) => ws.some(([a, b]) => from < b + 60000 && to + 60000 > a));
  const firstFrom = startMs + Math.round(durationMs * o.firstAtFraction);
  windows[0].push([firstFrom, firstFrom + Math.round(r.range(o.firstMs[0], o.firstMs[1]))]);
  for (let ri = 0; ri < p.replicas.length; ri++) {
    let t = startMs + 120000;
    for (;;) {
      t += Math.round(-Math.log(1 - r()) * o.meanEveryMs);
      if (t >= startMs + durationMs - 60000) break;
      const blip = r() < o.blipShare;
      const len = Math.round(blip ? r.range(o.blipMs[0], o.blipMs[1]) : r.range(o.longMs[0], o.longMs[1]));
      if (!overlaps(t, t + len)) windows[ri].push([t, t + len]);
      t += len;
    }
    windows[ri].sort((a, b) => a[0] - b[0]);
  }
  return windows;
}

/**
 * Each series' labels without the replica label, encoded once per cluster (both replicas share
 * them), sorted by name as Prometheus sends them, with the length of the leading `__name__` entry:
 * the replica label (`__replica__`, which sorts right after `__name__`) is written at that cut.
 */
function clusterLabelBytes(p, cluster, entries) {
  // one encoded Label entry per distinct (name, value): only `instance` differs between targets
  const entry = (pair) => {
    const key = `${pair[0]}\u0000${pair[1]}`;
    let e = entries.get(key);
    if (!e) entries.set(key, (e = encodeLabels([pair])));
    return e;
  };
  return cluster.targets.map((tg) =>
    tg.series.map(([name, dims]) => {
      const pairs = [['__name__', name], ['cluster', cluster.name], ...dims, ['instance', tg.instance], ['job', p.job]];
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      if (pairs[0][0] !== '__name__' || (pairs.length > 1 && pairs[1][0] < '__replica__')) throw new Error(`label sorting before __replica__ in ${name}`);
      const parts = pairs.map(entry);
      return { bytes: Buffer.concat(parts), cut: parts[0].length };
    }),
  );
}

/**
 * One replica's sender: yields its requests in receive order.
 * cluster = { tenant, name, targets: [{ instance, series: [[name, dims, kind]], values: [fn] }], labelBytes }
 */
function* replicaSender(p, cluster, ri, phases, down, endMs, metadataBody, r) {
  const replica = p.replicas[ri];
  const replicaLabel = encodeLabels([['__replica__', replica]]);
  const labelBytes = cluster.labelBytes;
  const isDown = (t) => down.some(([a, b]) => t >= a && t < b);
  const downStartIn = (from, to) => down.find(([a]) => a > from && a <= to);
  const headers = { 'user-agent': 'Prometheus/2.42.0', 'x-prometheus-remote-write-version': '0.1.0' };
  const remoteAddr = `10.${20 + ri}.${hash32(cluster.tenant + cluster.name) % 250}.${10 + ri}`;

  // (sized for a full batch of this cluster's series: 20,000 senders of 128 KiB each would be 2.6 GB;
  // the writer grows when needed)
  const batchSeries = Math.min(p.maxSamplesPerSend, cluster.targets.reduce((n, tg) => n + tg.series.length, 0));
  const body = new Writer(Math.min(1 << 17, 512 * batchSeries));
  const ts = new Writer(512);
  let queued = 0;
  let firstAppend = 0;
  let lastReceived = 0;

  const make = (at, bytes, samples, series) => {
    const receivedAtMs = Math.max(lastReceived + 1, Math.round(at));
    lastReceived = receivedAtMs;
    return {
      receivedAtMs,
      tenant: cluster.tenant,
      contentType: 'application/x-protobuf',
      contentEncoding: 'snappy',
      body: bytes,
      headers,
      remoteAddr: `${remoteAddr}:${40000 + (hash32(replica + receivedAtMs) % 20000)}`,
      path: '/api/v1/push',
      samples,
      series,
      cluster: cluster.name,
      replica,
    };
  };
  const flush = (at) => {
    const req = make(at, snappy.compress(body.bytes()), queued, queued);
    body.reset();
    queued = 0;
    return req;
  };

  // events: scrapes (round k, target i) and metadata sends, in time order
  const order = phases.map((ph, i) => [ph, i]).sort((a, b) => a[0] - b[0]);
  const metaPhase = Math.round(r.range(0, p.metadataIntervalMs));
  let nextMeta = p.startMs + metaPhase;
  const latency = () => r.range(p.sendLatencyMs[0], p.sendLatencyMs[1]);
  // Emit, in time order, every metadata send and partial-batch flush (at the batch deadline, or
  // when the process stops) due at or before t.
  function* advanceTo(t) {
    for (;;) {
      let flushAt = Infinity;
      if (queued > 0) {
        const deadline = firstAppend + p.batchSendDeadlineMs;
        const stop = downStartIn(firstAppend, deadline);
        flushAt = stop ? stop[0] : deadline;
      }
      const metaAt = nextMeta < endMs ? nextMeta : Infinity;
      const at = Math.min(flushAt, metaAt);
      if (at === Infinity || at > t) return;
      if (flushAt <= metaAt) {
        yield flush(flushAt + latency());
      } else {
        if (!isDown(metaAt)) yield make(metaAt + latency(), metadataBody, 0, 0);
        nextMeta += p.metadataIntervalMs;
      }
    }
  }
  for (let k = 0; ; k++) {
    const roundStart = p.startMs + k * p.scrapeIntervalMs;
    if (roundStart >= endMs) break;
    for (const [ph, i] of order) {
      const t = roundStart + ph;
      yield* advanceTo(t);
      if (isDown(t) || t >= endMs) continue;
      const tg = cluster.targets[i];
      const scrapeMs = r.range(8, 40); // scrape duration: samples are appended after it
      for (let s = 0; s < tg.series.length; s++) {
        if (queued === 0) firstAppend = t + scrapeMs;
        const v = tg.values[s](t - p.startMs);
        ts.reset();
        if (v !== 0) {
          ts.byte(0x09);
          ts.double(v);
        }
        ts.byte(0x10);
        ts.uvarint(t);
        const { bytes: lb, cut } = labelBytes[i][s];
        body.byte(0x0a);
        body.uvarint(lb.length + replicaLabel.length + 2 + ts.pos);
        body.ensure(lb.length + replicaLabel.length);
        body.pos += lb.copy(body.buf, body.pos, 0, cut);
        body.raw(replicaLabel);
        body.pos += lb.copy(body.buf, body.pos, cut);
        body.byte(0x12);
        body.uvarint(ts.pos);
        body.raw(ts.bytes());
        queued++;
        if (queued === p.maxSamplesPerSend) yield flush(t + scrapeMs + latency());
      }
    }
  }
  yield* advanceTo(Infinity);
}

/**
 * What a preset will hold, without generating it: series per target, clusters, distinct series
 * (label sets without the replica label), scrape rounds, duration, and the samples it would carry
 * without outages (`samples` in the stats is that minus what the outages silence).
 */
export function plan(params) {
  const p = params;
  const perTarget = targetSeries(p.shape).length;
  const nClusters = p.clusters.reduce((a, b) => a + b, 0);
  const uniqueSeries = nClusters * p.instancesPerCluster * perTarget;
  const perRound = uniqueSeries * p.replicas.length;
  const rounds = Math.ceil(p.targetSamples / perRound);
  return { perTarget, tenants: p.clusters.length, nClusters, uniqueSeries, rounds, durationMs: rounds * p.scrapeIntervalMs, samplesWithoutOutages: rounds * perRound };
}

/**
 * The senders' next requests as a binary min-heap on (receive time, sender index): the earliest
 * request first, ties in sender order (the order a scan of every sender would give, at a cost
 * that does not grow with the number of senders: clusters-10k has 20,000).
 */
export class SenderQueue {
  constructor(heads) {
    this.heads = heads;
    this.heap = [];
    for (let i = 0; i < heads.length; i++) if (!heads[i].done) this.heap.push(i);
    for (let k = (this.heap.length >> 1) - 1; k >= 0; k--) this.down(k);
  }
  before(a, b) {
    const ta = this.heads[a].value.receivedAtMs;
    const tb = this.heads[b].value.receivedAtMs;
    return ta < tb || (ta === tb && a < b);
  }
  /** Index of the sender whose request comes next, -1 when all are done. */
  first() {
    return this.heap.length ? this.heap[0] : -1;
  }
  /** heads[first()] was replaced by that sender's next request (or done). */
  replaced(i) {
    if (this.heap[0] !== i) throw new Error('SenderQueue: only the first sender advances');
    if (this.heads[i].done) {
      const last = this.heap.pop();
      if (this.heap.length === 0) return;
      this.heap[0] = last;
    }
    this.down(0);
  }
  down(k) {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) return;
      const c = l + 1 < n && this.before(h[l + 1], h[l]) ? l + 1 : l;
      if (!this.before(h[c], h[k])) return;
      [h[c], h[k]] = [h[k], h[c]];
      k = c;
    }
  }
}

/** Generate the capture for `params` into `outPath` (atomically). Returns its stats. */
export function generate(params, outPath) {
  const p = params;
  const r = rng(p.seed);
  const { perTarget, nClusters, durationMs } = plan(p);
  const endMs = p.startMs + durationMs;

  const metaW = new Writer(1 << 15);
  const mm = new Writer(256);
  for (const m of targetMetadata(targetSeries(p.shape))) {
    mm.reset();
    mm.uvarint(1 << 3);
    mm.uvarint(m.type);
    mm.strField(2, m.name);
    mm.strField(4, m.help);
    metaW.lenField(3, mm.bytes());
  }
  const metadataBody = snappy.compress(metaW.copy());

  const senders = [];
  const outages = [];
  const clusters = [];
  let ci = 0;
  const series = targetSeries(p.shape); // the same for every target (not modified)
  const labelEntries = new Map(); // encoded Label entries, shared by every cluster of this capture
  p.clusters.forEach((count, ti) => {
    const tenant = tenantName(ti);
    for (let c = 0; c < count; c++, ci++) {
      const name = clusterName(ci);
      const cr = rng(`${p.seed}/${tenant}/${name}`);
      const targets = [];
      for (let i = 0; i < p.instancesPerCluster; i++) {
        const instance = instanceAddress(p, ci, i);
        const vr = rng(`${p.seed}/${tenant}/${name}/${instance}`);
        targets.push({ instance, series, values: series.map(([n, , kind]) => valueModel(vr, n, kind)) });
      }
      // scrape phase per (replica, target): replica 0 first, the other a few hundred ms to 3s later
      const phases0 = targets.map(() => Math.round(cr.range(0, p.scrapeIntervalMs - 3500)));
      const phases = p.replicas.map((_, ri) => (ri === 0 ? phases0 : phases0.map((ph) => ph + Math.round(cr.range(100, 3000)))));
      const down = planOutages(p, cr, durationMs, p.startMs);
      const cluster = { tenant, name, targets };
      cluster.labelBytes = clusterLabelBytes(p, cluster, labelEntries);
      clusters.push({ tenant, cluster: name, instances: targets.map((t) => t.instance) });
      p.replicas.forEach((replica, ri) => {
        for (const [from, to] of down[ri]) outages.push({ tenant, cluster: name, replica, fromMs: from, toMs: to, ms: to - from });
        senders.push(replicaSender(p, cluster, ri, phases[ri], down[ri], endMs, metadataBody, rng(`${p.seed}/${tenant}/${name}/${replica}`)));
      });
    }
  });

  // merge the senders by receive time (ties: sender order) and write
  const tmp = `${outPath}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  const out = new Writer(1 << 22);
  out.raw(Buffer.from('RWCAP1\n', 'latin1'));
  const heads = senders.map((s) => s.next());
  const queue = new SenderQueue(heads);
  const stats = { requests: 0, metadataRequests: 0, samples: 0, series: 0, bodyBytes: 0, firstReceivedMs: 0, lastReceivedMs: 0, perReplica: {} };
  let written = 0;
  try {
    for (;;) {
      const best = queue.first();
      if (best < 0) break;
      const req = heads[best].value;
      heads[best] = senders[best].next();
      queue.replaced(best);
      encodeCaptured(out, req);
      stats.requests++;
      if (req.series === 0) stats.metadataRequests++;
      stats.samples += req.samples;
      stats.series += req.series;
      stats.bodyBytes += req.body.length;
      if (!stats.firstReceivedMs) stats.firstReceivedMs = req.receivedAtMs;
      stats.lastReceivedMs = req.receivedAtMs;
      const key = `${req.tenant}/${req.cluster}/${req.replica}`;
      const pr = (stats.perReplica[key] ??= { requests: 0, samples: 0 });
      pr.requests++;
      pr.samples += req.samples;
      if (out.pos > 1 << 21) {
        writeSync(fd, out.bytes());
        written += out.pos;
        out.reset();
      }
    }
    writeSync(fd, out.bytes());
    written += out.pos;
    closeSync(fd);
    renameSync(tmp, outPath);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  return {
    generator: 'bench/gen.mjs',
    hash: paramsHash(p),
    params: p,
    seriesPerTarget: perTarget,
    uniqueSeries: plan(p).uniqueSeries,
    durationMs,
    ...stats,
    bytes: written,
    tenants: [...new Set(clusters.map((c) => c.tenant))],
    clusters,
    outages: outages.sort((a, b) => a.fromMs - b.fromMs),
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const dir = outIdx >= 0 ? args[outIdx + 1] : DATA_DIR;
  const names = args.includes('--all') ? Object.keys(PRESETS) : args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
  if (!names.length) {
    console.error(`usage: node bench/gen.mjs <${Object.keys(PRESETS).join('|')}>... | --all [--out DIR]`);
    process.exit(2);
  }
  for (const n of names) {
    if (!PRESETS[n]) {
      console.error(`unknown preset ${n} (one of ${Object.keys(PRESETS).join(', ')})`);
      process.exit(2);
    }
    const { file, stats, cached } = ensureCapture(n, { dir, log: (m) => console.error(m) });
    console.log(`${file}${cached ? ' (cached)' : ''}: ${stats.samples} samples, ${stats.requests} requests, ${stats.outages.length} outages`);
  }
}
