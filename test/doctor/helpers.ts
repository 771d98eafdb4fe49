// Hand-made event streams for doctor's tests: a tiny SeriesCatalog, DecodedRequest columns built
// from plain series, HALabels read per SPEC 6.2, and a toy lane (a small Cortex tracker, SPEC
// 6.3 without jitter or cleanup) that turns requests into the events a real lane emits: begin,
// elections before the request they precede, request events with decisions, end. Enough to drive
// doctor's consumers and plan the way the engine (src/pipeline/, issue 15) will.
import type {
  Consumer,
  Decision,
  DecodedRequest,
  Election,
  ElectionEvent,
  HAConfig,
  HALabels,
  HAPair,
  Histogram,
  Label,
  Metadata,
  Outcome,
  RequestEvent,
  SeriesCatalog,
} from '../../src/model/index.js';
import { MISSING_CLUSTER, MISSING_REPLICA, OUTCOMES, OUTCOME_STATUS, STALE_NAN } from '../../src/model/index.js';
import { applyLaneSettings, type DoctorPlan } from '../../src/doctor/plan.js';

export function defaults(over: Partial<HAConfig> = {}): HAConfig {
  return {
    acceptHaSamples: true,
    clusterLabel: 'cluster',
    replicaLabel: '__replica__',
    maxClusters: 0,
    updateTimeoutMs: 15_000,
    updateTimeoutJitterMaxMs: 0,
    failoverTimeoutMs: 30_000,
    sampleFailoverTimeoutMs: 0,
    perSample: false,
    ...over,
  };
}

export class TinyCatalog implements SeriesCatalog {
  private readonly byKey = new Map<string, number>();
  private readonly sets: Label[][] = [];
  get size(): number {
    return this.sets.length;
  }
  id(labels: Record<string, string>): number {
    const ls = Object.entries(labels)
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const key = ls.map((l) => `${l.name}\xff${l.value}`).join('\xfe');
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(ls);
      this.byKey.set(key, id);
    }
    return id;
  }
  labels(id: number): readonly Label[] {
    return this.sets[id]!;
  }
  labelValue(id: number, name: string): string {
    return this.sets[id]!.find((l) => l.name === name)?.value ?? '';
  }
}

export interface SeriesSpec {
  labels: Record<string, string>;
  /** [timestamp, value]; 'stale' for the stale marker (a NaN kept in a JS array may lose its bits). */
  samples: [number, number | 'stale'][];
  histograms?: Histogram[];
}

export interface RequestSpec {
  /** Receive time (the toy lane's clock); null: no receive time (then now = newest sample). */
  at: number | null;
  tenant?: string;
  series: SeriesSpec[];
  metadata?: Metadata[];
}

export function decoded(cat: TinyCatalog, spec: RequestSpec, index = 0): DecodedRequest {
  const n = spec.series.length;
  const ids = new Int32Array(n);
  const sampleStart = new Int32Array(n + 1);
  const ts: number[] = [];
  const vs: (number | 'stale')[] = [];
  let hasHist = false;
  const histogramStart = new Int32Array(n + 1);
  const histograms: Histogram[] = [];
  spec.series.forEach((s, i) => {
    ids[i] = cat.id(s.labels);
    sampleStart[i] = ts.length;
    for (const [t, v] of s.samples) {
      ts.push(t);
      vs.push(v);
    }
    histogramStart[i] = histograms.length;
    if (s.histograms) {
      hasHist = true;
      histograms.push(...s.histograms);
    }
  });
  sampleStart[n] = ts.length;
  histogramStart[n] = histograms.length;
  return {
    inputIndex: 0,
    recordIndex: index,
    offset: 0,
    tenant: spec.tenant ?? null,
    receivedAtMs: spec.at,
    protocol: 'rw1',
    captured: null,
    wireBytes: 0,
    decodedBytes: 0,
    seriesCount: n,
    ids,
    sampleStart,
    timestamps: Float64Array.from(ts),
    values: floats(vs),
    histogramStart: hasHist ? histogramStart : null,
    histograms,
    exemplarStart: null,
    exemplars: [],
    metadata: spec.metadata ?? [],
  };
}

function floats(vs: (number | 'stale')[]): Float64Array {
  const out = new Float64Array(vs.length);
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    out[i] = v === 'stale' ? STALE_NAN : v;
  }
  return out;
}

/** HALabels of a request with these label names (SPEC 6.2). */
export function haLabels(cat: SeriesCatalog, r: DecodedRequest, clusterLabel: string, replicaLabel: string): HALabels {
  const n = r.seriesCount;
  const seriesPair = new Int32Array(n).fill(-1);
  const missing = new Uint8Array(n);
  const pairs: HAPair[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = cat.labelValue(r.ids[i]!, clusterLabel);
    const rep = cat.labelValue(r.ids[i]!, replicaLabel);
    if (c === '') missing[i]! |= MISSING_CLUSTER;
    if (rep === '') missing[i]! |= MISSING_REPLICA;
    if (missing[i] !== 0) continue;
    const key = c + '\xff' + rep;
    let k = index.get(key);
    if (k === undefined) {
      k = pairs.length;
      pairs.push({ cluster: c, replica: rep });
      index.set(key, k);
    }
    seriesPair[i] = k;
  }
  return { seriesPair, pairs, missing };
}

/** SPEC 6.3 without jitter and cleanup: enough for streams of a few minutes. */
class ToyCortex {
  private readonly entries = new Map<string, { replica: string; receivedAt: number }>();
  readonly elections: Election[] = [];
  constructor(private readonly config: (tenant: string) => HAConfig) {}

  decide(tenant: string, p: HAPair, now: number): Outcome {
    const cfg = this.config(tenant);
    const key = tenant + '\xfd' + p.cluster;
    const e = this.entries.get(key);
    if (e !== undefined && now - e.receivedAt < cfg.updateTimeoutMs) return e.replica === p.replica ? 'accepted' : 'deduped';
    if (e === undefined) {
      let n = 0;
      for (const k of this.entries.keys()) if (k.startsWith(tenant + '\xfd')) n++;
      if (cfg.maxClusters > 0 && n >= cfg.maxClusters) return 'rejected_too_many_clusters';
      this.entries.set(key, { replica: p.replica, receivedAt: now });
      this.elections.push({ tenant, cluster: p.cluster, atMs: now, from: null, to: p.replica });
      return 'accepted';
    }
    if (e.replica === p.replica) {
      if (now - e.receivedAt >= cfg.updateTimeoutMs) e.receivedAt = now;
      return 'accepted';
    }
    if (now - e.receivedAt < cfg.failoverTimeoutMs) return 'deduped';
    this.elections.push({ tenant, cluster: p.cluster, atMs: now, from: e.replica, to: p.replica });
    e.replica = p.replica;
    e.receivedAt = now;
    return 'accepted';
  }
}

const CODE = new Map<Outcome, number>(OUTCOMES.map((o, i) => [o, i]));

export interface LaneRun {
  /** Effective settings per tenant (default: defaults()). */
  config?: (tenant: string) => HAConfig;
  inputs?: string[];
}

/** Feed `consumers` the events a lane over `specs` emits (await-free: the toy consumers are sync). */
export function runLane(specs: RequestSpec[], consumers: Consumer[], opts: LaneRun = {}, cat = new TinyCatalog()): TinyCatalog {
  const config = opts.config ?? (() => defaults());
  const requests = specs.map((s, i) => decoded(cat, s, i));
  const tracker = new ToyCortex(config);
  const tenants = new Set<string>();
  for (const c of consumers) c.begin?.({ catalog: cat, inputs: opts.inputs ?? ['test.rwcap'], semantics: 'cortex', config, defaultTenant: 'anonymous' });
  let last: number | null = null;
  let first: number | null = null;
  requests.forEach((r, seq) => {
    const tenant = r.tenant ?? 'anonymous';
    tenants.add(tenant);
    const cfg = config(tenant);
    const ha = haLabels(cat, r, cfg.clusterLabel, cfg.replicaLabel);
    let newest = -Infinity;
    for (const t of r.timestamps) newest = Math.max(newest, t);
    const record = r.receivedAtMs ?? newest;
    const now = last === null ? record : Math.max(last, record);
    if (first === null) first = now;
    last = now;
    const n = r.seriesCount;
    const d: Decision = { outcome: 'passthrough', status: 200, message: null, replicaLabel: cfg.replicaLabel, outcomes: new Uint8Array(n), pairOf: new Int32Array(n).fill(-1) };
    const before = tracker.elections.length;
    if (n === 0) {
      d.outcome = 'passthrough';
      d.outcomes.fill(CODE.get('passthrough')!);
    } else if (!cfg.perSample) {
      const k = ha.seriesPair[0]!;
      const o: Outcome = k < 0 ? 'non_ha' : tracker.decide(tenant, ha.pairs[k]!, now);
      d.outcome = o;
      d.outcomes.fill(CODE.get(o)!);
      d.pairOf.fill(k);
    } else {
      const byPair = new Map<number, Outcome>();
      for (let i = 0; i < n; i++) {
        const k = ha.seriesPair[i]!;
        let o: Outcome;
        if (k < 0) o = 'non_ha';
        else {
          o = byPair.get(k) ?? tracker.decide(tenant, ha.pairs[k]!, now);
          byPair.set(k, o);
        }
        d.outcomes[i] = CODE.get(o)!;
        d.pairOf[i] = k;
      }
      d.outcome = OUTCOMES[d.outcomes[0]!]!;
    }
    const os = [...d.outcomes].map((x) => OUTCOMES[x]!);
    d.status = cfg.perSample ? (os.includes('rejected_too_many_clusters') ? 400 : os.includes('deduped') ? 202 : 200) : OUTCOME_STATUS[d.outcome];
    if (d.outcome === 'deduped') d.message = `replicas did not match, rejecting sample: replica=${ha.pairs[ha.seriesPair[0]!]?.replica}, elected=?`;
    if (os.includes('rejected_too_many_clusters')) d.message = `too many HA clusters (limit: ${cfg.maxClusters})`;
    for (const e of tracker.elections.slice(before)) {
      const ev: ElectionEvent = { election: e, seq, cause: 'request' };
      for (const c of consumers) c.election?.(ev);
    }
    const ev: RequestEvent = { seq, request: r, tenant, recordTimeMs: record, nowMs: now, ha, decision: d };
    for (const c of consumers) c.request?.(ev);
  });
  for (const c of consumers) {
    c.end?.({
      inputs: (opts.inputs ?? ['test.rwcap']).map((p) => ({ path: p, format: 'rwcap', records: specs.length, bad_records: 0 })),
      clock: { source: 'received', first_ms: first, last_ms: last, clock_regressions: 0 },
      badRecordCount: 0,
      badRecords: [],
      state: [],
      priorElections: [],
      tenants: [...tenants].sort(),
    });
  }
  return cat;
}

/** Run every lane of a doctor plan over the same stream, as the engine will, and finish it. */
export function runPlan(plan: DoctorPlan, specs: RequestSpec[], opts: LaneRun = {}) {
  const base = opts.config ?? (() => defaults());
  const cat = new TinyCatalog();
  for (const lane of plan.lanes) runLane(specs, lane.consumers, { ...opts, config: (t) => applyLaneSettings(base(t), lane.settings) }, cat);
  return plan.finish();
}

// ---- stream builders ----

export const T0 = Date.UTC(2026, 10, 24, 18, 0, 0);

/** `n` node-exporter-like series of one target, with extra labels. */
export function targetSeries(n: number, extra: Record<string, string>, prefix = 'node_metric'): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) out.push({ __name__: `${prefix}_${i}_total`, instance: 'host:9100', job: 'node', ...extra });
  return out;
}

export interface PairOptions {
  cluster?: string;
  replicas?: string[];
  tenant?: string;
  series?: number;
  /** Scrape / send interval (ms). */
  interval?: number;
  /** Number of scrapes. */
  scrapes?: number;
  /** Per replica: receive-time offset from the scrape (ms). */
  lag?: number;
  /** Per replica start offset (ms): replica k scrapes at T0 + k*offset + j*interval. */
  offset?: number;
  /** When a replica is down: [replica, fromMs, toMs) relative to T0, no requests in between. */
  down?: [string, number, number][];
  /** Counter value of series s at time t (ms since T0), per replica. */
  value?: (replica: string, s: number, t: number) => number;
  clusterLabel?: string;
  replicaLabel?: string;
  extra?: Record<string, string>;
}

/** A healthy HA pair: every replica sends all series every interval, one request per scrape. */
export function pairStream(o: PairOptions = {}): RequestSpec[] {
  const replicas = o.replicas ?? ['replica1', 'replica2'];
  const interval = o.interval ?? 5000;
  const scrapes = o.scrapes ?? 40;
  const lag = o.lag ?? 1000;
  const offset = o.offset ?? 2000;
  const cl = o.clusterLabel ?? 'cluster';
  const rl = o.replicaLabel ?? '__replica__';
  const value = o.value ?? ((_r, s, t) => s * 1000 + Math.floor(t / 1000));
  const out: RequestSpec[] = [];
  for (let j = 0; j < scrapes; j++) {
    replicas.forEach((rep, k) => {
      const t = j * interval + k * offset;
      if ((o.down ?? []).some(([r, a, b]) => r === rep && t >= a && t < b)) return;
      const base = targetSeries(o.series ?? 20, { [cl]: o.cluster ?? 'c1', [rl]: rep, ...(o.extra ?? {}) });
      out.push({
        at: T0 + t + lag,
        tenant: o.tenant ?? 't1',
        series: base.map((labels, s) => ({ labels, samples: [[T0 + t, value(rep, s, t)]] })),
      });
    });
  }
  return out.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}

import { DoctorConsumer } from '../../src/doctor/consumer.js';
import { ALL_CHECKS } from '../../src/doctor/plan.js';
import type { Code, Finding } from '../../src/doctor/types.js';

/** Every check over one lane of `specs`; the findings of `code` (all when omitted). */
export function findings(specs: RequestSpec[], code?: Code, opts: LaneRun = {}): Finding[] {
  const d = new DoctorConsumer(ALL_CHECKS);
  runLane(specs, [d], opts);
  const all = d.findings();
  return code === undefined ? all : all.filter((f) => f.code === code);
}

/** Requests of one sender per scrape: the given series, one sample each at T0 + j*interval. */
export function sender(series: Record<string, string>[], o: { scrapes?: number; interval?: number; offset?: number; lag?: number; tenant?: string } = {}): RequestSpec[] {
  const out: RequestSpec[] = [];
  const interval = o.interval ?? 5000;
  for (let j = 0; j < (o.scrapes ?? 3); j++) {
    const t = T0 + j * interval + (o.offset ?? 0);
    out.push({ at: t + (o.lag ?? 500), tenant: o.tenant ?? 't1', series: series.map((labels, s) => ({ labels, samples: [[t, s + j]] })) });
  }
  return out;
}

/** Requests of several streams merged in time order (stable). */
export function merge(...streams: RequestSpec[][]): RequestSpec[] {
  return streams.flat().sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}
