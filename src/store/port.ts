// The state store port: what the pipeline persists a lane's tracker state through, and what the
// CLI needs to manage a store. The data it carries (StateOp, StateSnapshot, ClusterMemory) is
// defined in src/model/state.ts; nothing here (or anywhere in src/store/) comes from src/tracker/.
//
// Adapters: memory.ts (plain maps, `--db memory:`) and sqlite.ts (better-sqlite3, in memory or
// in a file, the default), both over buffered.ts, which implements the port synchronously. A
// network KV (etcd, Consul) implements the same port with promises: docs/extending.md "Adding a
// store adapter", and test/store/contract.test.ts runs one such adapter (a wrapper that answers
// every call with a promise) beside the real ones.
import type { ClusterMemory, Election, ReplicaDesc, StateOp, StateSnapshot } from '../model/index.js';

export type { ClusterMemory, StateOp, StateSnapshot };

/**
 * The port. Its life, as the pipeline (src/pipeline/lane.ts) drives it:
 *
 *   load()                      once, before the first request: everything committed (and buffered)
 *   write(ops) ... write(ops)   the tracker's changes, request by request (only when there are any)
 *   commit()                    every N requests and at the end: the writes since the last commit,
 *                               durable together (one transaction), or none of them
 *   close()
 *
 * Every method may answer synchronously or with a promise. The pipeline awaits a promise before
 * its next call to the port, so calls are never concurrent, and it does not await (or allocate
 * one) when the answer is synchronous: SQLite and the map adapter cost the hot path nothing.
 *
 * write() takes what it needs from `ops` before it returns (the array is reused by the caller);
 * values of the objects in it are read when commit() is called (StateOp). A write is visible to
 * load() of the same store at once, and durable only after commit() resolves.
 */
export interface StatePort {
  /** 'sqlite' (file or in memory), 'memory' (plain maps), or an adapter's own name. */
  readonly kind: string;
  /** The database file, or null for a store held in memory (or behind a network). */
  readonly path: string | null;
  /** Every committed value, plus what is buffered: records and memory sorted by tenant then cluster, elections oldest first, meta sorted by key. */
  load(): StateSnapshot | Promise<StateSnapshot>;
  /** Buffer writes for the next commit, in order (for a key the last write wins). */
  write(ops: readonly StateOp[]): void | Promise<void>;
  /** Make every buffered write durable in one transaction. */
  commit(): void | Promise<void>;
  /** Remove all state (records, memory, elections, meta) and commit at once; buffered writes are dropped. */
  reset(): void | Promise<void>;
  /** Commit nothing more and release the store; buffered (uncommitted) writes are dropped. */
  close(): void | Promise<void>;
}

/**
 * The synchronous adapters (buffered.ts): the port answering at once, plus the single writes the
 * port's ops stand for (what `state reset`, the tracker's synchronous wrapper and the SQLite
 * tests use).
 */
export interface StateStore extends StatePort {
  readonly kind: 'memory' | 'sqlite';
  load(): StateSnapshot;
  write(ops: readonly StateOp[]): void;
  commit(): void;
  reset(): void;
  close(): void;
  loadRecords(): ReplicaDesc[];
  loadMemory(): ClusterMemory[];
  loadElections(): Election[];
  /** Every committed (and buffered) meta entry, sorted by key. */
  metaEntries(): [string, string][];
  /** A meta value, committed or buffered. */
  getMeta(key: string): string | undefined;
  /** Buffered like every write: committed with the next commit(). */
  setMeta(key: string, value: string): void;
  /** The KV write of a (tenant, cluster) record: only called when the real KV would be written. */
  putRecord(desc: ReplicaDesc): void;
  deleteRecord(tenant: string, cluster: string): void;
  putMemory(mem: ClusterMemory): void;
  deleteMemory(tenant: string, cluster: string): void;
  appendElection(e: Election): void;
}

/** Apply `ops` to a store's single writes, in order (BufferedStore.write; an adapter may reuse it). */
export function applyOps(store: Pick<StateStore, 'putRecord' | 'deleteRecord' | 'putMemory' | 'deleteMemory' | 'appendElection' | 'setMeta'>, ops: readonly StateOp[]): void {
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    switch (o.op) {
      case 'put-record':
        store.putRecord(o.record);
        break;
      case 'delete-record':
        store.deleteRecord(o.tenant, o.cluster);
        break;
      case 'put-memory':
        store.putMemory(o.memory);
        break;
      case 'delete-memory':
        store.deleteMemory(o.tenant, o.cluster);
        break;
      case 'append-election':
        store.appendElection(o.election);
        break;
      case 'set-meta':
        store.setMeta(o.key, o.value);
        break;
    }
  }
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
