// mixed-request (error, SPEC 12.1): an HA request with more than one pair, except when all its
// pairs share one replica value (that is cluster-label-collision). Says how many samples were
// decided by another series' labels, and what `--dedupe per-sample` changes: the difference in
// accepted / deduplicated samples between this lane and a per-sample lane over the same stream
// (MixedTally in both), computed, not guessed.
import { OUTCOMES, seriesSampleCount } from '../../model/index.js';
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural, signed } from '../options.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';
import { isMixed, mixedKey, type MixedTally, type OutcomeCounts } from './mixed-tally.js';

interface Group {
  pair: PairInfo;
  key: string;
  requests: number;
  /** Samples of HA series decided under another pair than their own. */
  decidedByOther: number;
  /** Distinct pairs seen in these requests (bounded: pairs are clusters x replicas). */
  pairs: Set<number>;
  /** Examples of series from another replica than the deciding one (shown first), and of the rest. */
  examples: Example[];
  sameReplicaExamples: Example[];
}

export class MixedRequest implements Check {
  readonly code = 'mixed-request' as const;
  private readonly groups = new Map<number, Group>();
  private base: MixedTally | null = null;
  private perSample: MixedTally | null = null;

  constructor(private readonly run: DoctorRun) {}

  /** The tallies of this lane and of the per-sample lane (the plan wires them). */
  compare(base: MixedTally, perSample: MixedTally): void {
    this.base = base;
    this.perSample = perSample;
  }

  request(ev: RequestEvent): void {
    const pairs = ev.ha.pairs;
    if (!isMixed(pairs)) return;
    const run = this.run;
    const first = run.reqPairs[0]!;
    let g = this.groups.get(first.idx);
    if (g === undefined) {
      g = { pair: first, key: mixedKey(ev.tenant, pairs[0]!), requests: 0, decidedByOther: 0, pairs: new Set(), examples: [], sameReplicaExamples: [] };
      this.groups.set(first.idx, g);
    }
    g.requests++;
    for (const p of run.reqPairs) g.pairs.add(p.idx);
    const d = ev.decision;
    if (d === null) return;
    const own = ev.ha.seriesPair;
    const by = d.pairOf;
    const n = ev.request.seriesCount;
    for (let i = 0; i < n; i++) {
      const p = own[i]!;
      if (p < 0 || by[i] === p) continue;
      g.decidedByOther += seriesSampleCount(ev.request, i);
      const list = pairs[p]!.replica !== first.replica ? g.examples : g.sameReplicaExamples;
      if (list.length < MAX_EXAMPLES) {
        const dp = by[i]! >= 0 ? pairs[by[i]!]! : null;
        list.push({
          labels: run.slotLabels(run.slotsOf(ev)[i]!),
          at_ms: ev.nowMs,
          note: dp === null ? `not decided as its own pair: ${OUTCOMES[d.outcomes[i]!]}` : `decided as ${dp.cluster}/${dp.replica} (the request's first series): ${OUTCOMES[d.outcomes[i]!]}`,
        });
      }
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const g of this.groups.values()) {
      const t = g.pair.tenant;
      const others = [...g.pairs].filter((p) => p !== g.pair.idx).map((p) => this.run.pairList[p]!);
      const otherText = others
        .slice(0, 5)
        .map((p) => `${p.cluster.name}/${p.replica}`)
        .join(', ');
      let text = `${plural(g.requests, 'requests')} led by ${g.pair.cluster.name}/${g.pair.replica} also carry ${otherText}${others.length > 5 ? ', ...' : ''}. `;
      if (t.config.perSample) text += 'This tenant dedupes per sample: each series was decided on its own labels (0 samples decided by another series\' labels). ';
      else text += `Per request only the first series decides: ${int(g.decidedByOther)} samples were decided by another series' labels. `;
      text += this.comparison(g, t.name);
      text +=
        ' Fix: send one (cluster, replica) per request (a proxy, federation or agent that merges senders must keep them apart, or each Prometheus must set its own HA labels), ' +
        `or decide per series: ${OPT.perSample}.`;
      out.push({ code: this.code, severity: 'error', tenant: t.name, cluster: g.pair.cluster.name, replica: g.pair.replica, count: g.requests, examples: [...g.examples, ...g.sameReplicaExamples].slice(0, MAX_EXAMPLES), fix: text });
    }
    return out;
  }

  private comparison(g: Group, tenant: string): string {
    if (this.base === null || this.perSample === null) return '';
    const zero: OutcomeCounts = { accepted: 0, deduped: 0, nonHa: 0, rejected: 0 };
    const a = this.base.mixed.get(g.key) ?? zero;
    const b = this.perSample.mixed.get(g.key) ?? zero;
    const ta = this.base.tenants.get(tenant) ?? zero;
    const tb = this.perSample.tenants.get(tenant) ?? zero;
    const row = (x: OutcomeCounts, y: OutcomeCounts) =>
      `accepted ${int(x.accepted)} -> ${int(y.accepted)} (${signed(y.accepted - x.accepted)}), deduplicated ${int(x.deduped)} -> ${int(y.deduped)} (${signed(y.deduped - x.deduped)})` +
      (x.nonHa !== y.nonHa ? `, non-HA ${int(x.nonHa)} -> ${int(y.nonHa)} (${signed(y.nonHa - x.nonHa)})` : '') +
      (x.rejected !== y.rejected ? `, rejected ${int(x.rejected)} -> ${int(y.rejected)} (${signed(y.rejected - x.rejected)})` : '');
    return `Replayed with --dedupe per-sample over the same stream: in these requests ${row(a, b)}; in the whole tenant ${row(ta, tb)}.`;
  }
}
