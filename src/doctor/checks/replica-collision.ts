// replica-collision (error, SPEC 12.1): two senders share one (cluster, replica). Within one
// pair, a series gets two different values at one timestamp, or at least 1% (and at least 100)
// of the pair's samples have a timestamp older than that series' latest from the same pair;
// byte-identical resends (same timestamp, same value) never count.
//
// A slot is one (series, pair) (the SeriesId includes both HA labels). Per slot: the latest
// timestamp and its value (dense arrays: the hot path reads one and writes two), and the last
// RING samples of its latest run of several samples in one request (written only for such runs).
// A sample at or before the latest is a resend when it equals the latest or a sample of that run,
// a conflict when it has the timestamp of one of them with another value, and "back in time"
// otherwise. So a resend of the slot's latest batch (up to RING samples per series) never
// counts; the older samples of a longer resent batch count as back in time (docs/doctor.md), which
// the 1% and 100 thresholds are there to absorb.
import { isStaleNaN, dur } from '../../model/index.js';
import type { Histogram, RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { F64Column } from '../columns.js';
import { OPT, int, plural } from '../options.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

/** Samples per slot remembered for resend / conflict detection. */
const RING = 3;
/** Doubles per slot in the ring: RING x (timestamp, value). */
const STRIDE = 2 * RING;
/** The thresholds of SPEC 12.1. */
const MIN_BACKWARDS = 100;
const BACKWARDS_SHARE = 0.01;

interface PairStats {
  pair: PairInfo;
  samples: number;
  conflicts: number;
  backwards: number;
  conflictExamples: Example[];
  backwardExamples: Example[];
}

function sameValue(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b && isStaleNaN(a) === isStaleNaN(b));
}

/** A stand-in value for a native histogram (equal for a byte-identical resend). */
function histogramValue(h: Histogram): number {
  return h.count * 1_000_003 + h.sum * 7 + h.zeroCount * 31 + h.schema;
}

export class ReplicaCollision implements Check {
  readonly code = 'replica-collision' as const;
  private readonly latestT = new F64Column(-Infinity);
  private readonly latestV = new F64Column(NaN);
  /** Per slot, STRIDE doubles: the last RING samples of its latest multi-sample run (NaN: none). */
  private readonly ring = new F64Column(NaN, 256 * STRIDE);
  private stats: (PairStats | undefined)[] = [];

  constructor(private readonly run: DoctorRun) {}

  private pairStats(p: PairInfo): PairStats {
    let s = this.stats[p.idx];
    if (s === undefined) {
      s = { pair: p, samples: 0, conflicts: 0, backwards: 0, conflictExamples: [], backwardExamples: [] };
      this.stats[p.idx] = s;
    }
    return s;
  }

  /** Per pair of the current request: its stats (reused). */
  private reqStats: PairStats[] = [];
  private reqSamples = new Float64Array(8);

  request(ev: RequestEvent): void {
    const ha = ev.ha;
    const np = ha.pairs.length;
    if (np === 0) return;
    const run = this.run;
    const nSlots = run.slotCount;
    if (this.latestT.a.length < nSlots) {
      this.latestT.ensure(nSlots);
      this.latestV.ensure(nSlots);
      this.ring.ensure(nSlots * STRIDE);
    }
    const rs = this.reqStats;
    rs.length = np;
    if (this.reqSamples.length < np) this.reqSamples = new Float64Array(np * 2);
    const counts = this.reqSamples;
    for (let k = 0; k < np; k++) {
      rs[k] = this.pairStats(run.reqPairs[k]!);
      counts[k] = 0;
    }
    const r = ev.request;
    const sp = ha.seriesPair;
    const start = r.sampleStart;
    const ts = r.timestamps;
    const vs = r.values;
    const slots = run.slots;
    const lt = this.latestT.a;
    const lv = this.latestV.a;
    const m = r.seriesCount;
    // the hot loop: one sample newer than its slot's latest (the usual case) is a read, a compare
    // and two writes; a run of several samples also fills the ring; anything older goes to older()
    for (let i = 0; i < m; i++) {
      const p = sp[i]!;
      if (p < 0) continue;
      const slot = slots[i]!;
      const from = start[i]!;
      const to = start[i + 1]!;
      counts[p]! += to - from;
      if (to - from > 1) {
        this.run_(rs[p]!, slot, ts, vs, from, to, ev.nowMs);
        continue;
      }
      if (from === to) continue;
      const t = ts[from]!;
      if (t > lt[slot]!) {
        lt[slot] = t;
        lv[slot] = vs[from]!;
      } else this.older(rs[p]!, slot, t, vs[from]!, ev.nowMs);
    }
    const hs = r.histogramStart;
    if (hs !== null) {
      for (let i = 0; i < m; i++) {
        const p = sp[i]!;
        if (p < 0) continue;
        for (let j = hs[i]!; j < hs[i + 1]!; j++) {
          const h = r.histograms[j]!;
          counts[p]!++;
          this.sample(rs[p]!, slots[i]!, h.timestamp, histogramValue(h), ev.nowMs);
        }
      }
    }
    for (let k = 0; k < np; k++) rs[k]!.samples += counts[k]!;
  }

  /** A run of several samples of one slot in one request: each checked, the newest kept in the ring. */
  private run_(stats: PairStats, slot: number, ts: Float64Array, vs: Float64Array, from: number, to: number, now: number): void {
    let newer = false;
    for (let j = from; j < to; j++) if (this.sample(stats, slot, ts[j]!, vs[j]!, now)) newer = true;
    if (!newer) return; // a resend (or older samples): the ring keeps the batch it has
    const ring = this.ring.a;
    const base = slot * STRIDE;
    ring.fill(NaN, base, base + STRIDE);
    let k = 0;
    for (let j = Math.max(from, to - RING); j < to; j++, k++) {
      ring[base + 2 * k] = ts[j]!;
      ring[base + 2 * k + 1] = vs[j]!;
    }
  }

  /** One sample; true when it was newer than the slot's latest. */
  private sample(stats: PairStats, slot: number, t: number, v: number, now: number): boolean {
    if (t > this.latestT.a[slot]!) {
      this.latestT.a[slot] = t;
      this.latestV.a[slot] = v;
      return true;
    }
    this.older(stats, slot, t, v, now);
    return false;
  }

  /** A sample at or before its slot's latest: a resend, a conflict, or back in time. */
  private older(stats: PairStats, slot: number, t: number, v: number, now: number): void {
    const L = this.latestT.a[slot]!;
    let before: number | null = null;
    if (t === L) before = this.latestV.a[slot]!;
    else {
      const ring = this.ring.a;
      const base = slot * STRIDE;
      for (let k = 0; k < RING; k++) {
        if (ring[base + 2 * k] === t) {
          before = ring[base + 2 * k + 1]!;
          break;
        }
      }
    }
    if (before !== null) {
      if (sameValue(before, v)) return; // a resend
      stats.conflicts++;
      if (stats.conflictExamples.length < MAX_EXAMPLES) {
        stats.conflictExamples.push({ labels: this.run.slotLabels(slot), at_ms: now, note: `value ${before} at ${t}, then ${v} at the same timestamp` });
      }
      return;
    }
    stats.backwards++;
    if (stats.backwardExamples.length < MAX_EXAMPLES) {
      stats.backwardExamples.push({
        labels: this.run.slotLabels(slot),
        at_ms: now,
        note: `timestamp ${t} is ${dur(L - t)} older than this series' latest (${L}) from the same pair`,
      });
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const s of this.stats) {
      if (s === undefined) continue;
      const back = s.backwards >= MIN_BACKWARDS && s.backwards >= BACKWARDS_SHARE * s.samples;
      if (s.conflicts === 0 && !back) continue;
      const p = s.pair;
      const cfg = p.tenant.config;
      const examples = [...s.conflictExamples, ...(back ? s.backwardExamples : [])].slice(0, MAX_EXAMPLES);
      const share = s.samples === 0 ? 0 : (100 * s.backwards) / s.samples;
      out.push({
        code: this.code,
        severity: 'error',
        tenant: p.tenant.name,
        cluster: p.cluster.name,
        replica: p.replica,
        count: s.conflicts + s.backwards,
        examples,
        fix:
          `Two senders write as ${p.cluster.name}/${p.replica}: ${plural(s.conflicts, 'samples')} got a second, different value at a timestamp already sent, ` +
          `and ${int(s.backwards)} of the pair's ${int(s.samples)} samples (${share.toFixed(2)}%) went back in time within their series. ` +
          `Give every Prometheus its own replica value (${OPT.externalLabels(`${cfg.replicaLabel}: <pod or host name>`)}, e.g. from the pod name); a copied configuration or two servers started from one template do this.`,
      });
    }
    return out;
  }
}
