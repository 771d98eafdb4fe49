// target-set-mismatch (warn, SPEC 12.1): in a cluster where two or more replicas sent, HA series
// that only one replica sent while another replica of the cluster was sending: they vanish or
// appear at every failover.
//
// Per canonical series: the first pair that sent it, whether another did, and when the first did
// (first and last request). Per pair: its activity as intervals of requests less than F apart (a
// replica silent for F counts as down for the tracker too), so "was sending" is a question of
// overlap. Memory: four numbers per series, intervals per pair (bounded by its outages).
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { F64Column, I32Column, U8Column } from '../columns.js';
import { plural } from '../options.js';
import { isoUtc } from '../../model/index.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

interface Activity {
  /** [start, end] of each run of requests less than F apart, in time order. */
  spans: number[];
  lastMs: number;
}

export class TargetSetMismatch implements Check {
  readonly code = 'target-set-mismatch' as const;
  private readonly firstPair = new I32Column(-1);
  private readonly firstSlot = new I32Column(-1);
  private readonly multi = new U8Column();
  private readonly firstMs = new F64Column(NaN);
  private readonly lastMs = new F64Column(NaN);
  private readonly activity: (Activity | undefined)[] = [];

  constructor(private readonly run: DoctorRun) {}

  request(ev: RequestEvent): void {
    const pairs = this.run.reqPairs;
    if (pairs.length === 0) return;
    const now = ev.nowMs;
    for (const p of pairs) this.active(p, now);
    const run = this.run;
    const sp = ev.ha.seriesPair;
    const n = ev.request.seriesCount;
    const slots = run.slotsOf(ev);
    for (let i = 0; i < n; i++) {
      const k = sp[i]!;
      if (k < 0) continue;
      const slot = slots[i]!;
      const c = run.canon(slot);
      this.ensure(run.canonCount);
      const pair = run.slotPair.a[slot]!;
      const fp = this.firstPair.a[c]!;
      if (fp < 0) {
        this.firstPair.a[c] = pair;
        this.firstSlot.a[c] = slot;
        this.firstMs.a[c] = now;
        this.lastMs.a[c] = now;
      } else if (fp === pair) this.lastMs.a[c] = now;
      else this.multi.a[c] = 1;
    }
  }

  private ensure(n: number): void {
    this.firstPair.ensure(n);
    this.firstSlot.ensure(n);
    this.multi.ensure(n);
    this.firstMs.ensure(n);
    this.lastMs.ensure(n);
  }

  private active(p: PairInfo, now: number): void {
    let a = this.activity[p.idx];
    if (a === undefined) {
      a = { spans: [now, now], lastMs: now };
      this.activity[p.idx] = a;
      return;
    }
    if (now - a.lastMs < p.tenant.config.failoverTimeoutMs) a.spans[a.spans.length - 1] = now;
    else a.spans.push(now, now);
    a.lastMs = now;
  }

  /** Whether pair `p` was sending at some time in [from, to]. */
  private sending(p: PairInfo, from: number, to: number): boolean {
    const s = this.activity[p.idx]?.spans;
    if (s === undefined) return false;
    for (let k = 0; k < s.length; k += 2) if (s[k]! <= to && s[k + 1]! >= from) return true;
    return false;
  }

  findings(): Finding[] {
    const run = this.run;
    const per = new Map<number, { pair: PairInfo; series: number; examples: Finding['examples'] }>();
    for (let c = 0; c < run.canonCount; c++) {
      // canonical series made for other checks (a tenant with HA off) may lie past the columns
      const fp = this.firstPair.a[c] ?? -1;
      if (fp < 0 || this.multi.a[c] === 1) continue;
      const pair = run.pairList[fp]!;
      const from = this.firstMs.a[c]!;
      const to = this.lastMs.a[c]!;
      const other = pair.cluster.pairs.find((q) => q !== pair && this.sending(q, from, to));
      if (other === undefined) continue;
      let g = per.get(fp);
      if (g === undefined) {
        g = { pair, series: 0, examples: [] };
        per.set(fp, g);
      }
      g.series++;
      if (g.examples.length < MAX_EXAMPLES) {
        g.examples.push({ labels: run.slotLabels(this.firstSlot.a[c]!), at_ms: from, note: `sent only by ${pair.replica} (${isoUtc(from)} to ${isoUtc(to)}) while ${other.replica} was sending` });
      }
    }
    const out: Finding[] = [];
    for (const g of per.values()) {
      const others = g.pair.cluster.pairs.filter((q) => q !== g.pair).map((q) => q.replica);
      out.push({
        code: this.code,
        severity: 'warn',
        tenant: g.pair.tenant.name,
        cluster: g.pair.cluster.name,
        replica: g.pair.replica,
        count: g.series,
        examples: g.examples,
        fix:
          `${plural(g.series, 'series')} came only from ${g.pair.replica} while ${others.join(', ')} of the same cluster was sending: they vanish or appear at every failover. ` +
          'The replicas scrape different targets: give them the same scrape configuration (same service discovery and `relabel_configs`, no `hashmod` sharding between replicas, no per-replica targets), ' +
          'and check `sample_limit` / `label_limit` hits on one of them.',
      });
    }
    return out;
  }
}
