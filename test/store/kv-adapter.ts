// A store adapter the way a network KV (etcd, Consul) would be written, for the contract suite
// and the replay-over-a-port tests: the durable state is a flat map of string keys to JSON
// strings (the "server"), every port call answers with a promise that resolves on a later turn
// of the event loop (a round trip), writes are buffered by the client and sent in one
// transaction by commit(). Nothing here is synchronous from the caller's point of view.
import type { ClusterMemory, Election, ReplicaDesc, StateOp, StateSnapshot } from '../../src/model/index.js';
import type { StatePort } from '../../src/store/index.js';

/** The server side: what survives a client (a "reopen" is a new client over the same server). */
export interface KvServer {
  data: Map<string, string>;
  /** Transactions applied, and port calls answered (so tests can see the round trips happen). */
  txns: number;
  calls: number;
}

export function newKvServer(): KvServer {
  return { data: new Map(), txns: 0, calls: 0 };
}

const roundTrip = <T>(server: KvServer, f: () => T): Promise<T> =>
  new Promise((resolve, reject) => {
    server.calls++;
    setImmediate(() => {
      try {
        resolve(f());
      } catch (e) {
        reject(e as Error);
      }
    });
  });

const key = (kind: string, tenant: string, cluster: string) => `${kind}/${encodeURIComponent(tenant)}/${encodeURIComponent(cluster)}`;
const byTenantCluster = (a: { tenant: string; cluster: string }, b: { tenant: string; cluster: string }) =>
  a.tenant !== b.tenant ? (a.tenant < b.tenant ? -1 : 1) : a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0;

type Pending = { key: string; value: (() => string) | null } | { election: Election };

class KvStore implements StatePort {
  readonly kind = 'kv';
  readonly path = null;
  private pending: Pending[] = [];
  private closed = false;

  constructor(private readonly server: KvServer) {}

  private check(): void {
    if (this.closed) throw new Error('kv store is closed');
  }

  /** The server's state with the client's pending writes over it (values read now). */
  private view(): StateSnapshot {
    const data = new Map(this.server.data);
    let seq = [...data.keys()].filter((k) => k.startsWith('election/')).length;
    for (const p of this.pending) {
      if ('election' in p) data.set(`election/${String(seq++).padStart(12, '0')}`, JSON.stringify(p.election));
      else if (p.value === null) data.delete(p.key);
      else data.set(p.key, p.value());
    }
    const records: ReplicaDesc[] = [];
    const memory: ClusterMemory[] = [];
    const elections: [string, Election][] = [];
    const meta: [string, string][] = [];
    for (const [k, v] of data) {
      if (k.startsWith('record/')) records.push(JSON.parse(v) as ReplicaDesc);
      else if (k.startsWith('memory/')) memory.push(JSON.parse(v) as ClusterMemory);
      else if (k.startsWith('election/')) elections.push([k, JSON.parse(v) as Election]);
      else if (k.startsWith('meta/')) meta.push([k.slice(5), JSON.parse(v) as string]);
    }
    elections.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    meta.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { records: records.sort(byTenantCluster), memory: memory.sort(byTenantCluster), elections: elections.map((e) => e[1]), meta };
  }

  load(): Promise<StateSnapshot> {
    this.check();
    return roundTrip(this.server, () => this.view());
  }

  write(ops: readonly StateOp[]): Promise<void> {
    this.check();
    // Taken now (the caller reuses the array); record values are read at commit (StateOp).
    for (const o of ops) {
      switch (o.op) {
        case 'put-record': {
          const r = o.record;
          this.pending.push({ key: key('record', r.tenant, r.cluster), value: () => JSON.stringify(r) });
          break;
        }
        case 'delete-record':
          this.pending.push({ key: key('record', o.tenant, o.cluster), value: null });
          break;
        case 'put-memory': {
          const m = o.memory;
          this.pending.push({ key: key('memory', m.tenant, m.cluster), value: () => JSON.stringify(m) });
          break;
        }
        case 'delete-memory':
          this.pending.push({ key: key('memory', o.tenant, o.cluster), value: null });
          break;
        case 'append-election':
          this.pending.push({ election: { ...o.election } });
          break;
        case 'set-meta': {
          const v = JSON.stringify(o.value);
          this.pending.push({ key: `meta/${o.key}`, value: () => v });
          break;
        }
      }
    }
    return roundTrip(this.server, () => undefined);
  }

  commit(): Promise<void> {
    this.check();
    // The transaction's content is fixed when commit() is called; it is applied one round trip later.
    const txn = this.view();
    this.pending = [];
    return roundTrip(this.server, () => {
      if (this.closed) throw new Error('kv store is closed');
      const data = new Map<string, string>();
      for (const r of txn.records) data.set(key('record', r.tenant, r.cluster), JSON.stringify(r));
      for (const m of txn.memory) data.set(key('memory', m.tenant, m.cluster), JSON.stringify(m));
      txn.elections.forEach((e, i) => data.set(`election/${String(i).padStart(12, '0')}`, JSON.stringify(e)));
      for (const [k, v] of txn.meta) data.set(`meta/${k}`, JSON.stringify(v));
      this.server.data = data;
      this.server.txns++;
    });
  }

  reset(): Promise<void> {
    this.check();
    this.pending = [];
    return roundTrip(this.server, () => {
      this.server.data = new Map();
      this.server.txns++;
    });
  }

  close(): Promise<void> {
    this.pending = [];
    this.closed = true;
    return roundTrip(this.server, () => undefined);
  }
}

/** A client of `server`: the async store port. */
export function openKvStore(server: KvServer): StatePort {
  return new KvStore(server);
}
