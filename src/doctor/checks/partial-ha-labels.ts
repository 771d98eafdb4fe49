// partial-ha-labels (error, SPEC 12.1): series in HA requests that lack the cluster or the
// replica label or have it empty. A request with no HA series is not HA traffic (a cluster-only
// Prometheus is a normal non-HA sender) and is not looked at.
//
// Per request the cost is one pass over the HALabels.missing bytes, and only for HA requests.
import { MISSING_CLUSTER, MISSING_REPLICA, OUTCOME_ACCEPTED, OUTCOME_DEDUPED, OUTCOME_NON_HA, OUTCOME_REJECTED, seriesSampleCount } from '../../model/index.js';
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural } from '../options.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

interface Group {
  pair: PairInfo;
  slots: Set<number>;
  samples: number;
  noCluster: number;
  noReplica: number;
  /** Samples of these series by outcome (this lane). */
  accepted: number;
  deduped: number;
  nonHa: number;
  rejected: number;
  /** HA requests whose first series lacked the labels: per request the whole request was non-HA. */
  firstSeriesRequests: number;
  examples: Example[];
}

export class PartialHaLabels implements Check {
  readonly code = 'partial-ha-labels' as const;
  private readonly groups = new Map<number, Group>();

  constructor(private readonly run: DoctorRun) {}

  request(ev: RequestEvent): void {
    const ha = ev.ha;
    if (ha.pairs.length === 0) return;
    const run = this.run;
    const missing = ha.missing;
    const n = ev.request.seriesCount;
    let i = run.firstNotHa(ev);
    if (i === n) return;
    const slots = run.slotsOf(ev);
    const pair = run.reqPairs[0]!;
    let g = this.groups.get(pair.idx);
    if (g === undefined) {
      g = { pair, slots: new Set(), samples: 0, noCluster: 0, noReplica: 0, accepted: 0, deduped: 0, nonHa: 0, rejected: 0, firstSeriesRequests: 0, examples: [] };
      this.groups.set(pair.idx, g);
    }
    if (missing[0] !== 0) g.firstSeriesRequests++;
    const outcomes = ev.decision?.outcomes;
    for (; i < n; i++) {
      const m = missing[i]!;
      if (m === 0) continue;
      const slot = slots[i]!;
      const k = seriesSampleCount(ev.request, i);
      g.samples += k;
      if (outcomes !== undefined) {
        const o = outcomes[i];
        if (o === OUTCOME_ACCEPTED) g.accepted += k;
        else if (o === OUTCOME_DEDUPED) g.deduped += k;
        else if (o === OUTCOME_NON_HA) g.nonHa += k;
        else if (o === OUTCOME_REJECTED) g.rejected += k;
      }
      if (g.slots.has(slot)) continue;
      g.slots.add(slot);
      if (m & MISSING_CLUSTER) g.noCluster++;
      if (m & MISSING_REPLICA) g.noReplica++;
      if (g.examples.length < MAX_EXAMPLES) g.examples.push(this.example(slot, m, ev.nowMs));
    }
  }

  private example(slot: number, m: number, at: number): Example {
    const labels = this.run.slotLabels(slot);
    const cfg = this.run.tenant.config;
    const what: string[] = [];
    for (const [bit, name] of [
      [MISSING_CLUSTER, cfg.clusterLabel],
      [MISSING_REPLICA, cfg.replicaLabel],
    ] as const) {
      if (!(m & bit)) continue;
      what.push(name in labels ? `\`${name}\` is empty` : `no \`${name}\` label`);
    }
    return { labels, at_ms: at, note: `${what.join(', ')} in a request of an HA sender` };
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const g of this.groups.values()) {
      const t = g.pair.tenant;
      const cfg = t.config;
      const lacking: string[] = [];
      if (g.noCluster > 0) lacking.push(`${plural(g.noCluster, 'series')} lack \`${cfg.clusterLabel}\``);
      if (g.noReplica > 0) lacking.push(`${plural(g.noReplica, 'series')} lack \`${cfg.replicaLabel}\``);
      const outcome = `${int(g.accepted)} accepted, ${int(g.deduped)} deduplicated, ${int(g.nonHa)} non-HA, ${int(g.rejected)} rejected`;
      const modes = cfg.perSample
        ? `This tenant dedupes per sample: they are non-HA, accepted from every replica, so duplicated (${outcome}); per request they would follow the request's first series.`
        : `Per request (this tenant's mode) they follow the request's first series (${outcome})` +
          (g.firstSeriesRequests > 0 ? `; in ${plural(g.firstSeriesRequests, 'requests')} the first series itself lacked them, so the whole request went through as non-HA with its replica label` : '') +
          '; per sample they would be non-HA: accepted from every replica, so duplicated.';
      out.push({
        code: this.code,
        severity: 'error',
        tenant: t.name,
        cluster: g.pair.cluster.name,
        replica: g.pair.replica,
        count: g.slots.size,
        examples: g.examples,
        fix:
          `In HA requests of this sender ${lacking.join(' and ')} (${int(g.samples)} samples). ${modes} ` +
          `Give every series of an HA sender both labels (${OPT.externalLabels(`${cfg.clusterLabel}: ..., ${cfg.replicaLabel}: ...`)}); ` +
          'look for `write_relabel_configs` that drop them and for targets exporting an empty or own label of that name under `honor_labels: true`.',
      });
    }
    return out;
  }
}
