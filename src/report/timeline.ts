// The timeline consumer: what the HTML report draws that the Report does not hold, namely each
// replica's requests over time by outcome. A Consumer of a lane's request events (events.ts):
// it bins them by simulated time ("now", the time each request was decided at) into one grid
// shared by every lane, per (tenant, cluster, replica) for HA traffic and per tenant for the
// traffic outside HA (non-HA series, HA switched off, metadata only).
//
// Memory is bounded by lanes x bins, never by requests: the grid starts at the first request
// with 1 ms bins and doubles its bin width (merging bins pairwise) whenever a request would fall
// past TIMELINE_MAX_BINS, so a lane never holds more than that many bins, whatever the span.
// Everything else the HTML shows (elected spans, elections, gaps, lost samples) comes from the
// Report; nothing here analyses elections. The consumer is only among a run's consumers when an
// HTML report is asked for, so a replay without one pays nothing for it.
import type { Consumer, RequestEvent } from '../model/index.js';
import { OUTCOME_ACCEPTED, OUTCOME_PASSTHROUGH, OUTCOMES } from '../model/index.js';

/** Most bins a lane holds (the grid's bin width doubles to stay at or under it). */
export const TIMELINE_MAX_BINS = 2000;

/** Counters per bin: for each outcome code (OUTCOME_*), requests then samples. */
export const TIMELINE_SLOTS = OUTCOMES.length * 2;

/** Index of a counter within a bin: requests (or samples) of outcome code `outcome`. */
export function slotOf(outcome: number, what: 'requests' | 'samples'): number {
  return outcome * 2 + (what === 'samples' ? 1 : 0);
}

/** One lane of the grid, as the consumer hands it to the renderer. */
export interface TimelineLane {
  tenant: string;
  /** null for a tenant's lane of traffic outside HA. */
  cluster: string | null;
  replica: string | null;
  /** Bins 0 .. bins - 1 hold data (a bin past the lane's last request is not stored). */
  bins: number;
  /** bins x TIMELINE_SLOTS counters: bin b, slot s at b * TIMELINE_SLOTS + s. */
  counts: Float64Array;
}

export interface Timeline {
  /** Start of bin 0 (the first request's now), or null when no request was seen. */
  originMs: number | null;
  /** Width of one bin, ms (a power of two). */
  binMs: number;
  /** HA lanes, sorted by tenant, cluster, replica. */
  lanes: TimelineLane[];
  /** Traffic outside HA, one lane per tenant that sent any, sorted by tenant. */
  tenants: TimelineLane[];
}

/** Counter `slot` of bin `bin` of `lane` (0 past its last bin). */
export function laneCount(lane: TimelineLane, bin: number, slot: number): number {
  return bin < 0 || bin >= lane.bins ? 0 : lane.counts[bin * TIMELINE_SLOTS + slot]!;
}

/** One lane while the run goes on: its counters grow (by doubling) up to TIMELINE_MAX_BINS bins. */
class Lane {
  counts = new Float64Array(0);
  bins = 0;
  /** The request that last touched this lane (its stamp) and the outcomes it touched (bit per code). */
  stamp = -1;
  mask = 0;
  constructor(
    readonly tenant: string,
    readonly cluster: string | null,
    readonly replica: string | null,
  ) {}

  /** The offset of bin `b`'s counters, growing the lane to hold it. */
  at(b: number): number {
    if (b >= this.bins) {
      const need = (b + 1) * TIMELINE_SLOTS;
      if (need > this.counts.length) {
        let cap = Math.max(16 * TIMELINE_SLOTS, this.counts.length);
        while (cap < need) cap *= 2;
        cap = Math.min(cap, TIMELINE_MAX_BINS * TIMELINE_SLOTS);
        const next = new Float64Array(cap);
        next.set(this.counts.subarray(0, this.bins * TIMELINE_SLOTS));
        this.counts = next;
      }
      this.bins = b + 1;
    }
    return b * TIMELINE_SLOTS;
  }

  /** Merge bins by `factor` (a power of two): new bin j = old bins j*factor .. (j+1)*factor - 1. */
  coarsen(factor: number): void {
    const c = this.counts;
    const nb = Math.ceil(this.bins / factor);
    for (let j = 0; j < nb; j++) {
      const to = j * TIMELINE_SLOTS;
      for (let s = 0; s < TIMELINE_SLOTS; s++) {
        let sum = 0;
        for (let i = j * factor; i < (j + 1) * factor && i < this.bins; i++) sum += c[i * TIMELINE_SLOTS + s]!;
        c[to + s] = sum;
      }
    }
    c.fill(0, nb * TIMELINE_SLOTS, this.bins * TIMELINE_SLOTS);
    this.bins = nb;
  }

  view(): TimelineLane {
    return { tenant: this.tenant, cluster: this.cluster, replica: this.replica, bins: this.bins, counts: this.counts.slice(0, this.bins * TIMELINE_SLOTS) };
  }
}

interface TenantLanes {
  /** cluster -> replica -> lane */
  clusters: Map<string, Map<string, Lane>>;
  outside: Lane | null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Bins a lane's request events (see the file comment). Reads, per request event: `tenant`,
 * `nowMs`, `request.seriesCount` and its sample columns (counts only), `ha.pairs`,
 * `decision.outcomes` and `decision.pairOf`. Events without a decision (a lane with no tracker)
 * are not HA traffic and are skipped.
 */
export class TimelineConsumer implements Consumer {
  private readonly tenantLanes = new Map<string, TenantLanes>();
  private readonly all: Lane[] = [];
  private originMs: number | null = null;
  private binMs = 1;
  private stamp = 0;
  /** Lanes the current request touched. */
  private readonly touched: Lane[] = [];

  private lanesOf(tenant: string): TenantLanes {
    let t = this.tenantLanes.get(tenant);
    if (t === undefined) {
      t = { clusters: new Map(), outside: null };
      this.tenantLanes.set(tenant, t);
    }
    return t;
  }

  private haLane(t: TenantLanes, tenant: string, cluster: string, replica: string): Lane {
    let byReplica = t.clusters.get(cluster);
    if (byReplica === undefined) {
      byReplica = new Map();
      t.clusters.set(cluster, byReplica);
    }
    let lane = byReplica.get(replica);
    if (lane === undefined) {
      lane = new Lane(tenant, cluster, replica);
      byReplica.set(replica, lane);
      this.all.push(lane);
    }
    return lane;
  }

  private outsideLane(t: TenantLanes, tenant: string): Lane {
    if (t.outside === null) {
      t.outside = new Lane(tenant, null, null);
      this.all.push(t.outside);
    }
    return t.outside;
  }

  /** The bin of time `t`, coarsening the whole grid first when `t` falls past its last bin. */
  private binOf(t: number): number {
    if (this.originMs === null) this.originMs = t;
    const d = Math.max(0, t - this.originMs);
    let b = Math.floor(d / this.binMs);
    if (b < TIMELINE_MAX_BINS) return b;
    let factor = 1;
    while (Math.floor(d / (this.binMs * factor)) >= TIMELINE_MAX_BINS) factor *= 2;
    this.binMs *= factor;
    for (const lane of this.all) lane.coarsen(factor);
    b = Math.floor(d / this.binMs);
    return b;
  }

  private touch(lane: Lane, outcome: number): void {
    if (lane.stamp !== this.stamp) {
      lane.stamp = this.stamp;
      lane.mask = 0;
      this.touched.push(lane);
    }
    lane.mask |= 1 << outcome;
  }

  request(ev: RequestEvent): void {
    const d = ev.decision;
    if (d === null) return;
    this.stamp++;
    const bin = this.binOf(ev.nowMs);
    const t = this.lanesOf(ev.tenant);
    const req = ev.request;
    const n = req.seriesCount;
    if (n === 0) {
      // metadata only: a request outside HA (passthrough)
      const lane = this.outsideLane(t, ev.tenant);
      const off = lane.at(bin); // first: at() may grow (replace) lane.counts
      lane.counts[off + slotOf(OUTCOME_PASSTHROUGH, 'requests')]!++;
      return;
    }
    const pairs = ev.ha.pairs;
    const outcomes = d.outcomes;
    const pairOf = d.pairOf;
    const ss = req.sampleStart;
    const hs = req.histogramStart;
    // runs of series with the same pair and outcome (per request: the whole request) are
    // counted at once from the sample columns' offsets
    for (let i = 0; i < n; ) {
      const o = outcomes[i]!;
      const p = pairOf[i]!;
      let j = i + 1;
      while (j < n && outcomes[j] === o && pairOf[j] === p) j++;
      let lane: Lane;
      if (p < 0) lane = this.outsideLane(t, ev.tenant);
      else {
        const pair = pairs[p]!;
        lane = this.haLane(t, ev.tenant, pair.cluster, pair.replica);
      }
      const off = lane.at(bin); // first: at() may grow (replace) lane.counts
      lane.counts[off + o * 2 + 1]! += ss[j]! - ss[i]! + (hs === null ? 0 : hs[j]! - hs[i]!);
      this.touch(lane, o);
      i = j;
    }
    const touched = this.touched;
    for (let k = 0; k < touched.length; k++) {
      const l = touched[k]!;
      const off = l.at(bin);
      for (let o = OUTCOME_ACCEPTED; o < OUTCOMES.length; o++) if ((l.mask & (1 << o)) !== 0) l.counts[off + o * 2]!++;
    }
    touched.length = 0;
  }

  /** The grid as it stands (the renderer's input). Lanes are copies: the consumer may go on. */
  finish(): Timeline {
    const lanes: TimelineLane[] = [];
    const tenants: TimelineLane[] = [];
    for (const tenant of [...this.tenantLanes.keys()].sort(cmp)) {
      const t = this.tenantLanes.get(tenant)!;
      for (const cluster of [...t.clusters.keys()].sort(cmp)) {
        const byReplica = t.clusters.get(cluster)!;
        for (const replica of [...byReplica.keys()].sort(cmp)) lanes.push(byReplica.get(replica)!.view());
      }
      if (t.outside !== null) tenants.push(t.outside.view());
    }
    return { originMs: this.originMs, binMs: this.binMs, lanes, tenants };
  }

  /** Counter memory held now, bytes (bounded by lanes x TIMELINE_MAX_BINS x TIMELINE_SLOTS x 8). */
  footprint(): { lanes: number; bytes: number } {
    let bytes = 0;
    for (const l of this.all) bytes += l.counts.byteLength;
    return { lanes: this.all.length, bytes };
  }
}
