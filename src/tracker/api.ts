// The contract between the tracker (pure HA decision) and the pipeline that drives it.
// The tracker never reads the wall clock: every call carries the simulated `nowMs`, and jitter
// comes from a seeded generator created from `seed`.

import type { Election, HAConfig, Outcome, ReplicaDesc, Semantics, WriteRequest } from '../model/index.js';

/** Effective configuration for every tenant: defaults plus per-tenant overrides (already merged). */
export interface TenantConfigs {
  defaults: HAConfig;
  perTenant: Map<string, HAConfig>;
}

export interface SeriesDecision {
  outcome: Outcome;
  cluster: string | null; // HA cluster of this series (per-sample) or of the request's deciding series
  replica: string | null;
  /** True when the output must drop the tenant's replica label from this series. */
  stripReplica: boolean;
}

export interface RequestDecision {
  /** The request's outcome (per-request mode), or the first series' outcome (per-sample mode); passthrough for metadata-only. */
  outcome: Outcome;
  /** One entry per timeseries of the request, same order. */
  series: SeriesDecision[];
  /** The replica label name in force for this tenant (what stripReplica removes). */
  replicaLabel: string;
  /** "replicas did not match, rejecting sample: replica=R, elected=E" for deduped, else undefined. */
  message?: string;
  /**
   * The HTTP status the real system answers (SPEC 6.7). Per request: the outcome's status. Per
   * sample: 400 if any series was rejected for too many clusters, else 202 if any was deduped, else 200.
   */
  status: number;
}

export interface HATracker {
  readonly semantics: Semantics;
  config(tenant: string): HAConfig;
  /**
   * Move simulated time to nowMs (non-decreasing): runs the background passes (mimir) and the
   * 30-minute cleanups that fall at or before nowMs, in time order. A tick at the same time as a
   * request runs first, so the pipeline calls advance(now) before decide(..., now).
   */
  advance(nowMs: number): void;
  /** Decide one request (labels per SPEC 6.1/6.2, tracker per 6.3/6.4). */
  decide(tenant: string, write: WriteRequest, nowMs: number): RequestDecision;
  /** Elections made since the last call, in the order they happened. */
  drainElections(): Election[];
  /**
   * With TrackerOptions.recordPasses: the background ticks run since the last call, each with
   * the elections it made (those are then not in drainElections()). Empty otherwise.
   */
  drainPasses(): readonly PassRecord[];
  /** Persist in-memory tracker state with the store's current transaction and commit it. */
  flush(): void;
  /** The KV record of a cluster (a copy), or undefined. */
  record(tenant: string, cluster: string): ReplicaDesc | undefined;
  /** Every KV record (copies), sorted by tenant then cluster. */
  records(): ReplicaDesc[];
  /** The distributor-memory part of a live cluster (mimir; a copy), or undefined. */
  memory(tenant: string, cluster: string): ClusterMemory | undefined;
}

// ---------------------------------------------------------------------------------------------
// Extensions (tracker owner): the injected generator, the state port the tracker writes through,
// and the factory options. The store adapters in src/store/ implement TrackerStore.

/** A seeded generator (src/clock/prng.ts createPrng(seed) is one). */
export interface RandomSource {
  /** Uniform float in [0, 1). */
  next(): number;
  getState(): string;
  setState(state: string): void;
}

/** "Never seen": far enough in the past that now - NEVER_MS is larger than any timeout. */
export const NEVER_MS = -1e15;

/**
 * What Mimir keeps for one cluster in each distributor's memory (haClusterInfo), beside the KV
 * record. Persisted so that a resumed replay decides exactly as an uninterrupted one.
 */
export interface ClusterMemory {
  tenant: string;
  cluster: string;
  /** Last time a request from the elected replica was seen (NEVER_MS if not since it was elected). */
  electedLastSeenMs: number;
  /** Last replica seen that was not the elected one ("" if none). */
  nonElectedReplica: string;
  /** When that replica was last seen (NEVER_MS if never). */
  nonElectedLastSeenMs: number;
  /** Earliest sample timestamp of that replica's last request (for --sample-failover-timeout). */
  nonElectedSampleTimeMs: number;
}

/**
 * The port the tracker persists through. Writes are buffered by the adapter and made durable
 * together by commit() (one transaction); the tracker keeps its working state in memory and
 * only reads the store when it is created.
 */
export interface TrackerStore {
  loadRecords(): ReplicaDesc[];
  loadMemory(): ClusterMemory[];
  loadElections(): Election[];
  getMeta(key: string): string | undefined;
  /** Buffered like every write: committed with the next commit(). */
  setMeta(key: string, value: string): void;
  /** The KV write of a (tenant, cluster) record: only called when the real KV would be written. */
  putRecord(desc: ReplicaDesc): void;
  deleteRecord(tenant: string, cluster: string): void;
  putMemory(mem: ClusterMemory): void;
  deleteMemory(tenant: string, cluster: string): void;
  appendElection(e: Election): void;
  /** Make every buffered write durable in one transaction. */
  commit(): void;
}

/** One background tick the tracker ran (Mimir's update pass, the 30-minute cleanup). */
export interface PassRecord {
  kind: 'update' | 'cleanup';
  atMs: number;
  /** KV writes the tick made (record writes; cleanup's marks and deletions). */
  writes: number;
  elections: Election[];
}

export interface TrackerOptions {
  semantics: Semantics;
  configs: TenantConfigs;
  store: TrackerStore;
  /** Jitter source, e.g. createPrng(seed). On a resumed store its saved state replaces the seed's. */
  random: RandomSource;
  /** Requests between automatic commits (default 1000); 0 commits only on flush(). */
  commitEvery?: number;
  /** Keep a log of background ticks for drainPasses() (the event pipeline's pass events). */
  recordPasses?: boolean;
}
