// The events of a run, and the consumer interface (STYLE: a pipeline with a pure core).
//
//   inputs --decode--> DecodedRequest stream (clock order) --> lane 1: clock, HA labels, tracker --> events --> consumers
//                                                          \-> lane 2 ...   (what-if: one lane per cell)
//
// The pipeline (src/pipeline/) reads every input once, decodes each record once, merges the
// inputs in clock order and feeds each request to every lane. A lane owns one simulated clock,
// one HA tracker (or none, for inspect) with its state store, and a list of consumers; it emits,
// per request and in this order:
//   1. pass events for the background work due at or before the request's time (Mimir's
//      background update pass, the 30-minute cleanup), each followed by the elections it made;
//   2. the elections the request itself made (Cortex failover, a cluster's first election);
//   3. the request event, with its HA labels and the tracker's decision.
// Bad records are emitted as they are met; `end` once, after the last request.
//
// Consumers: the report builder (src/report/), each output writer (src/wire/), inspect's
// summary, doctor's checks, the timeline, send. A consumer is one object with the methods
// below, all optional; adding one is one new file plus one line where the command chooses its
// consumers. Consumers are called in the order given, never concurrently; a returned promise
// (an output's backpressure) is awaited before the next event. Event objects and the arrays in
// them are valid only during the call (the pipeline reuses them): copy what you keep.
import type { DecodedRequest, SeriesCatalog } from './decoded.js';
import type { BadRecord, ClockSource, Election, HAConfig, InputFormat, Outcome, ReplicaDesc, Semantics } from './types.js';

/** Outcome codes of Decision.outcomes (index into OUTCOMES). */
export const OUTCOME_ACCEPTED = 0;
export const OUTCOME_NON_HA = 1;
export const OUTCOME_DEDUPED = 2;
export const OUTCOME_REJECTED = 3;
export const OUTCOME_PASSTHROUGH = 4;
export const OUTCOMES: readonly Outcome[] = ['accepted', 'non_ha', 'deduped', 'rejected_too_many_clusters', 'passthrough'];

/** One (cluster, replica) of HA series. */
export interface HAPair {
  cluster: string;
  replica: string;
}

/**
 * The HA labels of a request's series, read with its tenant's cluster and replica label names
 * (SPEC 6.2): a series is HA when both labels are present and non-empty.
 */
export interface HALabels {
  /** Per series (wire order): index into `pairs`, or -1 when the series is not HA. */
  seriesPair: Int32Array;
  /** The distinct pairs of the request's HA series, in order of first appearance. */
  pairs: readonly HAPair[];
  /**
   * Per series, why it is not HA (0 when it is): bit 1 = no (or empty) cluster label, bit 2 =
   * no (or empty) replica label. Doctor's partial-ha-labels reads it.
   */
  missing: Uint8Array;
}
export const MISSING_CLUSTER = 1;
export const MISSING_REPLICA = 2;

/** What the tracker decided for one request (SPEC 6.1-6.7). */
export interface Decision {
  /** The request's outcome (per request), the first series' (per sample), passthrough for metadata only. */
  outcome: Outcome;
  /**
   * The HTTP status the real system answers (SPEC 6.7). Per request: the outcome's. Per sample:
   * 400 if any series was rejected for too many clusters, else 202 if any was deduped, else 200.
   */
  status: number;
  /** "replicas did not match, rejecting sample: replica=R, elected=E", the too-many-clusters message, or null. */
  message: string | null;
  /** The replica label name in force for the tenant: an accepted series leaves without it. */
  replicaLabel: string;
  /** Per series (wire order): its outcome code (OUTCOME_*). An accepted series loses its replica label. */
  outcomes: Uint8Array;
  /**
   * Per series: the pair it was decided and is counted under, as an index into HALabels.pairs,
   * or -1 (non-HA, passthrough). Per request every series takes the deciding (first) series'
   * pair; per sample each series its own.
   */
  pairOf: Int32Array;
}

/** Context handed to every consumer before the first event. */
export interface RunStart {
  /** The run's label sets by SeriesId (shared by every lane). */
  catalog: SeriesCatalog;
  /** Input paths as given ("-" = stdin). */
  inputs: readonly string[];
  /** This lane's decision model, or null when the lane runs no tracker (inspect). */
  semantics: Semantics | null;
  /** Effective HA settings of a tenant (defaults merged with overrides). */
  config(tenant: string): HAConfig;
  /** Tenant applied to records that carry none (--tenant). */
  defaultTenant: string;
  /**
   * Commit the lane's tracker state to its store now (a --db commit after the output; issue 13.5).
   * A promise when the store answers with one (await it before the next event returns).
   */
  commitState?(): void | Promise<void>;
}

export interface RequestEvent {
  /** 0-based position of the request in the merged stream (the same in every lane). */
  seq: number;
  request: DecodedRequest;
  /** The effective tenant: the record's, else --tenant. */
  tenant: string;
  /** The record's own time (SPEC 5) before the clock's max(): what a regression is measured by. */
  recordTimeMs: number;
  /** Simulated now the request was decided at. */
  nowMs: number;
  ha: HALabels;
  /** null when the lane runs no tracker. */
  decision: Decision | null;
}

/** A leader change, emitted before the request event it precedes (SPEC 9 windows rely on it). */
export interface ElectionEvent {
  election: Election;
  /** seq of the request being decided (in-band election) or about to be (after a pass). */
  seq: number;
  /** 'request': made while deciding a request (Cortex failover, any first election); 'pass': by Mimir's background pass. */
  cause: 'request' | 'pass';
}

/** Background work the simulated tracker ran. */
export interface PassEvent {
  kind: 'update' | 'cleanup';
  /** Simulated time of the tick. */
  atMs: number;
  /** Records the pass wrote (heartbeats, failovers; cleanup marks and deletions). */
  writes: number;
}

export interface BadRecordEvent {
  bad: BadRecord;
  /** Whether `bad.index` counts records or lines. */
  unit: 'record' | 'line';
}

/** Per input, what was read (the report's `inputs`). */
export interface InputSummary {
  path: string;
  format: InputFormat | 'unknown';
  records: number;
  bad_records: number;
}

export interface EndEvent {
  inputs: readonly InputSummary[];
  clock: {
    /** What was used: receive times where the records had them, else sample times. */
    source: ClockSource;
    first_ms: number | null;
    last_ms: number | null;
    clock_regressions: number;
  };
  /** Every bad record met (also emitted one by one): count, and the first 100 of them. */
  badRecordCount: number;
  badRecords: readonly BadRecordEvent[];
  /** The tracker's records at the end (sorted by tenant, cluster); empty without a tracker. */
  state: readonly ReplicaDesc[];
  /** Elections a resumed --db held from earlier runs (SPEC 7), oldest first; empty for a fresh store. */
  priorElections: readonly Election[];
  /** Tenants seen in requests or named in the overrides, sorted. */
  tenants: readonly string[];
}

/** One consumer of a lane's events. Every method is optional. */
export interface Consumer {
  begin?(ctx: RunStart): void;
  pass?(ev: PassEvent): void;
  election?(ev: ElectionEvent): void;
  /** May return a promise (backpressure): the pipeline waits for it before the next event. */
  request?(ev: RequestEvent): void | Promise<void>;
  badRecord?(ev: BadRecordEvent): void;
  /** Flush; called once after the last request. */
  end?(ev: EndEvent): void | Promise<void>;
}
