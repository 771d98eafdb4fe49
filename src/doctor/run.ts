// What every check of one lane shares: the run's context, the tenants, clusters and pairs seen,
// and per-request views (each series' slot, each pair's entry). The DoctorConsumer fills it
// before it calls the checks; checks keep their own state in columns indexed by these ids.
//
// A *slot* is one distinct label set as sent (a SeriesId) in one tenant: for an HA series that
// is one (series, pair), because the id includes the cluster and replica labels. A *canonical
// series* is SPEC 9's series: (tenant, labels without the tenant's replica label), shared by the
// twins a cluster's replicas send.
import type { Election, HAConfig, HAPair, Label, RequestEvent, RunStart, SeriesCatalog, SeriesId } from '../model/index.js';
import { I32Column } from './columns.js';

export interface TenantInfo {
  idx: number;
  name: string;
  config: HAConfig;
  /** Its clusters by name (the pair lookup of every request: two map reads, no key built). */
  clusters: Map<string, ClusterInfo>;
}

export interface ClusterInfo {
  idx: number;
  tenant: TenantInfo;
  name: string;
  /** Its pairs (one per replica seen), in order of first appearance. */
  pairs: PairInfo[];
  /** The same by replica value. */
  byReplica: Map<string, PairInfo>;
  /** The cluster's latest election, with the seq of the request it came before; null before the first. */
  lastElection: Election | null;
  lastElectionSeq: number;
  /** Elections seen so far. */
  elections: number;
}

export interface PairInfo {
  idx: number;
  tenant: TenantInfo;
  cluster: ClusterInfo;
  replica: string;
  /** Position in its cluster's pairs. */
  ordinal: number;
}

/** Labels of a series as a plain object sorted by name (what examples show). */
export function labelsRecord(labels: readonly Label[]): Record<string, string> {
  const sorted = [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Record<string, string> = {};
  for (const l of sorted) out[l.name] = l.value;
  return out;
}

/**
 * slots[i] = the slot of ids[i] in tenant `ti` while every id has one there; returns the index
 * of the first series that has none (n when all have).
 */
function knownSlots(ids: Int32Array, n: number, idSlot: Int32Array, ti: number, slots: Int32Array): number {
  for (let i = 0; i < n; i++) {
    const id2 = 2 * ids[i]!;
    if (idSlot[id2] !== ti) return i;
    slots[i] = idSlot[id2 + 1]!;
  }
  return n;
}

interface DoctorRunOptions {
  /**
   * Compute a request's slots only when a check asks for them (slotsOf()), instead of for every
   * request. The replay hint runs this way: its checks need slots only for requests with
   * something wrong in them (replica-collision keeps its state by SeriesId). Slots are then
   * numbered in another order than doctor's (only the requests that asked create them), which
   * no count depends on: a slot is still one (tenant, SeriesId).
   */
  lazySlots?: boolean;
}

export class DoctorRun {
  catalog!: SeriesCatalog;
  start!: RunStart;
  private readonly tenants = new Map<string, TenantInfo>();
  readonly tenantList: TenantInfo[] = [];
  readonly clusterList: ClusterInfo[] = [];
  readonly pairList: PairInfo[] = [];
  private readonly lazySlots: boolean;

  // slots: per (tenant, SeriesId)
  /** Per SeriesId, two ints: [tenant of its first slot (-1: none yet), that slot]. */
  private readonly idSlot = new I32Column(-1);
  /** Slots of ids already taken by another tenant (rare: one label set sent to two tenants). */
  private readonly otherSlots = new Map<string, number>();
  slotCount = 0;
  readonly slotId = new I32Column(-1);
  readonly slotTenant = new I32Column(-1);
  /** The slot's pair (HA series), else -1. */
  readonly slotPair = new I32Column(-1);
  /** The slot's canonical series, -1 until someone asks (canon()). */
  private readonly slotCanon = new I32Column(-1);
  /** Next slot of the same canonical series (another replica's twin), -1 at the end. */
  readonly slotCanonNext = new I32Column(-1);
  private readonly canons = new Map<string, number>();
  canonCount = 0;
  readonly canonFirstSlot = new I32Column(-1);

  // the current request (valid during request())
  tenant!: TenantInfo;
  /** Per pair of the request (HALabels.pairs index): its PairInfo. */
  readonly reqPairs: PairInfo[] = [];
  /** Per series of the request: its slot (once slotsOf() has run for the request). */
  private slots = new Int32Array(1024);
  /** Slots >= this one were created by the current request (once slotsOf() has run for it). */
  firstNewSlot = 0;
  /** Set by checks that walk twins (twin()): every HA slot joins its canonical series when created. */
  needCanon = false;
  /** Requests seen (request() counts them); the one whose slots `slots` holds; the one firstNotHa() scanned, and what it found. */
  private reqNo = 0;
  private slotsReq = -1;
  private missingReq = -1;
  private firstMissing = 0;

  constructor(opts: DoctorRunOptions = {}) {
    this.lazySlots = opts.lazySlots === true;
  }

  begin(ctx: RunStart): void {
    this.start = ctx;
    this.catalog = ctx.catalog;
  }

  private lastTenant: TenantInfo | null = null;
  private lastPair: PairInfo | null = null;

  tenantInfo(name: string): TenantInfo {
    const last = this.lastTenant;
    if (last !== null && last.name === name) return last;
    let t = this.tenants.get(name);
    if (t === undefined) {
      t = { idx: this.tenantList.length, name, config: this.start.config(name), clusters: new Map() };
      this.tenants.set(name, t);
      this.tenantList.push(t);
    }
    this.lastTenant = t;
    return t;
  }

  cluster(tenant: TenantInfo, name: string): ClusterInfo {
    let c = tenant.clusters.get(name);
    if (c === undefined) {
      c = { idx: this.clusterList.length, tenant, name, pairs: [], byReplica: new Map(), lastElection: null, lastElectionSeq: -1, elections: 0 };
      tenant.clusters.set(name, c);
      this.clusterList.push(c);
    }
    return c;
  }

  pair(tenant: TenantInfo, p: HAPair): PairInfo {
    const last = this.lastPair;
    if (last !== null && last.tenant === tenant && last.replica === p.replica && last.cluster.name === p.cluster) return last;
    const c = this.cluster(tenant, p.cluster);
    let info = c.byReplica.get(p.replica);
    if (info === undefined) {
      info = { idx: this.pairList.length, tenant, cluster: c, replica: p.replica, ordinal: c.pairs.length };
      c.byReplica.set(p.replica, info);
      this.pairList.push(info);
      c.pairs.push(info);
    }
    this.lastPair = info;
    return info;
  }

  /** The pair entry of (tenant, cluster, replica) if it was seen. */
  findPair(tenant: string, cluster: string, replica: string): PairInfo | undefined {
    return this.findCluster(tenant, cluster)?.byReplica.get(replica);
  }

  findCluster(tenant: string, cluster: string): ClusterInfo | undefined {
    return this.tenants.get(tenant)?.clusters.get(cluster);
  }

  election(e: Election, seq: number): ClusterInfo {
    const c = this.cluster(this.tenantInfo(e.tenant), e.cluster);
    c.lastElection = { ...e };
    c.lastElectionSeq = seq;
    c.elections++;
    return c;
  }

  /** Fill the per-request views (tenant, reqPairs; the slots too unless they are lazy). */
  request(ev: RequestEvent): void {
    this.reqNo++;
    const t = this.tenantInfo(ev.tenant);
    this.tenant = t;
    const pairs = ev.ha.pairs;
    if (this.reqPairs.length !== pairs.length) this.reqPairs.length = pairs.length;
    for (let k = 0; k < pairs.length; k++) this.reqPairs[k] = this.pair(t, pairs[k]!);
    if (!this.lazySlots) this.fillSlots(ev);
  }

  /**
   * Per series of the current request: its slot, creating the slots of series new to the
   * tenant (firstNewSlot says which). Computed once per request; valid during the request.
   */
  slotsOf(ev: RequestEvent): Int32Array {
    if (this.slotsReq !== this.reqNo) this.fillSlots(ev);
    return this.slots;
  }

  /**
   * The index of the request's first series that is not HA (HALabels.missing not 0), or
   * seriesCount when every series is: one scan per request, shared by the checks that ask.
   */
  firstNotHa(ev: RequestEvent): number {
    if (this.missingReq !== this.reqNo) {
      const missing = ev.ha.missing;
      const n = ev.request.seriesCount;
      let i = 0;
      while (i < n && missing[i] === 0) i++;
      this.firstMissing = i;
      this.missingReq = this.reqNo;
    }
    return this.firstMissing;
  }

  private fillSlots(ev: RequestEvent): void {
    this.slotsReq = this.reqNo;
    const r = ev.request;
    const n = r.seriesCount;
    if (this.slots.length < n) this.slots = new Int32Array(Math.max(n, this.slots.length * 2));
    this.firstNewSlot = this.slotCount;
    if (this.idSlot.a.length < 2 * this.catalog.size) this.idSlot.ensure(2 * this.catalog.size);
    const ids = r.ids;
    const ti = this.tenant.idx;
    // the usual case, every series already has a slot in this tenant, is one small loop
    const missed = knownSlots(ids, n, this.idSlot.a, ti, this.slots);
    if (missed < n) this.missingSlots(ids, n, ti, ev.ha.seriesPair, missed);
    if (this.needCanon && this.slotCount > this.firstNewSlot) {
      for (let s = this.firstNewSlot; s < this.slotCount; s++) if (this.slotPair.a[s]! >= 0) this.canon(s);
    }
  }

  /** The slots knownSlots() could not find, from series `from` on: new ones, or the id's in another tenant. */
  private missingSlots(ids: Int32Array, n: number, ti: number, seriesPair: Int32Array, from: number): void {
    const idSlot = this.idSlot.a;
    const slots = this.slots;
    for (let i = from; i < n; i++) {
      const id = ids[i]!;
      const owner = idSlot[2 * id]!;
      let s: number;
      if (owner === ti) s = idSlot[2 * id + 1]!;
      else if (owner === -1) {
        s = this.newSlot(id, ti, seriesPair[i]!);
        idSlot[2 * id] = ti;
        idSlot[2 * id + 1] = s;
      } else {
        const key = ti + ':' + id;
        const found = this.otherSlots.get(key);
        if (found === undefined) {
          s = this.newSlot(id, ti, seriesPair[i]!);
          this.otherSlots.set(key, s);
        } else s = found;
      }
      slots[i] = s;
    }
  }

  private newSlot(id: SeriesId, tenantIdx: number, reqPair: number): number {
    const s = this.slotCount++;
    this.slotId.ensure(this.slotCount);
    this.slotTenant.ensure(this.slotCount);
    this.slotPair.ensure(this.slotCount);
    this.slotId.a[s] = id;
    this.slotTenant.a[s] = tenantIdx;
    this.slotPair.a[s] = reqPair < 0 ? -1 : this.reqPairs[reqPair]!.idx;
    return s;
  }

  /** The canonical series of a slot (SPEC 9's series), computed once per slot. */
  canon(slot: number): number {
    this.slotCanon.ensure(this.slotCount);
    const known = this.slotCanon.a[slot]!;
    if (known >= 0) return known;
    const tenant = this.tenantList[this.slotTenant.a[slot]!]!;
    const labels = this.catalog.labels(this.slotId.a[slot]!);
    const replicaLabel = tenant.config.replicaLabel;
    const kept: Label[] = [];
    for (const l of labels) if (l.name !== replicaLabel) kept.push(l);
    kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let key = tenant.idx + '\xfd';
    for (const l of kept) key += l.name + '\xff' + l.value + '\xfe';
    let c = this.canons.get(key);
    this.slotCanonNext.ensure(this.slotCount);
    if (c === undefined) {
      c = this.canonCount++;
      this.canons.set(key, c);
      this.canonFirstSlot.ensure(this.canonCount);
      this.canonFirstSlot.a[c] = slot;
    } else {
      // append to the chain of twins
      let s = this.canonFirstSlot.a[c]!;
      while (this.slotCanonNext.a[s]! >= 0) s = this.slotCanonNext.a[s]!;
      this.slotCanonNext.a[s] = slot;
    }
    this.slotCanon.a[slot] = c;
    return c;
  }

  /** Labels of a slot's series as an example shows them. */
  slotLabels(slot: number): Record<string, string> {
    return labelsRecord(this.catalog.labels(this.slotId.a[slot]!));
  }

  /** The twin of canonical series `canon` sent by `pair`, or -1. */
  twin(canon: number, pair: number): number {
    for (let s = this.canonFirstSlot.a[canon]!; s >= 0; s = this.slotCanonNext.a[s]!) if (this.slotPair.a[s] === pair) return s;
    return -1;
  }
}
