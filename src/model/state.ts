// Tracker state as data, the state store port, and the tracker as the pipeline drives it.
//
// The tracker (src/tracker/) is pure: it holds its working state in memory, decides, and
// returns what changed as StateOps; it never touches a store. The pipeline applies the ops to
// the lane's StatePort and commits in batches (SPEC 7: KV rows written only when the real KV
// would be; WAL; a killed run resumes from its last commit). Store adapters (src/store/)
// implement StatePort and import nothing from src/tracker/.
import type { DecodedRequest } from './decoded.js';
import type { Decision, HALabels } from './events.js';
import type { Election, HAConfig, ReplicaDesc, Semantics } from './types.js';

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

/** "Never seen": far enough in the past that now - NEVER_MS is larger than any timeout. */
export const NEVER_MS = -1e15;

/** One write to the state. Applied in order; for a key, the last write wins. */
export type StateOp =
  | { op: 'put-record'; record: ReplicaDesc }
  | { op: 'delete-record'; tenant: string; cluster: string }
  | { op: 'put-memory'; memory: ClusterMemory }
  | { op: 'delete-memory'; tenant: string; cluster: string }
  | { op: 'append-election'; election: Election }
  | { op: 'set-meta'; key: string; value: string };

/** Everything a store holds, as plain data (what `state show` prints, what a tracker restores from). */
export interface StateSnapshot {
  /** Sorted by tenant, then cluster. */
  records: ReplicaDesc[];
  memory: ClusterMemory[];
  /** Oldest first. */
  elections: Election[];
  /** Sorted by key. */
  meta: [string, string][];
}

/**
 * The state store port. Writes are buffered by the adapter and made durable together by
 * commit(), one transaction. Async-capable so that a network KV (etcd, Consul) can sit behind
 * it; the SQLite and memory adapters resolve at once.
 */
export interface StatePort {
  /** 'sqlite' (file or in memory), 'memory' (plain maps, `--db memory:`). */
  readonly kind: string;
  /** The database file, or null for a store held in memory. */
  readonly path: string | null;
  /** Every committed value, plus what is buffered. */
  load(): Promise<StateSnapshot>;
  /** Buffer writes for the next commit (they are visible to load() at once). */
  write(ops: readonly StateOp[]): void | Promise<void>;
  /** Make every buffered write durable in one transaction. */
  commit(): Promise<void>;
  /** Remove all state and commit at once; buffered writes are dropped. */
  reset(): Promise<void>;
  /** Release the store; buffered (uncommitted) writes are dropped. */
  close(): Promise<void>;
}

/** What one tracker call did, in the order it happened. The object is reused: valid until the next call. */
export interface TrackerStep {
  /** Background ticks run (advance only). */
  passes: readonly { kind: 'update' | 'cleanup'; atMs: number; writes: number; elections: readonly Election[] }[];
  /** Elections made while deciding the request (decide only). */
  elections: readonly Election[];
  /** KV writes and election history to apply to the store, in order. */
  ops: readonly StateOp[];
}

/**
 * The HA tracker as the pipeline drives it (src/tracker/ implements it; Cortex and Mimir are
 * two models behind it, per-request and per-sample dedupe two strategies). Pure: time comes in
 * as `nowMs`, jitter from the seeded generator it was built with.
 */
export interface HATracker {
  readonly semantics: Semantics;
  /** Effective settings of a tenant. */
  config(tenant: string): HAConfig;
  /** Continue from persisted state (before the first call); throws HaDedupError('state') when it is inconsistent. */
  restore(snapshot: StateSnapshot): void;
  /**
   * Move simulated time to nowMs (non-decreasing): runs the background passes (Mimir) and the
   * 30-minute cleanups due at or before nowMs, in time order. Called before decide(..., nowMs).
   */
  advance(nowMs: number): TrackerStep;
  /** Decide one request; fills `out` (its arrays sized to the request by the caller). */
  decide(tenant: string, request: DecodedRequest, ha: HALabels, nowMs: number, out: Decision): TrackerStep;
  /** The in-memory state to persist with the next commit (distributor memory, clocks, generator state). */
  checkpoint(): readonly StateOp[];
  /** Every KV record (copies), sorted by tenant then cluster. */
  records(): ReplicaDesc[];
  /** The distributor-memory part of a live cluster (a copy), or undefined. */
  memory(tenant: string, cluster: string): ClusterMemory | undefined;
}
