// One lane of the event pipeline: a simulated clock, an HA tracker with its own store and seeded
// generator (or none, for inspect), and the consumers its events go to. The engine
// (engine.ts) hands every lane the same requests in the same order; a lane turns each into
//   pass events (each followed by the elections it made) -> in-band elections -> request event
// (src/model/events.ts gives the order and the fields).
//
// The tracker is pure (src/tracker/api.ts PureTracker): it returns its changes as state ops, and
// the lane writes them to the store through the port (src/store/port.ts) and commits every
// `commitEvery` requests and at the end. The port may answer with promises (a network KV): the
// lane then awaits each before its next call to it and before the request's events, and returns
// a promise from request(); with a synchronous store (SQLite, the map adapter) nothing is awaited.
import {
  HaDedupError,
  isValidTimeMs,
  OUTCOME_ACCEPTED,
  OUTCOME_DEDUPED,
  OUTCOME_NON_HA,
  OUTCOME_PASSTHROUGH,
  OUTCOME_REJECTED,
  type BadRecordEvent,
  type Consumer,
  type Decision,
  type DecodedRequest,
  type Election,
  type ElectionEvent,
  type EndEvent,
  type HAConfig,
  type HALabels,
  type Outcome,
  type Request,
  type RequestEvent,
  type RunStart,
  type SeriesCatalog,
  type Semantics,
  type Label,
  type Sample,
  type Exemplar,
  type Histogram,
  type TimeSeries,
  type WriteRequest,
  type StateSnapshot,
} from '../model/index.js';
import { SimClock } from '../clock/clock.js';
import { createPrng } from '../clock/prng.js';
import { configFor, createPureTracker, type Advanced, type Decided, type PureTracker, type RequestDecision, type TenantConfigs } from '../tracker/index.js';
import type { StatePort } from '../store/index.js';
import { HALabeller } from './halabels.js';

/** Store meta keys owned by the pipeline. */
export const REPLAY_META = {
  clock: 'replay.clock', // the simulated now after the last request, ms
} as const;

/** What a command gives the engine for one lane. */
export interface LaneOptions {
  /** The decision model; null runs no tracker (decisions are null; inspect). */
  semantics: Semantics | null;
  /** Effective settings per tenant, already adjusted for this lane. */
  configs: TenantConfigs;
  /** The tracker's jitter seed (ignored without a tracker). */
  seed: number;
  /** The lane's state store (a resumed one continues its clock and tracker); may be null without a tracker. */
  store: StatePort | null;
  consumers: Consumer[];
  /** Requests between the tracker's commits (default 1000; 0 = only at the end). */
  commitEvery?: number;
}

const CODE: Record<Outcome, number> = {
  accepted: OUTCOME_ACCEPTED,
  non_ha: OUTCOME_NON_HA,
  deduped: OUTCOME_DEDUPED,
  rejected_too_many_clusters: OUTCOME_REJECTED,
  passthrough: OUTCOME_PASSTHROUGH,
};

/** HA labellers by (cluster label, replica label), shared by the lanes of a run. */
export class LabellerCache {
  private readonly byNames = new Map<string, HALabeller>();
  constructor(private readonly catalog: SeriesCatalog) {}
  get(clusterLabel: string, replicaLabel: string): HALabeller {
    const key = `${clusterLabel.length}:${clusterLabel}${replicaLabel}`;
    let l = this.byNames.get(key);
    if (l === undefined) {
      l = new HALabeller(this.catalog, clusterLabel, replicaLabel);
      this.byNames.set(key, l);
    }
    return l;
  }
}

export class Lane {
  readonly clock: SimClock;
  private readonly tracker: PureTracker | null;
  private readonly store: StatePort | null;
  private readonly consumers: Consumer[];
  private readonly tenants = new Set<string>();
  private readonly priorElections: Election[];
  /** Per tenant: its settings and labeller (looked up once). */
  private readonly perTenant = new Map<string, { cfg: HAConfig; labeller: HALabeller }>();
  private readonly commitEvery: number;
  private sinceCommit = 0;
  /** The simulated now of the last request decided (saved as REPLAY_META.clock with each commit); null before the first. */
  private lastNow: number | null = null;

  /** A lane over `opts.store` as it is now: its state is loaded (the store may answer with a promise). */
  static async open(opts: LaneOptions, labellers: LabellerCache): Promise<Lane> {
    const store = opts.store;
    if (opts.semantics !== null && store === null) throw new Error('a lane with a tracker needs a store');
    const state = store === null ? null : await store.load();
    return new Lane(opts, labellers, state);
  }

  private constructor(
    readonly opts: LaneOptions,
    private readonly labellers: LabellerCache,
    state: StateSnapshot | null,
  ) {
    this.consumers = opts.consumers;
    this.store = opts.store;
    this.commitEvery = opts.commitEvery ?? 1000;
    this.tracker = opts.semantics !== null ? createPureTracker({ semantics: opts.semantics, configs: opts.configs, random: createPrng(opts.seed), state: state ?? undefined }) : null;
    let prevNow: number | null = null;
    const prevText = state?.meta.find(([k]) => k === REPLAY_META.clock)?.[1];
    if (prevText !== undefined) {
      prevNow = Number(prevText);
      if (!isValidTimeMs(prevNow)) throw new HaDedupError('state', `state database is inconsistent: ${REPLAY_META.clock} = "${prevText}" is not a time in the supported range`);
    }
    this.clock = new SimClock(prevNow);
    this.priorElections = state !== null && opts.semantics !== null ? state.elections : [];
  }

  config(tenant: string): HAConfig {
    return configFor(this.opts.configs, tenant);
  }

  begin(catalog: SeriesCatalog, inputs: readonly string[], defaultTenant: string): void {
    const ctx: RunStart = { catalog, inputs, semantics: this.opts.semantics, config: (t) => this.config(t), defaultTenant, commitState: () => this.commit() };
    for (const c of this.consumers) c.begin?.(ctx);
  }

  badRecord(ev: BadRecordEvent): void {
    for (const c of this.consumers) c.badRecord?.(ev);
  }

  private tenantInfo(tenant: string): { cfg: HAConfig; labeller: HALabeller } {
    let t = this.perTenant.get(tenant);
    if (t === undefined) {
      const cfg = this.config(tenant);
      t = { cfg, labeller: this.labellers.get(cfg.clusterLabel, cfg.replicaLabel) };
      this.perTenant.set(tenant, t);
      this.tenants.add(tenant);
    }
    return t;
  }

  private emitElections(list: readonly Election[], seq: number, cause: 'request' | 'pass'): void {
    for (let i = 0; i < list.length; i++) {
      const ev: ElectionEvent = { election: list[i]!, seq, cause };
      for (const c of this.consumers) c.election?.(ev);
    }
  }

  private emitPasses(adv: Advanced, seq: number): void {
    const passes = adv.passes;
    for (let i = 0; i < passes.length; i++) {
      const p = passes[i]!;
      const ev = { kind: p.kind, atMs: p.atMs, writes: p.writes };
      for (const c of this.consumers) c.pass?.(ev);
      this.emitElections(p.elections, seq, 'pass');
    }
  }

  /**
   * One request: passes due, its elections, its request event. Returns a promise (resolved once
   * every consumer has taken it) only when a consumer or the store answered with one.
   */
  request(seq: number, decoded: DecodedRequest, raw: Request, recordTimeMs: number, tenant: string): void | Promise<void> {
    const now = this.clock.observe(recordTimeMs);
    const tracker = this.tracker;
    if (tracker === null) {
      const ha = this.tenantInfo(tenant).labeller.label(decoded);
      return this.deliver({ seq, request: decoded, tenant, recordTimeMs, nowMs: now, ha, decision: null }, null);
    }
    const adv = tracker.advance(now);
    this.emitPasses(adv, seq);
    if (adv.ops.length > 0) {
      const w = this.store!.write(adv.ops);
      if (w !== undefined) return w.then(() => this.decide(tracker, seq, decoded, raw, recordTimeMs, tenant, now));
    }
    return this.decide(tracker, seq, decoded, raw, recordTimeMs, tenant, now);
  }

  private decide(tracker: PureTracker, seq: number, decoded: DecodedRequest, raw: Request, recordTimeMs: number, tenant: string, now: number): void | Promise<void> {
    const info = this.tenantInfo(tenant);
    const ha = info.labeller.label(decoded);
    const r = tracker.decide(tenant, trackerView(decoded, ha, info.cfg.clusterLabel, info.cfg.replicaLabel), now);
    this.lastNow = now;
    const ev: RequestEvent = { seq, request: decoded, tenant, recordTimeMs, nowMs: now, ha, decision: toDecision(r.decision, ha, info.cfg.perSample) };
    if (r.ops.length > 0) {
      const w = this.store!.write(r.ops);
      if (w !== undefined) return w.then(() => this.commitDue(ev, r));
    }
    return this.commitDue(ev, r);
  }

  private commitDue(ev: RequestEvent, r: Decided): void | Promise<void> {
    if (this.commitEvery > 0 && ++this.sinceCommit >= this.commitEvery) {
      const c = this.commit();
      if (c !== undefined) return c.then(() => this.deliver(ev, r.elections));
    }
    return this.deliver(ev, r.elections);
  }

  /** The request's in-band elections, then the request event, to every consumer. */
  private deliver(ev: RequestEvent, elections: readonly Election[] | null): void | Promise<void> {
    if (elections !== null) this.emitElections(elections, ev.seq, 'request');
    const cs = this.consumers;
    for (let i = 0; i < cs.length; i++) {
      const p = cs[i]!.request?.(ev);
      if (p !== undefined) return this.finishRequest(p, ev, i + 1);
    }
  }

  private async finishRequest(p: Promise<void>, ev: RequestEvent, from: number): Promise<void> {
    await p;
    const cs = this.consumers;
    for (let i = from; i < cs.length; i++) {
      const q = cs[i]!.request?.(ev);
      if (q !== undefined) await q;
    }
  }

  /**
   * Write the tracker's checkpoint (and the lane's clock) and commit the store: every
   * `commitEvery` requests, when a consumer asks (RunStart.commitState), and at the end.
   */
  commit(): void | Promise<void> {
    const tracker = this.tracker;
    const store = this.store;
    if (tracker === null || store === null) return;
    this.sinceCommit = 0;
    const ops = tracker.checkpoint();
    if (this.lastNow !== null) ops.push({ op: 'set-meta', key: REPLAY_META.clock, value: String(this.lastNow) });
    const w = store.write(ops);
    if (w !== undefined) return w.then(() => store.commit());
    return store.commit();
  }

  /** End of input: the end event, then the tracker's last commit. */
  async end(base: Omit<EndEvent, 'state' | 'priorElections' | 'tenants' | 'clock'> & { clockSource: EndEvent['clock']['source'] }): Promise<void> {
    for (const t of this.opts.configs.perTenant.keys()) this.tenants.add(t);
    const ev: EndEvent = {
      inputs: base.inputs,
      clock: { source: base.clockSource, first_ms: this.clock.firstMs, last_ms: this.clock.lastMs, clock_regressions: this.clock.regressions },
      badRecordCount: base.badRecordCount,
      badRecords: base.badRecords,
      state: this.tracker?.records() ?? [],
      priorElections: this.priorElections,
      tenants: [...this.tenants].sort(),
    };
    for (const c of this.consumers) {
      const p = c.end?.(ev);
      if (p !== undefined) await p;
    }
    await this.commit();
  }
}

const NO_LABELS: Label[] = [];
const NO_SAMPLES: Sample[] = [];
const NO_EXEMPLARS: Exemplar[] = [];
const NO_HISTOGRAMS: Histogram[] = [];

/**
 * What the round-1 tracker reads of a request, from its columns and HA labels (the decoders no
 * longer build TimeSeries objects): per series its cluster and replica labels (as the labeller
 * read them: both or none) and its first sample and first histogram (their timestamps: Mimir's
 * earliest sample time). Nothing else of a series is read by decide(). A small bridge until the
 * tracker takes columns itself (the model helper's rewrite).
 */
function trackerView(d: DecodedRequest, ha: HALabels, clusterLabel: string, replicaLabel: string): WriteRequest {
  const n = d.seriesCount;
  const pairLabels: Label[][] = ha.pairs.map((p) => [
    { name: clusterLabel, value: p.cluster },
    { name: replicaLabel, value: p.replica },
  ]);
  const out = new Array<TimeSeries>(n);
  const starts = d.sampleStart;
  const stamps = d.timestamps;
  const hStart = d.histogramStart;
  // consecutive series of one target share their pair and scrape time: one object for a run of them
  let lastK = -2;
  let lastT = NaN;
  let last: TimeSeries | null = null;
  for (let i = 0; i < n; i++) {
    const k = ha.seriesPair[i]!;
    const f0 = starts[i]!;
    const t = starts[i + 1]! > f0 ? stamps[f0]! : NaN; // NaN: no float sample
    if (hStart !== null && hStart[i + 1]! > hStart[i]!) {
      out[i] = { labels: k < 0 ? NO_LABELS : pairLabels[k]!, samples: t === t ? [{ value: 0, timestamp: t }] : NO_SAMPLES, exemplars: NO_EXEMPLARS, histograms: [d.histograms[hStart[i]!]!] };
      last = null;
      continue;
    }
    if (last === null || k !== lastK || !(t === lastT || (t !== t && lastT !== lastT))) {
      last = { labels: k < 0 ? NO_LABELS : pairLabels[k]!, samples: t === t ? [{ value: 0, timestamp: t }] : NO_SAMPLES, exemplars: NO_EXEMPLARS, histograms: NO_HISTOGRAMS };
      lastK = k;
      lastT = t;
    }
    out[i] = last;
  }
  return { timeseries: out, metadata: [] };
}

/** A round-1 RequestDecision as the model's Decision (per-series codes, the pair each is counted under). */
export function toDecision(d: RequestDecision, ha: HALabels, perSample: boolean): Decision {
  const n = d.series.length;
  const outcomes = new Uint8Array(n);
  const pairOf = new Int32Array(n);
  if (!perSample) {
    const code = CODE[d.outcome];
    outcomes.fill(code);
    const haOutcome = code === OUTCOME_ACCEPTED || code === OUTCOME_DEDUPED || code === OUTCOME_REJECTED;
    pairOf.fill(haOutcome && n > 0 ? ha.seriesPair[0]! : -1);
  } else {
    for (let i = 0; i < n; i++) {
      const code = CODE[d.series[i]!.outcome];
      outcomes[i] = code;
      pairOf[i] = code === OUTCOME_NON_HA || code === OUTCOME_PASSTHROUGH ? -1 : ha.seriesPair[i]!;
    }
  }
  return { outcome: d.outcome, status: d.status, message: d.message ?? null, replicaLabel: d.replicaLabel, outcomes, pairOf };
}
