// stale-after-failover (info, SPEC 12.1): stale markers accepted from the new leader within 2
// scrape intervals after an election, for series the old leader last sent a non-stale value for:
// dashboards show those series ending at the failover.
//
// The scrape interval is SPEC 9's (per replica, the median of the differences between
// consecutive distinct timestamps; the smallest over replicas), computed streaming: per slot a
// majority vote over the differences, which is the median whenever one interval makes more than
// half of them (regular scrapes). Per slot: last timestamp, whether the last value was stale,
// the vote; per canonical series: the election it was last counted for.
import { isStaleNaN, OUTCOME_ACCEPTED, dur } from '../../model/index.js';
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { F64Column, I32Column, U8Column } from '../columns.js';
import { plural } from '../options.js';
import type { ClusterInfo, DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

const STALE_WINDOW_INTERVALS = 2;

const VALUE = 1;
const STALE = 2;

interface Group {
  pair: PairInfo;
  series: number;
  markers: number;
  elections: Set<number>;
  examples: Example[];
}

export class StaleAfterFailover implements Check {
  readonly code = 'stale-after-failover' as const;
  // per slot
  private readonly lastT = new F64Column(NaN);
  private readonly lastKind = new U8Column();
  private readonly cand = new F64Column(NaN);
  private readonly votes = new I32Column(0);
  // per canonical series: cluster election ordinal last counted (-1 none)
  private readonly counted = new I32Column(-1);
  private readonly groups = new Map<number, Group>();

  constructor(private readonly run: DoctorRun) {
    run.needCanon = true;
  }

  request(ev: RequestEvent): void {
    if (ev.ha.pairs.length === 0) return;
    const run = this.run;
    const r = ev.request;
    const n = run.slotCount;
    this.lastT.ensure(n);
    this.lastKind.ensure(n);
    this.cand.ensure(n);
    this.votes.ensure(n);
    const sp = ev.ha.seriesPair;
    const start = r.sampleStart;
    const ts = r.timestamps;
    const vs = r.values;
    const outcomes = ev.decision?.outcomes;
    const slots = run.slotsOf(ev);
    for (let i = 0; i < r.seriesCount; i++) {
      if (sp[i]! < 0) continue;
      const slot = slots[i]!;
      const accepted = outcomes !== undefined && outcomes[i] === OUTCOME_ACCEPTED;
      for (let j = start[i]!; j < start[i + 1]!; j++) {
        const t = ts[j]!;
        const v = vs[j]!;
        const stale = v !== v && isStaleNaN(v);
        if (stale && accepted) this.staleAccepted(slot, t, ev.nowMs);
        this.observe(slot, t, stale);
      }
    }
  }

  private observe(slot: number, t: number, stale: boolean): void {
    const last = this.lastT.a[slot]!;
    if (last === last && t > last) {
      const d = t - last;
      const votes = this.votes.a;
      if (votes[slot] === 0) {
        this.cand.a[slot] = d;
        votes[slot] = 1;
      } else votes[slot]! += this.cand.a[slot] === d ? 1 : -1;
    }
    if (!(last >= t)) this.lastT.a[slot] = t;
    this.lastKind.a[slot] = stale ? STALE : VALUE;
  }

  /** The canonical series' scrape interval as known so far (Infinity when none). */
  private interval(canon: number): number {
    const run = this.run;
    let iv = Infinity;
    for (let s = run.canonFirstSlot.a[canon]!; s >= 0; s = run.slotCanonNext.a[s]!) {
      if (s < this.votes.a.length && this.votes.a[s]! > 0 && this.cand.a[s]! < iv) iv = this.cand.a[s]!;
    }
    return iv;
  }

  private staleAccepted(slot: number, t: number, now: number): void {
    const run = this.run;
    const pair = run.pairList[run.slotPair.a[slot]!]!;
    const cl: ClusterInfo = pair.cluster;
    const e = cl.lastElection;
    if (e === null || e.from === null || e.to !== pair.replica) return;
    const c = run.canon(slot);
    this.counted.ensure(run.canonCount);
    if (this.counted.a[c] === cl.elections) return;
    const iv = this.interval(c);
    if (!(t <= e.atMs + STALE_WINDOW_INTERVALS * iv)) return;
    const old = run.findPair(cl.tenant.name, cl.name, e.from);
    if (old === undefined) return;
    const twin = run.twin(c, old.idx);
    if (twin < 0 || this.lastKind.a[twin] !== VALUE) return;
    this.counted.a[c] = cl.elections;
    let g = this.groups.get(pair.idx);
    if (g === undefined) {
      g = { pair, series: 0, markers: 0, elections: new Set(), examples: [] };
      this.groups.set(pair.idx, g);
    }
    g.series++;
    g.markers++;
    g.elections.add(cl.elections);
    if (g.examples.length < MAX_EXAMPLES) {
      g.examples.push({ labels: run.slotLabels(slot), at_ms: now, note: `stale marker at ${t}, ${dur(t - e.atMs)} after ${e.from} -> ${e.to} (scrape interval ${dur(iv)}); ${e.from}'s last value was not stale` });
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const g of this.groups.values()) {
      out.push({
        code: this.code,
        severity: 'info',
        tenant: g.pair.tenant.name,
        cluster: g.pair.cluster.name,
        replica: g.pair.replica,
        count: g.series,
        examples: g.examples,
        fix:
          `${plural(g.series, 'series')} got a stale marker from the new leader ${g.pair.replica} within ${STALE_WINDOW_INTERVALS} scrape intervals of ${plural(g.elections.size, 'elections')}, while the old leader's last value was not stale: dashboards show them ending at the failover. ` +
          'The new leader had stopped scraping them (it restarted, or the replicas\' targets differ: see target-set-mismatch). No tracker setting changes the markers; a longer `ha_tracker_failover_timeout` only makes failovers rarer.',
      });
    }
    return out;
  }
}
