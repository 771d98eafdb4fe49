// Write-behind buffering shared by both adapters: writes collect in maps (the latest value per
// key wins) and reach the backing storage only in commit(), as one batch.
// The port (port.ts) answers synchronously: write(ops) is the single writes below, applied in
// order; load() is loadRecords + loadMemory + loadElections + metaEntries.
import type { ClusterMemory, Election, ReplicaDesc, StateOp, StateSnapshot } from '../model/index.js';
import { applyOps, clusterKey, compareRecords, type StateStore } from './port.js';

export interface Batch {
  records: Map<string, ReplicaDesc | null>; // null = delete
  memory: Map<string, ClusterMemory | null>;
  elections: Election[];
  meta: Map<string, string>;
  /** (tenant, cluster) of each key, for deletes. */
  keys: Map<string, [string, string]>;
}

export abstract class BufferedStore implements StateStore {
  abstract readonly kind: 'memory' | 'sqlite';
  abstract readonly path: string | null;
  private batch: Batch = BufferedStore.emptyBatch();
  /** Committed meta, kept in memory: getMeta never reads the backing storage. */
  protected committedMeta = new Map<string, string>();

  private static emptyBatch(): Batch {
    return { records: new Map(), memory: new Map(), elections: [], meta: new Map(), keys: new Map() };
  }

  // Backing storage, implemented by each adapter.
  protected abstract readRecords(): ReplicaDesc[];
  protected abstract readMemory(): ClusterMemory[];
  protected abstract readElections(): Election[];
  protected abstract persist(batch: Batch): void;
  protected abstract clearAll(): void;
  abstract close(): void;

  load(): StateSnapshot {
    return { records: this.loadRecords(), memory: this.loadMemory(), elections: this.loadElections(), meta: this.metaEntries() };
  }

  write(ops: readonly StateOp[]): void {
    applyOps(this, ops);
  }

  loadRecords(): ReplicaDesc[] {
    const map = new Map<string, ReplicaDesc>();
    for (const r of this.readRecords()) map.set(clusterKey(r.tenant, r.cluster), r);
    for (const [k, r] of this.batch.records) {
      if (r === null) map.delete(k);
      else map.set(k, { ...r });
    }
    return [...map.values()].sort(compareRecords);
  }

  loadMemory(): ClusterMemory[] {
    const map = new Map<string, ClusterMemory>();
    for (const m of this.readMemory()) map.set(clusterKey(m.tenant, m.cluster), m);
    for (const [k, m] of this.batch.memory) {
      if (m === null) map.delete(k);
      else map.set(k, { ...m });
    }
    return [...map.values()].sort(compareRecords);
  }

  loadElections(): Election[] {
    return [...this.readElections(), ...this.batch.elections.map((e) => ({ ...e }))];
  }

  getMeta(key: string): string | undefined {
    return this.batch.meta.get(key) ?? this.committedMeta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.batch.meta.set(key, value);
  }

  metaEntries(): [string, string][] {
    const m = new Map(this.committedMeta);
    for (const [k, v] of this.batch.meta) m.set(k, v);
    return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  putRecord(desc: ReplicaDesc): void {
    const k = clusterKey(desc.tenant, desc.cluster);
    this.batch.records.set(k, desc); // copied at commit: the latest value is what gets written
  }

  deleteRecord(tenant: string, cluster: string): void {
    const k = clusterKey(tenant, cluster);
    this.batch.records.set(k, null);
    this.batch.keys.set(k, [tenant, cluster]);
  }

  putMemory(mem: ClusterMemory): void {
    this.batch.memory.set(clusterKey(mem.tenant, mem.cluster), mem);
  }

  deleteMemory(tenant: string, cluster: string): void {
    const k = clusterKey(tenant, cluster);
    this.batch.memory.set(k, null);
    this.batch.keys.set(k, [tenant, cluster]);
  }

  appendElection(e: Election): void {
    this.batch.elections.push({ ...e });
  }

  commit(): void {
    const b = this.batch;
    if (b.records.size === 0 && b.memory.size === 0 && b.elections.length === 0 && b.meta.size === 0) return;
    // Snapshot the values now: the tracker keeps mutating its own objects.
    for (const [k, r] of b.records) if (r !== null) b.records.set(k, { ...r });
    for (const [k, m] of b.memory) if (m !== null) b.memory.set(k, { ...m });
    this.persist(b);
    for (const [k, v] of b.meta) this.committedMeta.set(k, v);
    this.batch = BufferedStore.emptyBatch();
  }

  reset(): void {
    this.batch = BufferedStore.emptyBatch();
    this.clearAll();
    this.committedMeta.clear();
  }
}
