// The contract between the tracker (pure HA decision) and the code that drives it.
//
// The tracker never reads the wall clock: every call carries the simulated `nowMs`, and jitter
// comes from a seeded generator created from `seed`. It never touches a store either: the pure
// tracker (PureTracker, createPureTracker) starts from a StateSnapshot and returns what every
// call changed as StateOps (src/model/state.ts); the pipeline (src/pipeline/lane.ts) writes them
// to the lane's store through the port (src/store/port.ts) and commits. createTracker wraps a
// pure tracker with a synchronous store for callers that want round 1's one object (tests, the
// bench's in-process consumers).
//
// Inside: one decision model per tracker (model.ts: Cortex in cortex.ts, Mimir in mimir.ts), and
// one dedupe strategy per tenant (strategy.ts: per-request.ts, per-sample.ts).

import type { ClusterMemory, Election, HAConfig, Outcome, ReplicaDesc, Semantics, StateOp, StateSnapshot, WriteRequest } from '../model/index.js';

export { NEVER_MS, type ClusterMemory } from '../model/index.js';

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

/** A seeded generator (src/clock/prng.ts createPrng(seed) is one). */
export interface RandomSource {
  /** Uniform float in [0, 1). */
  next(): number;
  getState(): string;
  setState(state: string): void;
}

/** One background tick the tracker ran (Mimir's update pass, the 30-minute cleanup). */
export interface PassRecord {
  kind: 'update' | 'cleanup';
  atMs: number;
  /** KV writes the tick made (record writes; cleanup's marks and deletions). */
  writes: number;
  elections: Election[];
}

// ---------------------------------------------------------------------------------------------
// The pure tracker.

/**
 * What one call changed. The arrays are the tracker's own, reused: valid until its next
 * advance() or decide() (write the ops to the store before that; the port's write() copies).
 */
export interface TrackerChanges {
  /** The writes to apply to the store, in the order they happened: KV record writes and deletes, memory deletes, elections. */
  readonly ops: readonly StateOp[];
  /** The elections made, in order (also in `ops`, as append-election). */
  readonly elections: readonly Election[];
}

/** What advance() did: the background ticks run, in time order, and their changes. */
export interface Advanced extends TrackerChanges {
  /** Each tick with the elections it made (every election of an advance is in one of them). */
  readonly passes: readonly PassRecord[];
}

/** What decide() did: the request's decision, and its changes (in-band elections, KV writes). */
export interface Decided extends TrackerChanges {
  readonly decision: RequestDecision;
}

/**
 * The HA tracker as the pipeline drives it: per request advance(now), then decide(..., now);
 * every N requests and at the end, checkpoint() with the store's commit. Pure: no I/O, no wall
 * clock, jitter from the injected generator; the same calls on the same snapshot give the same
 * results and ops.
 */
export interface PureTracker {
  readonly semantics: Semantics;
  config(tenant: string): HAConfig;
  /**
   * Move simulated time to nowMs (non-decreasing): runs the background passes (mimir) and the
   * 30-minute cleanups that fall at or before nowMs, in time order. A tick at the same time as a
   * request runs first, so advance(now) comes before decide(..., now).
   */
  advance(nowMs: number): Advanced;
  /** Decide one request (labels per SPEC 6.1/6.2, tracker per 6.3/6.4). */
  decide(tenant: string, write: WriteRequest, nowMs: number): Decided;
  /**
   * The state only the tracker's memory holds, as ops to write just before a commit: the
   * distributor memory that changed since the last checkpoint, the schedule, the generator state,
   * the drawn jitter. A fresh array.
   */
  checkpoint(): StateOp[];
  /** The KV record of a cluster (a copy), or undefined. */
  record(tenant: string, cluster: string): ReplicaDesc | undefined;
  /** Every KV record (copies), sorted by tenant then cluster. */
  records(): ReplicaDesc[];
  /** The distributor-memory part of a live cluster (mimir; a copy), or undefined. */
  memory(tenant: string, cluster: string): ClusterMemory | undefined;
}

export interface PureTrackerOptions {
  semantics: Semantics;
  configs: TenantConfigs;
  /** Jitter source, e.g. createPrng(seed). With a resumed `state` its saved state replaces the seed's. */
  random: RandomSource;
  /**
   * What the store held when the run started (StatePort.load()); absent or empty = a fresh run.
   * Refused (HaDedupError 'state') when it holds the other model's state or inconsistent meta.
   */
  state?: StateSnapshot;
}

// ---------------------------------------------------------------------------------------------
// The tracker with a synchronous store attached (createTracker): round 1's interface.

/** A store the wrapper can drive synchronously (the memory and SQLite adapters are). */
export interface TrackerStore {
  load(): StateSnapshot;
  write(ops: readonly StateOp[]): void;
  commit(): void;
}

export interface HATracker {
  readonly semantics: Semantics;
  config(tenant: string): HAConfig;
  /** PureTracker.advance, its ops written to the store. */
  advance(nowMs: number): void;
  /** PureTracker.decide, its ops written to the store; commits every `commitEvery` requests. */
  decide(tenant: string, write: WriteRequest, nowMs: number): RequestDecision;
  /** Elections made since the last call, in the order they happened. */
  drainElections(): Election[];
  /**
   * With TrackerOptions.recordPasses: the background ticks run since the last call, each with
   * the elections it made (those are then not in drainElections()). Empty otherwise.
   */
  drainPasses(): readonly PassRecord[];
  /** Write the checkpoint and commit the store. */
  flush(): void;
  /** The KV record of a cluster (a copy), or undefined. */
  record(tenant: string, cluster: string): ReplicaDesc | undefined;
  /** Every KV record (copies), sorted by tenant then cluster. */
  records(): ReplicaDesc[];
  /** The distributor-memory part of a live cluster (mimir; a copy), or undefined. */
  memory(tenant: string, cluster: string): ClusterMemory | undefined;
}

export interface TrackerOptions {
  semantics: Semantics;
  configs: TenantConfigs;
  /** Loaded when the tracker is created; written and committed by it. */
  store: TrackerStore;
  /** Jitter source, e.g. createPrng(seed). On a resumed store its saved state replaces the seed's. */
  random: RandomSource;
  /** Requests between automatic commits (default 1000); 0 commits only on flush(). */
  commitEvery?: number;
  /** Keep a log of background ticks for drainPasses(). */
  recordPasses?: boolean;
}
