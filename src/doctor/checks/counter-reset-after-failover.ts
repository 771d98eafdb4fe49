// counter-reset-after-failover (warn, SPEC 12.1): at an election, a counter series (metadata
// type counter, or name ending _total, _count, _sum, _bucket) whose first sample accepted from
// the new leader with a timestamp after the old leader's last accepted one is lower than that
// last one, while the new leader's own stream of that series did not decrease there (its
// previous sample, accepted or not, is not higher): a reset made by the switch, not by the
// target; rate() shows a spike there. Counts series and the largest drop per election.
//
// Per canonical series (SPEC 9's series, shared by the twins): which pair's samples are being
// accepted and the last accepted one; per slot (series, pair): its previous sample. Float
// samples only (native histograms carry their own reset hints). Stale markers and NaN never
// count as values.
import { isStaleNaN, OUTCOME_ACCEPTED, isoUtc } from '../../model/index.js';
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { F64Column, I32Column, U8Column } from '../columns.js';
import { int, plural } from '../options.js';
import type { ClusterInfo, DoctorRun } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

const COUNTER_SUFFIXES = ['_total', '_count', '_sum', '_bucket'];

interface ElectionResets {
  atMs: number;
  from: string | null;
  to: string;
  series: number;
  maxDrop: number;
}

interface ClusterResets {
  cluster: ClusterInfo;
  /** By the cluster's election ordinal. */
  elections: Map<number, ElectionResets>;
  series: number;
  examples: Example[];
}

export class CounterResetAfterFailover implements Check {
  readonly code = 'counter-reset-after-failover' as const;
  // per slot
  private readonly prevV = new F64Column(NaN);
  private readonly hasPrev = new U8Column();
  // per canonical series
  private readonly accPair = new I32Column(-1);
  private readonly lastAccT = new F64Column(-Infinity);
  private readonly lastAccV = new F64Column(NaN);
  private readonly pending = new U8Column();
  private readonly refT = new F64Column(-Infinity);
  private readonly refV = new F64Column(NaN);
  private readonly counters = new Map<number, Set<string>>();
  private readonly clusters = new Map<number, ClusterResets>();

  constructor(private readonly run: DoctorRun) {}

  request(ev: RequestEvent): void {
    const r = ev.request;
    const run = this.run;
    if (r.metadata.length > 0) {
      let set = this.counters.get(run.tenant.idx);
      for (const m of r.metadata) {
        if (m.type !== 'counter') continue;
        if (set === undefined) {
          set = new Set();
          this.counters.set(run.tenant.idx, set);
        }
        set.add(m.metricFamilyName);
      }
    }
    const d = ev.decision;
    if (d === null || ev.ha.pairs.length === 0) return;
    this.prevV.ensure(run.slotCount);
    this.hasPrev.ensure(run.slotCount);
    const sp = ev.ha.seriesPair;
    const start = r.sampleStart;
    const ts = r.timestamps;
    const vs = r.values;
    const outcomes = d.outcomes;
    const prevV = this.prevV.a;
    const hasPrev = this.hasPrev.a;
    const slots = run.slotsOf(ev);
    for (let i = 0; i < r.seriesCount; i++) {
      if (sp[i]! < 0) continue;
      const from = start[i]!;
      const to = start[i + 1]!;
      if (from === to) continue;
      const slot = slots[i]!;
      if (outcomes[i] !== OUTCOME_ACCEPTED) {
        prevV[slot] = vs[to - 1]!;
        hasPrev[slot] = 1;
        continue;
      }
      const pair = run.slotPair.a[slot]!;
      const c = run.canon(slot);
      this.ensureCanon(run.canonCount);
      for (let j = from; j < to; j++) {
        const t = ts[j]!;
        const v = vs[j]!;
        this.accepted(c, slot, pair, t, v, ev.nowMs);
        prevV[slot] = v;
        hasPrev[slot] = 1;
      }
    }
  }

  private ensureCanon(n: number): void {
    this.accPair.ensure(n);
    this.lastAccT.ensure(n);
    this.lastAccV.ensure(n);
    this.pending.ensure(n);
    this.refT.ensure(n);
    this.refV.ensure(n);
  }

  private accepted(c: number, slot: number, pair: number, t: number, v: number, now: number): void {
    const accPair = this.accPair.a;
    if (accPair[c] !== pair) {
      if (accPair[c]! >= 0) {
        // the accepted stream switched replicas: the old leader's last accepted sample is the reference
        this.pending.a[c] = 1;
        this.refT.a[c] = this.lastAccT.a[c]!;
        this.refV.a[c] = this.lastAccV.a[c]!;
      }
      accPair[c] = pair;
      this.lastAccT.a[c] = -Infinity;
    }
    if (this.pending.a[c] === 1 && t > this.refT.a[c]!) {
      this.pending.a[c] = 0;
      const ref = this.refV.a[c]!;
      const prev = this.hasPrev.a[slot] === 1 ? this.prevV.a[slot]! : NaN;
      if (v === v && ref === ref && !isStaleNaN(v) && v < ref && !(prev > v) && this.isCounter(slot)) this.reset(slot, pair, ref, v, t, prev, now);
    }
    if (t > this.lastAccT.a[c]!) {
      this.lastAccT.a[c] = t;
      this.lastAccV.a[c] = v;
    }
  }

  private isCounter(slot: number): boolean {
    const run = this.run;
    const name = run.catalog.labelValue(run.slotId.a[slot]!, '__name__');
    if (COUNTER_SUFFIXES.some((s) => name.endsWith(s))) return true;
    return this.counters.get(run.slotTenant.a[slot]!)?.has(name) ?? false;
  }

  private reset(slot: number, pair: number, ref: number, v: number, t: number, prev: number, now: number): void {
    const p = this.run.pairList[pair]!;
    const cl = p.cluster;
    let cr = this.clusters.get(cl.idx);
    if (cr === undefined) {
      cr = { cluster: cl, elections: new Map(), series: 0, examples: [] };
      this.clusters.set(cl.idx, cr);
    }
    const e = cl.lastElection;
    let er = cr.elections.get(cl.elections);
    if (er === undefined) {
      er = { atMs: e?.atMs ?? now, from: e?.from ?? null, to: e?.to ?? p.replica, series: 0, maxDrop: 0 };
      cr.elections.set(cl.elections, er);
    }
    er.series++;
    cr.series++;
    if (ref - v > er.maxDrop) er.maxDrop = ref - v;
    if (cr.examples.length < MAX_EXAMPLES) {
      cr.examples.push({
        labels: this.run.slotLabels(slot),
        at_ms: now,
        note: `old leader's last accepted value ${ref}, ${p.replica}'s first accepted after it ${v} at ${t} (drop ${ref - v}); ${p.replica}'s previous sample ${prev === prev ? `${prev}, not higher` : 'none'}`,
      });
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const cr of this.clusters.values()) {
      const els = [...cr.elections.values()].sort((a, b) => a.atMs - b.atMs);
      const per = els
        .slice(0, 5)
        .map((e) => `${isoUtc(e.atMs)} ${e.from ?? '(none)'} -> ${e.to}: ${plural(e.series, 'series')}, largest drop ${e.maxDrop}`)
        .join('; ');
      out.push({
        code: this.code,
        severity: 'warn',
        tenant: cr.cluster.tenant.name,
        cluster: cr.cluster.name,
        replica: null,
        count: cr.series,
        examples: cr.examples,
        fix:
          `At ${plural(els.length, 'elections')} counters went down where the accepted replica changed, though the new leader's own stream did not: \`rate()\` and \`increase()\` show a spike there. ` +
          `Per election: ${per}${els.length > 5 ? `; ... (${int(els.length - 5)} more)` : ''}. ` +
          'The replicas read different values for one counter: scrape the same backends directly (pod or endpoint discovery, not a load-balanced address that reaches a different instance per scraper), ' +
          'keep `honor_timestamps` the same on both, and do not write per-replica recording rules under one name; a longer `ha_tracker_failover_timeout` only makes the switches rarer.',
      });
    }
    return out;
  }
}
