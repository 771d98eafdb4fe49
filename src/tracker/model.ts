// The decision model interface: what differs between Cortex and Mimir (SPEC 6.3, 6.4), behind
// one interface the tracker (tracker.ts) drives. cortex.ts and mimir.ts implement it; models.ts
// maps a --semantics value to one. Adding a model is one new file implementing DecisionModel
// plus its line in models.ts (docs/extending.md "Adding a model").
//
// The tracker around a model owns what both systems share: the tenants' entries (state.ts), the
// 30-minute cleanup, the schedule of background ticks, the dedupe strategies (per request, per
// sample: strategy.ts), persistence as ops, and the generator. A model decides one (cluster,
// replica) at a time and runs its own background pass, if it has one.
import type { Election, HAConfig, Semantics } from '../model/index.js';
import type { RandomSource, TenantConfigs } from './api.js';
import type { Entry, TenantState } from './state.js';

/** Result of asking a model about one (cluster, replica): accepted, deduped (elected replica is entry.desc.replica) or rejected. */
export const CHECK_ACCEPT = 0;
export const CHECK_DEDUPE = 1;
export const CHECK_REJECT = 2;
export type CheckCode = typeof CHECK_ACCEPT | typeof CHECK_DEDUPE | typeof CHECK_REJECT;

/** What a decision model may do to the tracker around it (the tracker turns these into state ops). */
export interface ModelContext {
  /** The KV record of `e` (e.desc) was written: call exactly when the real KV would be. */
  writeRecord(ts: TenantState, e: Entry): void;
  /** A leader change (from null = the cluster's first election). */
  elect(e: Election): void;
  /** The distributor-memory part of `e` changed (persisted with the next checkpoint). */
  touchMemory(e: Entry): void;
  /** Get or create a tenant's cluster entry. */
  entry(ts: TenantState, cluster: string): Entry;
}

/** Writes a model's meta entries (persisted with the tracker's checkpoint). */
export type MetaWriter = (key: string, value: string) => void;

/**
 * One decision model. An instance belongs to one tracker (it may keep per-run state, like
 * Cortex's jitter draw); every method is called on the tracker's simulated time, never the wall
 * clock, and draws only from the RandomSource it is handed.
 */
export interface DecisionModel {
  /** The --semantics value (saved in the store: a resumed store must be resumed by the same model). */
  readonly semantics: Semantics;
  /**
   * Period of the model's background pass (Mimir: every update timeout), or 0 for none. Throws
   * a usage error for settings the model cannot run with (checked when the tracker is created).
   */
  passPeriodMs(configs: TenantConfigs): number;
  /** A fresh run (nothing saved): draw what the model draws once at start-up (Cortex's jitter). */
  start(random: RandomSource): void;
  /** A resumed run: read back what save() wrote (HaDedupError 'state' when it is not valid). */
  restore(meta: ReadonlyMap<string, string>): void;
  /** Persist per-run state (with every checkpoint). */
  save(put: MetaWriter, configs: TenantConfigs): void;
  /** Whether check() reads `sampleTimeMs` for this tenant (else the tracker passes nowMs and skips the scan). */
  usesSampleTime(cfg: HAConfig): boolean;
  /**
   * One request (per request) or one distinct (cluster, replica) of a request (per sample) from
   * `replica` of `cluster` at `nowMs`. `sampleTimeMs`: the earliest sample time of its series.
   * Updates the tenant's state through `ctx`; on CHECK_REJECT nothing may change.
   */
  check(ctx: ModelContext, ts: TenantState, cluster: string, replica: string, nowMs: number, sampleTimeMs: number): CheckCode;
  /**
   * The background pass at tick time `tMs` over every tenant (sorted by name; each tenant's
   * entries are sorted by cluster by `entries`). Only called when passPeriodMs() > 0.
   */
  pass(ctx: ModelContext, tenants: readonly TenantState[], entries: (ts: TenantState) => Entry[], tMs: number, random: RandomSource): void;
}

/** The update-timeout jitter of a uniform draw u: uniform in [-max, +max) ms. */
export function jitterFromDraw(u: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  return Math.floor(u * 2 * maxMs) - maxMs;
}
