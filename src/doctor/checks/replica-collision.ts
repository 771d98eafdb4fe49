// replica-collision (error, SPEC 12.1): two senders share one (cluster, replica). Within one
// pair, a series gets two different values at one timestamp, or at least 1% (and at least 100)
// of the pair's samples have a timestamp older than that series' latest from the same pair;
// byte-identical resends (same timestamp, same value) never count.
//
// A slot is one (series, pair) (the SeriesId includes both HA labels). Per slot: the latest
// timestamp and its value (side by side in one dense array: the hot path reads one double and
// writes two on the same cache line), and the last RING samples of its latest run of several samples in one request (written only for such runs).
// A sample at or before the latest is a resend when it equals the latest or a sample of that run,
// a conflict when it has the timestamp of one of them with another value, and "back in time"
// otherwise. So a resend of the slot's latest batch (up to RING samples per series) never
// counts; the older samples of a longer resent batch count as back in time (docs/doctor.md), which
// the 1% and 100 thresholds are there to absorb.
import { isStaleNaN, dur } from '../../model/index.js';
import type { Histogram, RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { F64Column, I32Column } from '../columns.js';
import { OPT, int, plural } from '../options.js';
import { labelsRecord, type DoctorRun, type PairInfo } from '../run.js';
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

/**
 * Per-key state, in one of two stores: the latest timestamp (-Infinity: none yet) and the value
 * there, side by side (the hot path reads one double and writes two on one cache line), and the
 * ring (STRIDE doubles per key: the last RING samples of its latest multi-sample run; NaN, or
 * past the end of the array: none). The ring grows only when a run is kept: a stream of one
 * sample per series in a request (Prometheus' usual) never allocates it.
 */
class SlotState {
  readonly latest = new F64Column(-Infinity, 512);
  readonly ring = new F64Column(NaN, 0);
  /** Room for keys < n. */
  fit(n: number): void {
    if (this.latest.a.length < 2 * n) this.latest.ensure(2 * n);
  }
}

/** The last RING samples of a run of key `key`, into its ring. */
function keepRun(st: SlotState, key: number, ts: Float64Array, vs: Float64Array, from: number, to: number): void {
  const base = key * STRIDE;
  st.ring.ensure(base + STRIDE);
  const ring = st.ring.a;
  ring.fill(NaN, base, base + STRIDE);
  let k = 0;
  for (let j = Math.max(from, to - RING); j < to; j++, k++) {
    ring[base + 2 * k] = ts[j]!;
    ring[base + 2 * k + 1] = vs[j]!;
  }
}

export class ReplicaCollision implements Check {
  readonly code = 'replica-collision' as const;
  /**
   * Per SeriesId: the tenant (index) the id's state in `byId` belongs to, -1 none yet. The first
   * tenant to send a label set keeps its state by id, with no DoctorRun slot (so the replay hint
   * creates none in a healthy stream); another tenant sending the same label set (rare) keeps its
   * state in `bySlot`, by DoctorRun slot. A key is either store and an index into it.
   */
  private readonly owner = new I32Column(-1);
  private readonly byId = new SlotState();
  private readonly bySlot = new SlotState();
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

  /** Room for every id of the run so far. */
  private fitIds(): void {
    const n = this.run.catalog.size;
    if (this.owner.a.length < n) this.owner.ensure(n);
    this.byId.fit(n);
  }

  /**
   * The replay hint's fast path (src/doctor/hint.ts), for a request of one pair: from its first
   * series on, while a series is HA, is the first tenant's to send its labels and has float
   * samples newer than its latest, do what request() does with it (the latest moves on, a run
   * fills the ring). Returns how many series it took (seriesCount: all); request(ev, from) does
   * the rest. One small loop, so that a healthy stream costs little and little code gets
   * optimised: whatever it does not take it leaves (a `break`) rather than handles.
   */
  quick(ev: RequestEvent): number {
    const r = ev.request;
    if (r.histogramStart !== null || ev.ha.pairs.length !== 1) return 0;
    this.fitIds();
    const m = r.seriesCount;
    const ids = r.ids;
    const start = r.sampleStart;
    const ts = r.timestamps;
    const sp = ev.ha.seriesPair;
    const ti = this.run.tenant.idx;
    const owner = this.owner.a;
    const lat = this.byId.latest.a;
    let i = 0;
    let samples = 0;
    for (; i < m; i++) {
      const from = start[i]!;
      const to = start[i + 1]!;
      if (sp[i] !== 0 || to <= from) break;
      const id = ids[i]!;
      const o = owner[id]!;
      if (o !== ti) {
        if (o !== -1) break;
        owner[id] = ti;
      }
      const t = ts[from]!;
      if (!(t > lat[2 * id]!)) break;
      if (to - from === 1) {
        lat[2 * id] = t;
        lat[2 * id + 1] = r.values[from]!;
      } else if (!this.newerRun(id, ts, r.values, from, to)) break;
      samples += to - from;
    }
    if (samples > 0) this.pairStats(this.run.reqPairs[0]!).samples += samples;
    return i;
  }

  /**
   * A run of several samples of one id (in `byId`), each newer than the one before it and the
   * first newer than the latest: the latest and the ring move on, true. Anything else: nothing
   * written, false (request() handles it).
   */
  private newerRun(id: number, ts: Float64Array, vs: Float64Array, from: number, to: number): boolean {
    for (let j = from + 1; j < to; j++) if (!(ts[j]! > ts[j - 1]!)) return false;
    const lat = this.byId.latest.a;
    lat[2 * id] = ts[to - 1]!;
    lat[2 * id + 1] = vs[to - 1]!;
    keepRun(this.byId, id, ts, vs, from, to);
    return true;
  }

  /** Series `from` on (the ones before it quick() took). */
  request(ev: RequestEvent, from = 0): void {
    const ha = ev.ha;
    const np = ha.pairs.length;
    if (np === 0) return;
    const run = this.run;
    this.fitIds();
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
    const ids = r.ids;
    const start = r.sampleStart;
    const ts = r.timestamps;
    const vs = r.values;
    const ti = run.tenant.idx;
    const owner = this.owner.a;
    const lat = this.byId.latest.a;
    const m = r.seriesCount;
    let to = start[from]!;
    // one sample newer than its latest (the usual case) is an owner check, a compare and two
    // writes; a run of several samples also fills the ring; anything older goes to older()
    for (let i = from; i < m; i++) {
      const first = to;
      to = start[i + 1]!;
      const p = sp[i]!;
      if (p < 0) continue;
      const k = to - first;
      counts[p]! += k;
      if (k === 0) continue;
      const id = ids[i]!;
      const o = owner[id]!;
      if (o !== ti && o !== -1) {
        this.other(ev, i, rs[p]!, first, to);
        continue;
      }
      owner[id] = ti;
      if (k === 1) {
        const t = ts[first]!;
        if (t > lat[2 * id]!) {
          lat[2 * id] = t;
          lat[2 * id + 1] = vs[first]!;
        } else this.older(rs[p]!, this.byId, id, id, t, vs[first]!, ev.nowMs);
      } else this.run_(rs[p]!, this.byId, id, id, ts, vs, first, to, ev.nowMs);
    }
    const hs = r.histogramStart;
    if (hs !== null) {
      for (let i = from; i < m; i++) {
        const p = sp[i]!;
        if (p < 0) continue;
        for (let j = hs[i]!; j < hs[i + 1]!; j++) {
          const h = r.histograms[j]!;
          counts[p]!++;
          const [st, key] = this.keyOf(ev, i);
          this.sample(rs[p]!, st, key, ids[i]!, h.timestamp, histogramValue(h), ev.nowMs);
        }
      }
    }
    for (let k = 0; k < np; k++) rs[k]!.samples += counts[k]!;
  }

  /** Where series i of the request keeps its state (claiming the id for its tenant if no tenant has). */
  private keyOf(ev: RequestEvent, i: number): [SlotState, number] {
    const id = ev.request.ids[i]!;
    const o = this.owner.a[id]!;
    if (o === this.run.tenant.idx || o === -1) {
      this.owner.a[id] = this.run.tenant.idx;
      return [this.byId, id];
    }
    const slot = this.run.slotsOf(ev)[i]!;
    this.bySlot.fit(this.run.slotCount);
    return [this.bySlot, slot];
  }

  /** Float samples of series i, whose labels another tenant sent first: by DoctorRun slot. */
  private other(ev: RequestEvent, i: number, stats: PairStats, from: number, to: number): void {
    const [st, key] = this.keyOf(ev, i);
    const r = ev.request;
    this.run_(stats, st, key, r.ids[i]!, r.timestamps, r.values, from, to, ev.nowMs);
  }

  /** Samples of one key in one request: each checked, the newest of a run kept in the ring. */
  private run_(stats: PairStats, st: SlotState, key: number, id: number, ts: Float64Array, vs: Float64Array, from: number, to: number, now: number): void {
    let newer = false;
    for (let j = from; j < to; j++) if (this.sample(stats, st, key, id, ts[j]!, vs[j]!, now)) newer = true;
    // a resend (or older samples) leaves the ring with the batch it has
    if (newer && to - from > 1) keepRun(st, key, ts, vs, from, to);
  }

  /** One sample; true when it was newer than the key's latest. */
  private sample(stats: PairStats, st: SlotState, key: number, id: number, t: number, v: number, now: number): boolean {
    const lat = st.latest.a;
    if (t > lat[2 * key]!) {
      lat[2 * key] = t;
      lat[2 * key + 1] = v;
      return true;
    }
    this.older(stats, st, key, id, t, v, now);
    return false;
  }

  /** A sample at or before its key's latest: a resend, a conflict, or back in time. */
  private older(stats: PairStats, st: SlotState, key: number, id: number, t: number, v: number, now: number): void {
    const L = st.latest.a[2 * key]!;
    let before: number | null = null;
    if (t === L) before = st.latest.a[2 * key + 1]!;
    else {
      const ring = st.ring.a;
      const base = key * STRIDE;
      const end = base < ring.length ? base + STRIDE : base; // past the end: no run kept
      for (let j = base; j < end; j += 2) {
        if (ring[j] === t) {
          before = ring[j + 1]!;
          break;
        }
      }
    }
    if (before !== null) {
      if (sameValue(before, v)) return; // a resend
      stats.conflicts++;
      if (stats.conflictExamples.length < MAX_EXAMPLES) {
        stats.conflictExamples.push({ labels: labelsRecord(this.run.catalog.labels(id)), at_ms: now, note: `value ${before} at ${t}, then ${v} at the same timestamp` });
      }
      return;
    }
    stats.backwards++;
    if (stats.backwardExamples.length < MAX_EXAMPLES) {
      stats.backwardExamples.push({
        labels: labelsRecord(this.run.catalog.labels(id)),
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
