// replica-collision (error, SPEC 12.1): two senders share one (cluster, replica). Within one
// pair, a series gets two different values at one timestamp, or at least 1% (and at least 100)
// of the pair's samples have a timestamp older than that series' latest from the same pair;
// byte-identical resends (same timestamp, same value) never count.
//
// A slot is one (series, pair) (the SeriesId includes both HA labels), so per slot we keep the
// latest timestamp and the last RING samples (timestamp, value): a sample at or before the latest
// is a resend when the ring holds it with the same value, a conflict when the ring holds its
// timestamp with another value, and "back in time" otherwise. A resent batch holding more than
// RING samples of one series counts its older samples as back in time (docs/doctor.md); the 1%
// and 100 thresholds are there for such noise.
import { isStaleNaN } from '../../model/index.js';
import type { Histogram, RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { F64Column, U8Column } from '../columns.js';
import { OPT, int, plural, seconds } from '../options.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

/** Samples per slot remembered for resend / conflict detection. */
export const RING = 4;
/** The thresholds of SPEC 12.1. */
export const MIN_BACKWARDS = 100;
export const BACKWARDS_SHARE = 0.01;

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
  private readonly latest = new F64Column(-Infinity);
  private readonly ringT = new F64Column(NaN, 256 * RING);
  private readonly ringV = new F64Column(NaN, 256 * RING);
  private readonly ringPos = new U8Column();
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

  request(ev: RequestEvent): void {
    const ha = ev.ha;
    if (ha.pairs.length === 0) return;
    const run = this.run;
    const n = run.slotCount;
    this.latest.ensure(n);
    this.ringT.ensure(n * RING);
    this.ringV.ensure(n * RING);
    this.ringPos.ensure(n);
    const r = ev.request;
    const sp = ha.seriesPair;
    const start = r.sampleStart;
    const ts = r.timestamps;
    const vs = r.values;
    const hs = r.histogramStart;
    for (let i = 0; i < r.seriesCount; i++) {
      const p = sp[i]!;
      if (p < 0) continue;
      const st = this.pairStats(run.reqPairs[p]!);
      const slot = run.slots[i]!;
      const from = start[i]!;
      const to = start[i + 1]!;
      st.samples += to - from;
      for (let j = from; j < to; j++) this.sample(st, slot, ts[j]!, vs[j]!, ev.nowMs, i);
      if (hs !== null) {
        for (let j = hs[i]!; j < hs[i + 1]!; j++) {
          const h = r.histograms[j]!;
          st.samples++;
          this.sample(st, slot, h.timestamp, histogramValue(h), ev.nowMs, i);
        }
      }
    }
  }

  private sample(st: PairStats, slot: number, t: number, v: number, now: number, series: number): void {
    const latest = this.latest.a;
    const L = latest[slot]!;
    const base = slot * RING;
    const rt = this.ringT.a;
    const rv = this.ringV.a;
    if (t > L) {
      latest[slot] = t;
      const pos = this.ringPos.a[slot]!;
      rt[base + pos] = t;
      rv[base + pos] = v;
      this.ringPos.a[slot] = (pos + 1) % RING;
      return;
    }
    for (let k = 0; k < RING; k++) {
      if (rt[base + k] !== t) continue;
      const before = rv[base + k]!;
      if (sameValue(before, v)) return; // a resend
      st.conflicts++;
      if (st.conflictExamples.length < MAX_EXAMPLES) {
        st.conflictExamples.push({ labels: this.run.slotLabels(this.run.slots[series]!), at_ms: now, note: `value ${before} at ${t}, then ${v} at the same timestamp` });
      }
      return;
    }
    st.backwards++;
    if (st.backwardExamples.length < MAX_EXAMPLES) {
      st.backwardExamples.push({
        labels: this.run.slotLabels(this.run.slots[series]!),
        at_ms: now,
        note: `timestamp ${t} is ${seconds(L - t)} older than this series' latest (${L}) from the same pair`,
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
