// The contract between the tracker (pure HA decision) and the pipeline that drives it.
// The tracker never reads the wall clock: every call carries the simulated `nowMs`, and jitter
// comes from a seeded generator created from `seed`.

import type { Election, HAConfig, Outcome, Semantics, WriteRequest } from '../model/index.js';

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
  /** Persist in-memory tracker state with the store's current transaction and commit it. */
  flush(): void;
}
