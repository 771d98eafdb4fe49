// Tracker state as data: what the tracker returns as changes and restores from, and what a
// state store holds.
//
// The tracker (src/tracker/) is pure: it holds its working state in memory, decides, and
// returns what changed as StateOps; it never touches a store. The pipeline (src/pipeline/lane.ts)
// applies the ops to the lane's store through the port (src/store/port.ts StatePort) and commits
// in batches (SPEC 7: KV rows written only when the real KV would be; a killed run resumes from
// its last commit). Store adapters (src/store/) import these types from here, nothing from
// src/tracker/.
import type { Election, ReplicaDesc } from './types.js';

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

/**
 * One write to the state. Applied in order; for a key ((tenant, cluster) of a record or of a
 * memory entry, a meta key), the last write wins. Elections are appended in order.
 *
 * An op may hold an object the tracker keeps changing (a record it updates in place): an adapter
 * reads the values when commit() is called, and what it writes is the value at that moment.
 */
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

