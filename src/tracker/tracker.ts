// The pure HA tracker: labels (SPEC 6.1/6.2, through a dedupe strategy), one decision model
// (6.3/6.4, model.ts), the simulated background work (the model's passes, 30-minute cleanups,
// 6.5), and persistence as state ops the caller writes (api.ts PureTracker). No I/O, no wall
// clock, jitter from the injected generator.
import { OUTCOME_STATUS, stateError, type ClusterMemory, type Election, type HAConfig, type ReplicaDesc, type Semantics, type StateOp, type TimeSeries, type WriteRequest } from '../model/index.js';
import type { Advanced, Decided, PassRecord, PureTracker, PureTrackerOptions, RandomSource, RequestDecision, SeriesDecision, TenantConfigs } from './api.js';
import { configFor } from './config.js';
import { META, parseTimeMeta } from './meta.js';
import type { CheckCode, DecisionModel, ModelContext } from './model.js';
import { MODELS } from './models.js';
import { perRequest } from './per-request.js';
import { perSample } from './per-sample.js';
import { CLEANUP_PERIOD_MS, DELETION_TIMEOUT_MS, memoryOf, newEntry, resetMemory, type Entry, type TenantState } from './state.js';
import { PASSTHROUGH_DECISION, scanHALabels, type DedupeStrategy, type HAScan, type StrategyContext } from './strategy.js';

export { META } from './meta.js';

/** Cluster and replica label values of one series ("" when missing), as Mimir's findHALabels reads them. */
export function findHALabels(series: TimeSeries, clusterLabel: string, replicaLabel: string): [cluster: string, replica: string] {
  const out: HAScan = { cluster: '', replica: '' };
  scanHALabels(series, clusterLabel, replicaLabel, out);
  return [out.cluster, out.replica];
}

/** Earliest timestamp among the first sample and first histogram of each series, capped at nowMs (Mimir's getEarliestSampleTimestamp). */
function earliestSampleTime(series: readonly TimeSeries[], nowMs: number, clusterLabel: string, replicaLabel: string, scan: HAScan, onlyCluster?: string, onlyReplica?: string): number {
  let t = nowMs;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    if (onlyCluster !== undefined) {
      scanHALabels(s, clusterLabel, replicaLabel, scan);
      if (scan.cluster !== onlyCluster || scan.replica !== onlyReplica) continue;
    }
    if (s.samples.length > 0 && s.samples[0]!.timestamp < t) t = s.samples[0]!.timestamp;
    if (s.histograms.length > 0 && s.histograms[0]!.timestamp < t) t = s.histograms[0]!.timestamp;
  }
  return t;
}

/** A tenant's state plus the strategy its settings select. */
interface Tenant extends TenantState {
  strategy: DedupeStrategy;
}

class Tracker implements PureTracker, ModelContext, StrategyContext {
  readonly semantics: Semantics;
  readonly scan: HAScan = { cluster: '', replica: '' };
  private readonly sampleScan: HAScan = { cluster: '', replica: '' };
  private readonly model: DecisionModel;
  private readonly configs: TenantConfigs;
  private readonly random: RandomSource;
  private readonly passPeriod: number;
  private readonly tenants = new Map<string, Tenant>();
  private readonly dirtyMemory: Entry[] = [];
  // The changes of the current call (reused; api.ts TrackerChanges).
  private readonly ops: StateOp[] = [];
  private readonly elections: Election[] = [];
  private readonly passes: PassRecord[] = [];
  private readonly advanced: Advanced = { ops: this.ops, elections: this.elections, passes: this.passes };
  private readonly decided: { decision: RequestDecision; ops: StateOp[]; elections: Election[] } = { decision: null as unknown as RequestDecision, ops: this.ops, elections: this.elections };
  /** KV writes so far (what a pass record counts). */
  private kvWrites = 0;
  private firstMs: number | null = null;
  private nextPassMs = Infinity;
  private nextCleanupMs = Infinity;
  private nowMs = -Infinity;
  private liveTotal = 0;
  private recordTotal = 0;

  constructor(opts: PureTrackerOptions, model: DecisionModel) {
    this.semantics = opts.semantics;
    this.model = model;
    this.configs = opts.configs;
    this.random = opts.random;
    this.passPeriod = model.passPeriodMs(opts.configs); // > 0 or 0 (no pass); throws for settings the model refuses
    this.restore(opts.state);
  }

  // ---- restoring ---------------------------------------------------------------------------

  private restore(state: PureTrackerOptions['state']): void {
    const meta = new Map(state?.meta ?? []);
    const savedSemantics = meta.get(META.semantics);
    if (savedSemantics !== undefined && savedSemantics !== this.semantics) {
      throw stateError(
        `the state database holds ${savedSemantics} tracker state and cannot be resumed with --semantics ${this.semantics}; use the same --semantics, another --db, or clear it with "ha-dedup state --db FILE reset"`,
      );
    }
    for (const d of state?.records ?? []) {
      const ts = this.tenant(d.tenant);
      const e = this.entry(ts, d.cluster);
      e.desc = { ...d };
      this.recordTotal += 1;
      if (d.deletedAt === 0) {
        ts.liveCount += 1;
        this.liveTotal += 1;
      }
    }
    for (const m of state?.memory ?? []) {
      const ts = this.tenants.get(m.tenant);
      const e = ts?.clusters.get(m.cluster);
      if (!e || !e.desc) continue; // memory of a record that no longer exists
      e.electedLastSeenMs = m.electedLastSeenMs;
      e.nonElectedReplica = m.nonElectedReplica;
      e.nonElectedLastSeenMs = m.nonElectedLastSeenMs;
      e.nonElectedSampleTimeMs = m.nonElectedSampleTimeMs;
    }
    if (savedSemantics === undefined) {
      this.model.start(this.random); // a fresh run
      return;
    }
    const prng = meta.get(META.prng);
    if (prng !== undefined) {
      try {
        this.random.setState(prng);
      } catch {
        throw stateError(`state database is inconsistent: saved generator state "${prng}" is not valid`);
      }
    }
    this.firstMs = parseTimeMeta(meta.get(META.firstMs), META.firstMs) ?? null;
    this.nextPassMs = parseTimeMeta(meta.get(META.nextPassMs), META.nextPassMs) ?? Infinity;
    this.nextCleanupMs = parseTimeMeta(meta.get(META.nextCleanupMs), META.nextCleanupMs) ?? Infinity;
    this.model.restore(meta);
    if (this.firstMs !== null && this.passPeriod > 0 && this.nextPassMs === Infinity) this.nextPassMs = this.firstMs + this.passPeriod;
    if (this.firstMs !== null && this.nextCleanupMs === Infinity) this.nextCleanupMs = this.firstMs + CLEANUP_PERIOD_MS;
  }

  checkpoint(): StateOp[] {
    const out: StateOp[] = [];
    for (let i = 0; i < this.dirtyMemory.length; i++) {
      const e = this.dirtyMemory[i]!;
      e.memoryDirty = false;
      if (e.desc !== null && e.desc.deletedAt === 0) out.push({ op: 'put-memory', memory: memoryOf(e) });
    }
    this.dirtyMemory.length = 0;
    const put = (key: string, value: string) => {
      out.push({ op: 'set-meta', key, value });
    };
    put(META.version, '1');
    put(META.semantics, this.semantics);
    put(META.prng, this.random.getState());
    if (this.firstMs !== null) put(META.firstMs, String(this.firstMs));
    if (this.nextPassMs !== Infinity) put(META.nextPassMs, String(this.nextPassMs));
    if (this.nextCleanupMs !== Infinity) put(META.nextCleanupMs, String(this.nextCleanupMs));
    this.model.save(put, this.configs);
    return out;
  }

  // ---- ModelContext ----------------------------------------------------------------------------

  writeRecord(_ts: TenantState, e: Entry): void {
    if (e.desc !== null) {
      this.ops.push({ op: 'put-record', record: e.desc });
      this.kvWrites++;
    }
  }

  elect(e: Election): void {
    this.elections.push(e);
    this.ops.push({ op: 'append-election', election: e });
  }

  touchMemory(e: Entry): void {
    if (e.memoryDirty) return;
    e.memoryDirty = true;
    this.dirtyMemory.push(e);
  }

  entry(ts: TenantState, cluster: string): Entry {
    let e = ts.clusters.get(cluster);
    if (!e) {
      e = newEntry(ts.tenant, cluster);
      ts.clusters.set(cluster, e);
    }
    return e;
  }

  private tenant(tenant: string): Tenant {
    let ts = this.tenants.get(tenant);
    if (!ts) {
      const cfg = configFor(this.configs, tenant);
      ts = { tenant, cfg, clusters: new Map(), liveCount: 0, strategy: cfg.perSample ? perSample : perRequest };
      this.tenants.set(tenant, ts);
    }
    return ts;
  }

  config(tenant: string): HAConfig {
    return configFor(this.configs, tenant);
  }

  // ---- simulated background work ---------------------------------------------------------------

  advance(nowMs: number): Advanced {
    this.ops.length = 0;
    this.elections.length = 0;
    this.passes.length = 0;
    if (nowMs < this.nowMs) nowMs = this.nowMs; // the clock never goes back
    this.nowMs = nowMs;
    const U = this.passPeriod;
    const hasPass = U > 0;
    if (this.firstMs === null) {
      this.firstMs = nowMs;
      if (hasPass) this.nextPassMs = nowMs + U;
      this.nextCleanupMs = nowMs + CLEANUP_PERIOD_MS;
      return this.advanced;
    }
    for (;;) {
      // Skip ticks that cannot do anything (no live cluster to pass over, no record to clean):
      // they draw nothing and write nothing, so skipping them changes no decision.
      if (hasPass && this.liveTotal === 0 && this.nextPassMs <= nowMs) {
        const target = Math.min(nowMs, this.nextCleanupMs);
        if (this.nextPassMs < target) this.nextPassMs += Math.floor((target - this.nextPassMs) / U) * U;
      }
      if (this.recordTotal === 0 && this.nextCleanupMs <= nowMs) {
        this.nextCleanupMs += Math.floor((nowMs - this.nextCleanupMs) / CLEANUP_PERIOD_MS) * CLEANUP_PERIOD_MS;
      }
      const np = hasPass ? this.nextPassMs : Infinity;
      const t = Math.min(np, this.nextCleanupMs);
      if (t > nowMs) break;
      const w0 = this.kvWrites;
      const e0 = this.elections.length;
      if (np <= this.nextCleanupMs) {
        this.model.pass(this, this.sortedTenants(), Tracker.sortedEntries, np, this.random);
        this.nextPassMs = np + U;
        this.passes.push({ kind: 'update', atMs: np, writes: this.kvWrites - w0, elections: this.elections.slice(e0) });
      } else {
        const at = this.nextCleanupMs;
        this.runCleanup(at);
        this.nextCleanupMs += CLEANUP_PERIOD_MS;
        this.passes.push({ kind: 'cleanup', atMs: at, writes: this.kvWrites - w0, elections: this.elections.slice(e0) });
      }
    }
    return this.advanced;
  }

  private sortedTenants(): TenantState[] {
    return [...this.tenants.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  }

  private static sortedEntries(ts: TenantState): Entry[] {
    return [...ts.clusters.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  }

  /** The 30-minute cleanup at tick time tMs (both systems' cleanupOldReplicas with deadline tMs - 30m). */
  private runCleanup(tMs: number): void {
    const deadline = tMs - DELETION_TIMEOUT_MS;
    for (const ts of this.sortedTenants()) {
      for (const e of Tracker.sortedEntries(ts)) {
        const d = e.desc;
        if (d === null) continue;
        if (d.deletedAt > 0) {
          if (d.deletedAt <= deadline) {
            // Delete the key from the KV.
            ts.clusters.delete(e.cluster);
            this.recordTotal -= 1;
            this.ops.push({ op: 'delete-record', tenant: ts.tenant, cluster: e.cluster }, { op: 'delete-memory', tenant: ts.tenant, cluster: e.cluster });
            this.kvWrites++;
          }
          continue;
        }
        if (d.receivedAt < deadline) {
          // Mark for deletion: the cluster leaves every distributor's cache and frees its slot.
          d.deletedAt = tMs;
          ts.liveCount -= 1;
          this.liveTotal -= 1;
          resetMemory(e);
          this.ops.push({ op: 'put-record', record: d }, { op: 'delete-memory', tenant: ts.tenant, cluster: e.cluster });
          this.kvWrites++;
        }
      }
    }
  }

  // ---- decisions ---------------------------------------------------------------------------------

  check(ts: TenantState, cluster: string, replica: string, nowMs: number, sampleTimeMs: number): CheckCode {
    const hadLive = ts.liveCount;
    const hadRecord = (ts.clusters.get(cluster)?.desc ?? null) !== null;
    const code = this.model.check(this, ts, cluster, replica, nowMs, sampleTimeMs);
    if (ts.liveCount !== hadLive) {
      // A cluster was created, or revived after being marked deleted.
      this.liveTotal += ts.liveCount - hadLive;
      if (!hadRecord) this.recordTotal += 1;
    }
    return code;
  }

  sampleTime(ts: TenantState, series: readonly TimeSeries[], nowMs: number, cluster?: string, replica?: string): number {
    if (!this.model.usesSampleTime(ts.cfg)) return nowMs;
    return earliestSampleTime(series, nowMs, ts.cfg.clusterLabel, ts.cfg.replicaLabel, this.sampleScan, cluster, replica);
  }

  decide(tenant: string, write: WriteRequest, nowMs: number): Decided {
    this.ops.length = 0;
    this.elections.length = 0;
    const ts = this.tenant(tenant);
    const cfg = ts.cfg;
    const series = write.timeseries;
    const n = series.length;
    let result: RequestDecision;
    if (n === 0) {
      result = { outcome: 'passthrough', series: [], replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS.passthrough };
    } else if (!cfg.acceptHaSamples) {
      result = { outcome: 'passthrough', series: new Array<SeriesDecision>(n).fill(PASSTHROUGH_DECISION), replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS.passthrough };
    } else {
      result = ts.strategy.decide(this, ts, series, nowMs);
    }
    this.decided.decision = result;
    return this.decided;
  }

  // ---- inspection --------------------------------------------------------------------------------

  record(tenant: string, cluster: string): ReplicaDesc | undefined {
    const d = this.tenants.get(tenant)?.clusters.get(cluster)?.desc;
    return d ? { ...d } : undefined;
  }

  records(): ReplicaDesc[] {
    const out: ReplicaDesc[] = [];
    for (const ts of this.sortedTenants()) for (const e of Tracker.sortedEntries(ts)) if (e.desc) out.push({ ...e.desc });
    return out;
  }

  memory(tenant: string, cluster: string): ClusterMemory | undefined {
    const e = this.tenants.get(tenant)?.clusters.get(cluster);
    if (!e || !e.desc || e.desc.deletedAt !== 0) return undefined;
    return memoryOf(e);
  }
}

/**
 * The pure tracker for one run: `opts.semantics` picks the model from models.ts, or `model`
 * gives one (a model under test). Starts from `opts.state` (what the store held).
 */
export function createPureTracker(opts: PureTrackerOptions, model: DecisionModel = MODELS[opts.semantics]()): PureTracker {
  return new Tracker(opts, model);
}

