// The memory adapter: committed state in plain maps. A `MemoryBacking` can be shared by several
// stores in turn, which is how the contract tests "reopen" it: only committed writes survive.
import type { ClusterMemory, Election, ReplicaDesc } from '../model/index.js';
import { BufferedStore, type Batch } from './buffered.js';
import { clusterKey } from './port.js';

export interface MemoryBacking {
  records: Map<string, ReplicaDesc>;
  memory: Map<string, ClusterMemory>;
  elections: Election[];
  meta: Map<string, string>;
}

export function newMemoryBacking(): MemoryBacking {
  return { records: new Map(), memory: new Map(), elections: [], meta: new Map() };
}

class MemoryStore extends BufferedStore {
  readonly kind = 'memory' as const;
  readonly path = null;
  private closed = false;

  constructor(private readonly backing: MemoryBacking) {
    super();
    this.committedMeta = new Map(backing.meta);
  }

  protected readRecords(): ReplicaDesc[] {
    return [...this.backing.records.values()].map((r) => ({ ...r }));
  }

  protected readMemory(): ClusterMemory[] {
    return [...this.backing.memory.values()].map((m) => ({ ...m }));
  }

  protected readElections(): Election[] {
    return this.backing.elections.map((e) => ({ ...e }));
  }

  protected persist(b: Batch): void {
    if (this.closed) throw new Error('store is closed');
    for (const [k, r] of b.records) {
      if (r === null) this.backing.records.delete(k);
      else this.backing.records.set(clusterKey(r.tenant, r.cluster), r);
    }
    for (const [k, m] of b.memory) {
      if (m === null) this.backing.memory.delete(k);
      else this.backing.memory.set(clusterKey(m.tenant, m.cluster), m);
    }
    this.backing.elections.push(...b.elections);
    for (const [k, v] of b.meta) this.backing.meta.set(k, v);
  }

  protected clearAll(): void {
    this.backing.records.clear();
    this.backing.memory.clear();
    this.backing.elections.length = 0;
    this.backing.meta.clear();
  }

  close(): void {
    this.closed = true;
  }
}

/** A store in plain maps (optionally over an existing backing). */
export function openMemoryStore(backing: MemoryBacking = newMemoryBacking()): MemoryStore {
  return new MemoryStore(backing);
}
