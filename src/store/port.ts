// The state store port: what the tracker persists through (TrackerStore, defined beside the
// tracker so the tracker imports nothing but model), plus what the CLI needs to manage a store.
// Two adapters: memory.ts (plain maps) and sqlite.ts (better-sqlite3, in memory or in a file).
import type { Election, ReplicaDesc } from '../model/index.js';
import type { ClusterMemory, TrackerStore } from '../tracker/api.js';

export type { ClusterMemory, TrackerStore };

export interface StateStore extends TrackerStore {
  readonly kind: 'memory' | 'sqlite';
  /** The database file, or null for a store held in memory. */
  readonly path: string | null;
  /** Every committed meta entry, sorted by key. */
  metaEntries(): [string, string][];
  /** Remove all state (records, memory, elections, meta) and commit at once. Pending writes are dropped. */
  reset(): void;
  /** Commit nothing more and release the database. Pending (uncommitted) writes are dropped. */
  close(): void;
}

/** Everything a store holds, as plain data (what `state show` prints and the contract tests compare). */
export interface StateSnapshot {
  records: ReplicaDesc[];
  memory: ClusterMemory[];
  elections: Election[];
  meta: [string, string][];
}

export function snapshotOf(store: StateStore): StateSnapshot {
  return { records: store.loadRecords(), memory: store.loadMemory(), elections: store.loadElections(), meta: store.metaEntries() };
}

/** An unambiguous map key for (tenant, cluster). */
export function clusterKey(tenant: string, cluster: string): string {
  return `${tenant.length}:${tenant}${cluster}`;
}

export function compareRecords(a: { tenant: string; cluster: string }, b: { tenant: string; cluster: string }): number {
  if (a.tenant !== b.tenant) return a.tenant < b.tenant ? -1 : 1;
  if (a.cluster !== b.cluster) return a.cluster < b.cluster ? -1 : 1;
  return 0;
}
