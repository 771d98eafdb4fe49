// Flaps (SPEC 12.1), counted on one lane: an election, other than a cluster's first, around
// which the old leader was silent for less than 1.5 x F (from its last request before the
// election to its first after; a leader that never sends again was not silent "for less"): it
// lost the lead while alive. A cluster with at least 3 flaps within 10 x F is flapping.
//
// A plain consumer with its own small state (per pair, per cluster), so what-if's `flaps` column
// and doctor's failover-timeout ladder (one counter per lane) count flaps the same way. F is the
// lane's own failover timeout for the tenant (RunStart.config). Memory: per pair a few numbers,
// per cluster its flap times (bounded by elections, not samples).
import type { Consumer, ElectionEvent, RequestEvent, RunStart } from '../../model/index.js';

export const FLAP_SILENCE_FACTOR = 1.5;
export const FLAP_WINDOW_FACTOR = 10;
const FLAPS_TO_FLAG = 3;

interface Flap {
  atMs: number;
  from: string;
  to: string;
  /** How long the old leader was silent around the election (last request before to first after). */
  silentMs: number;
}

interface PairGaps {
  replica: string;
  requests: number;
  /** Largest time between two consecutive requests of the pair. */
  maxGapMs: number;
  /** The same, over gaps shorter than 1.5 x F (the replica was alive, by the flap definition). */
  maxAliveGapMs: number;
}

export interface ClusterFlaps {
  tenant: string;
  cluster: string;
  /** The lane's failover timeout for the tenant. */
  failoverTimeoutMs: number;
  updateTimeoutMs: number;
  elections: number;
  /** Sorted by election time. */
  flaps: Flap[];
  /** Largest number of flaps within any 10 x F. */
  maxInWindow: number;
  /** maxInWindow >= 3: the `flapping` finding. */
  flapping: boolean;
  replicas: PairGaps[];
}

interface PairState {
  gaps: PairGaps;
  lastMs: number;
  /** Elections this replica lost and has not sent since. */
  pending: { atMs: number; to: string; lastMs: number }[];
}

interface ClusterState {
  out: ClusterFlaps;
  pairs: Map<string, PairState>;
}

export class FlapCounter implements Consumer {
  private ctx: RunStart | null = null;
  private readonly clusters = new Map<string, ClusterState>();

  begin(ctx: RunStart): void {
    this.ctx = ctx;
  }

  private cluster(tenant: string, cluster: string): ClusterState {
    const key = tenant + '\xfd' + cluster;
    let c = this.clusters.get(key);
    if (c === undefined) {
      const cfg = this.ctx!.config(tenant);
      c = {
        out: { tenant, cluster, failoverTimeoutMs: cfg.failoverTimeoutMs, updateTimeoutMs: cfg.updateTimeoutMs, elections: 0, flaps: [], maxInWindow: 0, flapping: false, replicas: [] },
        pairs: new Map(),
      };
      this.clusters.set(key, c);
    }
    return c;
  }

  private pair(c: ClusterState, replica: string): PairState {
    let p = c.pairs.get(replica);
    if (p === undefined) {
      p = { gaps: { replica, requests: 0, maxGapMs: 0, maxAliveGapMs: 0 }, lastMs: NaN, pending: [] };
      c.pairs.set(replica, p);
      c.out.replicas.push(p.gaps);
    }
    return p;
  }

  election(ev: ElectionEvent): void {
    const e = ev.election;
    const c = this.cluster(e.tenant, e.cluster);
    c.out.elections++;
    if (e.from === null) return;
    const p = this.pair(c, e.from);
    if (p.lastMs === p.lastMs) p.pending.push({ atMs: e.atMs, to: e.to, lastMs: p.lastMs });
  }

  request(ev: RequestEvent): void {
    const pairs = ev.ha.pairs;
    const now = ev.nowMs;
    for (let k = 0; k < pairs.length; k++) {
      const hp = pairs[k]!;
      // the same pair twice in one request cannot happen (pairs are distinct)
      const c = this.cluster(ev.tenant, hp.cluster);
      const p = this.pair(c, hp.replica);
      const alive = FLAP_SILENCE_FACTOR * c.out.failoverTimeoutMs;
      if (p.pending.length > 0) {
        for (const q of p.pending) {
          const silent = now - q.lastMs;
          if (silent < alive) this.flap(c, { atMs: q.atMs, from: hp.replica, to: q.to, silentMs: silent });
        }
        p.pending.length = 0;
      }
      if (p.lastMs === p.lastMs) {
        const gap = now - p.lastMs;
        if (gap > p.gaps.maxGapMs) p.gaps.maxGapMs = gap;
        if (gap < alive && gap > p.gaps.maxAliveGapMs) p.gaps.maxAliveGapMs = gap;
      }
      p.lastMs = now;
      p.gaps.requests++;
    }
  }

  private flap(c: ClusterState, f: Flap): void {
    const list = c.out.flaps;
    let i = list.length;
    while (i > 0 && list[i - 1]!.atMs > f.atMs) i--;
    list.splice(i, 0, f);
    // windows of 10 x F holding the new flap
    const w = FLAP_WINDOW_FACTOR * c.out.failoverTimeoutMs;
    let lo = 0;
    for (let hi = 0; hi < list.length; hi++) {
      while (list[hi]!.atMs - list[lo]!.atMs > w) lo++;
      if (hi - lo + 1 > c.out.maxInWindow) c.out.maxInWindow = hi - lo + 1;
    }
    c.out.flapping = c.out.maxInWindow >= FLAPS_TO_FLAG;
  }

  /** Every cluster seen, sorted by tenant then cluster. */
  results(): ClusterFlaps[] {
    return [...this.clusters.values()].map((c) => c.out).sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  }

  /** One cluster's figures, if it was seen. */
  find(tenant: string, cluster: string): ClusterFlaps | undefined {
    return this.clusters.get(tenant + '\xfd' + cluster)?.out;
  }
}
