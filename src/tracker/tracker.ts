// The HA tracker: labels (SPEC 6.1/6.2), the two decision models (6.3/6.4), the simulated
// background work (mimir passes, 30-minute cleanups, 6.5), and write-behind persistence through
// the store port. Pure: no I/O of its own, no wall clock, jitter from the injected generator.
import { stateError, usageError, OUTCOME_STATUS, type Election, type HAConfig, type Outcome, type ReplicaDesc, type Semantics, type TimeSeries, type WriteRequest } from '../model/index.js';
import type { ClusterMemory, HATracker, PassRecord, RequestDecision, SeriesDecision, TenantConfigs, TrackerOptions } from './api.js';
import { configFor } from './config.js';
import { cortexCheck } from './cortex.js';
import { mimirCheck, mimirPassEntry } from './mimir.js';
import {
  CHECK_ACCEPT,
  CHECK_DEDUPE,
  CLEANUP_PERIOD_MS,
  DELETION_TIMEOUT_MS,
  memoryOf,
  newEntry,
  resetMemory,
  type CheckCode,
  type Entry,
  type ModelContext,
  type TenantState,
} from './state.js';

/** Meta keys the tracker persists (in the same transaction as its records). */
export const META = {
  semantics: 'tracker.semantics',
  firstMs: 'tracker.first_ms',
  nextPassMs: 'tracker.next_pass_ms',
  nextCleanupMs: 'tracker.next_cleanup_ms',
  prng: 'tracker.prng',
  cortexJitterDraw: 'tracker.cortex_jitter_draw',
  cortexJitterMs: 'tracker.cortex_jitter_ms',
  mimirJitterPrefix: 'tracker.mimir_jitter_ms.',
  version: 'tracker.state_version',
} as const;

const PASSTHROUGH_DECISION: SeriesDecision = Object.freeze({ outcome: 'passthrough', cluster: null, replica: null, stripReplica: false });
const NON_HA_DECISION: SeriesDecision = Object.freeze({ outcome: 'non_ha', cluster: null, replica: null, stripReplica: false });

/** Cluster and replica label values of one series ("" when missing), as Mimir's findHALabels reads them. */
export function findHALabels(series: TimeSeries, clusterLabel: string, replicaLabel: string): [cluster: string, replica: string] {
  scanHALabels(series, clusterLabel, replicaLabel);
  return [scannedCluster, scannedReplica];
}

/** The cluster and replica of the last series scanned by scanHALabels (avoids a tuple per series). */
let scannedCluster = '';
let scannedReplica = '';

function scanHALabels(series: TimeSeries, clusterLabel: string, replicaLabel: string): void {
  let cluster = '';
  let replica = '';
  const labels = series.labels;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l.name === replicaLabel) {
      replica = l.value;
      if (cluster !== '' && replica !== '') break;
    } else if (l.name === clusterLabel) {
      cluster = l.value;
      if (cluster !== '' && replica !== '') break;
    }
  }
  scannedCluster = cluster;
  scannedReplica = replica;
}

/** Earliest timestamp among the first sample and first histogram of each series, capped at nowMs (Mimir's getEarliestSampleTimestamp). */
function earliestSampleTime(series: readonly TimeSeries[], nowMs: number, clusterLabel: string, replicaLabel: string, onlyCluster?: string, onlyReplica?: string): number {
  let t = nowMs;
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    if (onlyCluster !== undefined) {
      scanHALabels(s, clusterLabel, replicaLabel);
      if (scannedCluster !== onlyCluster || scannedReplica !== onlyReplica) continue;
    }
    if (s.samples.length > 0 && s.samples[0].timestamp < t) t = s.samples[0].timestamp;
    if (s.histograms.length > 0 && s.histograms[0].timestamp < t) t = s.histograms[0].timestamp;
  }
  return t;
}

function dedupeMessage(replica: string, elected: string): string {
  return `replicas did not match, rejecting sample: replica=${replica}, elected=${elected}`;
}

function tooManyMessage(limit: number): string {
  return `too many HA clusters (limit: ${limit})`;
}

function jitterFromDraw(u: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  return Math.floor(u * 2 * maxMs) - maxMs; // uniform in [-max, +max)
}

function parseNum(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw stateError(`state database is inconsistent: ${what} is "${text}", not a number`);
  return n;
}

const EMPTY_PASSES: readonly PassRecord[] = Object.freeze([]);

class Tracker implements HATracker, ModelContext {
  readonly semantics: Semantics;
  private readonly configs: TenantConfigs;
  private readonly store: TrackerOptions['store'];
  private readonly random: TrackerOptions['random'];
  private readonly commitEvery: number;
  private readonly tenants = new Map<string, TenantState>();
  private readonly dirtyMemory: Entry[] = [];
  private pending: Election[] = [];
  private readonly recordPasses: boolean;
  private passLog: PassRecord[] = [];
  /** KV writes so far (what a pass record counts). */
  private kvWrites = 0;
  private sinceCommit = 0;
  private firstMs: number | null = null;
  private nextPassMs = Infinity;
  private nextCleanupMs = Infinity;
  private nowMs = -Infinity;
  private cortexDraw = 0; // the uniform draw behind this run's cortex jitter
  private readonly mimirJitter = new Map<string, number>();
  private liveTotal = 0;
  private recordTotal = 0;

  constructor(opts: TrackerOptions) {
    this.semantics = opts.semantics;
    this.configs = opts.configs;
    this.store = opts.store;
    this.random = opts.random;
    this.commitEvery = opts.commitEvery ?? 1000;
    this.recordPasses = opts.recordPasses ?? false;
    this.load();
  }

  // ---- persistence -------------------------------------------------------------------------

  private load(): void {
    const s = this.store;
    const savedSemantics = s.getMeta(META.semantics);
    if (savedSemantics !== undefined && savedSemantics !== this.semantics) {
      throw stateError(
        `the state database holds ${savedSemantics} tracker state and cannot be resumed with --semantics ${this.semantics}; use the same --semantics, another --db, or clear it with "ha-dedup state --db FILE reset"`,
      );
    }
    for (const d of s.loadRecords()) {
      const ts = this.tenant(d.tenant);
      const e = this.entry(ts, d.cluster);
      e.desc = { ...d };
      this.recordTotal += 1;
      if (d.deletedAt === 0) {
        ts.liveCount += 1;
        this.liveTotal += 1;
      }
    }
    for (const m of s.loadMemory()) {
      const ts = this.tenants.get(m.tenant);
      const e = ts?.clusters.get(m.cluster);
      if (!e || !e.desc) continue; // memory of a record that no longer exists
      e.electedLastSeenMs = m.electedLastSeenMs;
      e.nonElectedReplica = m.nonElectedReplica;
      e.nonElectedLastSeenMs = m.nonElectedLastSeenMs;
      e.nonElectedSampleTimeMs = m.nonElectedSampleTimeMs;
    }
    if (savedSemantics === undefined) {
      // A fresh run. Cortex draws its jitter once, when the tracker starts.
      if (this.semantics === 'cortex') this.cortexDraw = this.random.next();
      return;
    }
    const prng = s.getMeta(META.prng);
    if (prng !== undefined) {
      try {
        this.random.setState(prng);
      } catch {
        throw stateError(`state database is inconsistent: saved generator state "${prng}" is not valid`);
      }
    }
    this.firstMs = parseNum(s.getMeta(META.firstMs), META.firstMs) ?? null;
    this.nextPassMs = parseNum(s.getMeta(META.nextPassMs), META.nextPassMs) ?? Infinity;
    this.nextCleanupMs = parseNum(s.getMeta(META.nextCleanupMs), META.nextCleanupMs) ?? Infinity;
    this.cortexDraw = parseNum(s.getMeta(META.cortexJitterDraw), META.cortexJitterDraw) ?? 0;
    if (this.firstMs !== null && this.semantics === 'mimir' && this.nextPassMs === Infinity) this.nextPassMs = this.firstMs + this.passInterval();
    if (this.firstMs !== null && this.nextCleanupMs === Infinity) this.nextCleanupMs = this.firstMs + CLEANUP_PERIOD_MS;
  }

  private saveMeta(): void {
    const s = this.store;
    s.setMeta(META.version, '1');
    s.setMeta(META.semantics, this.semantics);
    s.setMeta(META.prng, this.random.getState());
    if (this.firstMs !== null) s.setMeta(META.firstMs, String(this.firstMs));
    if (this.nextPassMs !== Infinity) s.setMeta(META.nextPassMs, String(this.nextPassMs));
    if (this.nextCleanupMs !== Infinity) s.setMeta(META.nextCleanupMs, String(this.nextCleanupMs));
    if (this.semantics === 'cortex') {
      s.setMeta(META.cortexJitterDraw, String(this.cortexDraw));
      s.setMeta(META.cortexJitterMs, String(jitterFromDraw(this.cortexDraw, this.configs.defaults.updateTimeoutJitterMaxMs)));
    }
    for (const [tenant, j] of this.mimirJitter) s.setMeta(META.mimirJitterPrefix + tenant, String(j));
    this.mimirJitter.clear();
  }

  private commit(): void {
    const s = this.store;
    for (let i = 0; i < this.dirtyMemory.length; i++) {
      const e = this.dirtyMemory[i];
      e.memoryDirty = false;
      if (e.desc !== null && e.desc.deletedAt === 0) s.putMemory(memoryOf(e));
    }
    this.dirtyMemory.length = 0;
    this.saveMeta();
    s.commit();
    this.sinceCommit = 0;
  }

  flush(): void {
    this.commit();
  }

  // ---- ModelContext ----------------------------------------------------------------------------

  writeRecord(_ts: TenantState, e: Entry): void {
    if (e.desc !== null) {
      this.store.putRecord(e.desc);
      this.kvWrites++;
    }
  }

  elect(e: Election): void {
    this.pending.push(e);
    this.store.appendElection(e);
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

  private tenant(tenant: string): TenantState {
    let ts = this.tenants.get(tenant);
    if (!ts) {
      ts = { tenant, cfg: configFor(this.configs, tenant), clusters: new Map(), liveCount: 0 };
      this.tenants.set(tenant, ts);
    }
    return ts;
  }

  config(tenant: string): HAConfig {
    return configFor(this.configs, tenant);
  }

  // ---- simulated background work ---------------------------------------------------------------

  private passInterval(): number {
    return this.configs.defaults.updateTimeoutMs; // > 0, checked by createTracker
  }

  advance(nowMs: number): void {
    if (nowMs < this.nowMs) nowMs = this.nowMs; // the clock never goes back
    this.nowMs = nowMs;
    if (this.firstMs === null) {
      this.firstMs = nowMs;
      if (this.semantics === 'mimir') this.nextPassMs = nowMs + this.passInterval();
      this.nextCleanupMs = nowMs + CLEANUP_PERIOD_MS;
      return;
    }
    const mimir = this.semantics === 'mimir';
    const U = this.passInterval();
    for (;;) {
      // Skip ticks that cannot do anything (no live cluster to pass over, no record to clean):
      // they draw nothing and write nothing, so skipping them changes no decision.
      if (mimir && this.liveTotal === 0 && this.nextPassMs <= nowMs) {
        const target = Math.min(nowMs, this.nextCleanupMs);
        if (this.nextPassMs < target) this.nextPassMs += Math.floor((target - this.nextPassMs) / U) * U;
      }
      if (this.recordTotal === 0 && this.nextCleanupMs <= nowMs) {
        this.nextCleanupMs += Math.floor((nowMs - this.nextCleanupMs) / CLEANUP_PERIOD_MS) * CLEANUP_PERIOD_MS;
      }
      const np = mimir ? this.nextPassMs : Infinity;
      const t = Math.min(np, this.nextCleanupMs);
      if (t > nowMs) break;
      const w0 = this.kvWrites;
      const e0 = this.pending.length;
      if (np <= this.nextCleanupMs) {
        this.runPass(np);
        this.nextPassMs = np + U;
        if (this.recordPasses) this.passLog.push({ kind: 'update', atMs: np, writes: this.kvWrites - w0, elections: this.pending.splice(e0) });
      } else {
        const at = this.nextCleanupMs;
        this.runCleanup(at);
        this.nextCleanupMs += CLEANUP_PERIOD_MS;
        if (this.recordPasses) this.passLog.push({ kind: 'cleanup', atMs: at, writes: this.kvWrites - w0, elections: this.pending.splice(e0) });
      }
    }
  }

  private sortedTenants(): TenantState[] {
    return [...this.tenants.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  }

  private static sortedEntries(ts: TenantState): Entry[] {
    return [...ts.clusters.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  }

  /** Mimir's updateKVStoreAll at tick time tMs: one jitter draw per tenant that has live clusters. */
  private runPass(tMs: number): void {
    for (const ts of this.sortedTenants()) {
      if (ts.liveCount === 0) continue;
      const jitter = ts.cfg.updateTimeoutJitterMaxMs > 0 ? jitterFromDraw(this.random.next(), ts.cfg.updateTimeoutJitterMaxMs) : 0;
      this.mimirJitter.set(ts.tenant, jitter);
      for (const e of Tracker.sortedEntries(ts)) mimirPassEntry(this, ts, e, tMs, jitter);
    }
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
            this.store.deleteRecord(ts.tenant, e.cluster);
            this.store.deleteMemory(ts.tenant, e.cluster);
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
          this.store.putRecord(d);
          this.store.deleteMemory(ts.tenant, e.cluster);
          this.kvWrites++;
        }
      }
    }
  }

  // ---- decisions ---------------------------------------------------------------------------------

  private check(ts: TenantState, cluster: string, replica: string, nowMs: number, sampleTimeMs: number): CheckCode {
    const hadLive = ts.liveCount;
    const hadRecord = (ts.clusters.get(cluster)?.desc ?? null) !== null;
    const code: CheckCode =
      this.semantics === 'cortex'
        ? cortexCheck(this, ts, cluster, replica, nowMs, jitterFromDraw(this.cortexDraw, ts.cfg.updateTimeoutJitterMaxMs))
        : mimirCheck(this, ts, cluster, replica, nowMs, sampleTimeMs);
    if (ts.liveCount !== hadLive) {
      // A cluster was created, or revived after being marked deleted.
      this.liveTotal += ts.liveCount - hadLive;
      if (!hadRecord) this.recordTotal += 1;
    }
    return code;
  }

  decide(tenant: string, write: WriteRequest, nowMs: number): RequestDecision {
    const ts = this.tenant(tenant);
    const cfg = ts.cfg;
    const series = write.timeseries;
    const n = series.length;
    let result: RequestDecision;
    if (n === 0) {
      result = { outcome: 'passthrough', series: [], replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS.passthrough };
    } else if (!cfg.acceptHaSamples) {
      result = { outcome: 'passthrough', series: new Array<SeriesDecision>(n).fill(PASSTHROUGH_DECISION), replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS.passthrough };
    } else if (!cfg.perSample) {
      result = this.decidePerRequest(ts, series, nowMs);
    } else {
      result = this.decidePerSample(ts, series, nowMs);
    }
    this.sinceCommit += 1;
    if (this.commitEvery > 0 && this.sinceCommit >= this.commitEvery) this.commit();
    return result;
  }

  private sampleTime(ts: TenantState, series: readonly TimeSeries[], nowMs: number, cluster?: string, replica?: string): number {
    if (this.semantics !== 'mimir' || ts.cfg.sampleFailoverTimeoutMs <= 0) return nowMs;
    return earliestSampleTime(series, nowMs, ts.cfg.clusterLabel, ts.cfg.replicaLabel, cluster, replica);
  }

  private decidePerRequest(ts: TenantState, series: readonly TimeSeries[], nowMs: number): RequestDecision {
    const cfg = ts.cfg;
    scanHALabels(series[0], cfg.clusterLabel, cfg.replicaLabel);
    const cluster = scannedCluster;
    const replica = scannedReplica;
    const n = series.length;
    if (cluster === '' || replica === '') {
      return { outcome: 'non_ha', series: new Array<SeriesDecision>(n).fill(NON_HA_DECISION), replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS.non_ha };
    }
    const code = this.check(ts, cluster, replica, nowMs, this.sampleTime(ts, series, nowMs));
    const outcome: Outcome = code === CHECK_ACCEPT ? 'accepted' : code === CHECK_DEDUPE ? 'deduped' : 'rejected_too_many_clusters';
    const d: SeriesDecision = { outcome, cluster, replica, stripReplica: code === CHECK_ACCEPT };
    const result: RequestDecision = { outcome, series: new Array<SeriesDecision>(n).fill(d), replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS[outcome] };
    if (code === CHECK_DEDUPE) result.message = dedupeMessage(replica, ts.clusters.get(cluster)!.desc!.replica);
    else if (code !== CHECK_ACCEPT) result.message = tooManyMessage(cfg.maxClusters);
    return result;
  }

  private decidePerSample(ts: TenantState, series: readonly TimeSeries[], nowMs: number): RequestDecision {
    const cfg = ts.cfg;
    const n = series.length;
    const out = new Array<SeriesDecision>(n);
    // Decisions already made in this request, per (cluster, replica); the tracker is asked once
    // per distinct pair, in order of first appearance.
    let lastCluster = '';
    let lastReplica = '';
    let lastDecision: SeriesDecision | null = null;
    let seen: Map<string, SeriesDecision> | null = null;
    let anyRejected = false;
    let anyDeduped = false;
    let dedupeMsg: string | undefined;
    let rejectMsg: string | undefined;
    for (let i = 0; i < n; i++) {
      scanHALabels(series[i], cfg.clusterLabel, cfg.replicaLabel);
      const cluster = scannedCluster;
      const replica = scannedReplica;
      if (cluster === '' || replica === '') {
        out[i] = NON_HA_DECISION;
        continue;
      }
      if (lastDecision !== null && cluster === lastCluster && replica === lastReplica) {
        out[i] = lastDecision;
        continue;
      }
      const key = cluster + '\xff' + replica;
      let d = seen?.get(key);
      if (d === undefined) {
        const code = this.check(ts, cluster, replica, nowMs, this.sampleTime(ts, series, nowMs, cluster, replica));
        const outcome: Outcome = code === CHECK_ACCEPT ? 'accepted' : code === CHECK_DEDUPE ? 'deduped' : 'rejected_too_many_clusters';
        d = { outcome, cluster, replica, stripReplica: code === CHECK_ACCEPT };
        if (code === CHECK_DEDUPE) {
          anyDeduped = true;
          dedupeMsg ??= dedupeMessage(replica, ts.clusters.get(cluster)!.desc!.replica);
        } else if (code !== CHECK_ACCEPT) {
          anyRejected = true;
          rejectMsg ??= tooManyMessage(cfg.maxClusters);
        }
        (seen ??= new Map()).set(key, d);
      }
      out[i] = d;
      lastCluster = cluster;
      lastReplica = replica;
      lastDecision = d;
    }
    const result: RequestDecision = {
      outcome: out[0].outcome,
      series: out,
      replicaLabel: cfg.replicaLabel,
      status: anyRejected ? OUTCOME_STATUS.rejected_too_many_clusters : anyDeduped ? OUTCOME_STATUS.deduped : 200,
    };
    const msg = rejectMsg ?? dedupeMsg;
    if (msg !== undefined) result.message = msg;
    return result;
  }

  drainElections(): Election[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  drainPasses(): readonly PassRecord[] {
    if (this.passLog.length === 0) return EMPTY_PASSES;
    const out = this.passLog;
    this.passLog = [];
    return out;
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

/** The tracker for one run. See TrackerOptions; the pipeline calls advance(now), decide(...), drainElections(), and flush() at the end. */
export function createTracker(opts: TrackerOptions): HATracker {
  if (opts.semantics === 'mimir' && !(opts.configs.defaults.updateTimeoutMs > 0)) {
    // Mimir's background pass is a ticker with this period (Go refuses a zero period).
    throw usageError('--update-timeout must be greater than 0 with --semantics mimir: its background pass runs every update timeout');
  }
  return new Tracker(opts);
}
