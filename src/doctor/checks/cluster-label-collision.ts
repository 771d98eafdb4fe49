// cluster-label-collision (error, SPEC 12.1): an HA request whose HA series share one replica
// value but carry more than one cluster value: a target sets the cluster label itself (with
// honor_labels), so one replica looks like several clusters. The cluster most of the request's
// series carry is taken as the sender's own; the others are the targets'.
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural } from '../options.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';
import { isClusterCollision } from './mixed-tally.js';

interface Group {
  /** The sender's own pair (the cluster most series carry). */
  pair: PairInfo;
  requests: number;
  /** Requests whose first series carried a target's value: per request the whole request was decided as that cluster. */
  firstForeign: number;
  /** Target cluster values: distinct series carrying each. */
  foreign: Map<string, Set<number>>;
  examples: Example[];
}

/** Label names to suggest as a cluster label no target sets, in order of preference. */
const CANDIDATES = ['ha_cluster', 'prometheus_cluster', '__ha_cluster__'];

export class ClusterLabelCollision implements Check {
  readonly code = 'cluster-label-collision' as const;
  private readonly groups = new Map<number, Group>();
  private counts = new Int32Array(8);

  constructor(private readonly run: DoctorRun) {}

  request(ev: RequestEvent): void {
    const pairs = ev.ha.pairs;
    if (!isClusterCollision(pairs)) return;
    const run = this.run;
    const sp = ev.ha.seriesPair;
    const n = ev.request.seriesCount;
    if (this.counts.length < pairs.length) this.counts = new Int32Array(pairs.length * 2);
    const counts = this.counts;
    counts.fill(0, 0, pairs.length);
    for (let i = 0; i < n; i++) if (sp[i]! >= 0) counts[sp[i]!]!++;
    let own = 0;
    for (let k = 1; k < pairs.length; k++) if (counts[k]! > counts[own]!) own = k;
    const pair = run.reqPairs[own]!;
    let g = this.groups.get(pair.idx);
    if (g === undefined) {
      g = { pair, requests: 0, firstForeign: 0, foreign: new Map(), examples: [] };
      this.groups.set(pair.idx, g);
    }
    g.requests++;
    if (sp[0] !== own) g.firstForeign++;
    const cfg = run.tenant.config;
    const slots = run.slotsOf(ev);
    for (let i = 0; i < n; i++) {
      const p = sp[i]!;
      if (p < 0 || p === own) continue;
      const value = pairs[p]!.cluster;
      let set = g.foreign.get(value);
      if (set === undefined) {
        set = new Set();
        g.foreign.set(value, set);
      }
      const slot = slots[i]!;
      if (set.has(slot)) continue;
      set.add(slot);
      if (g.examples.length < MAX_EXAMPLES) {
        g.examples.push({
          labels: run.slotLabels(slot),
          at_ms: ev.nowMs,
          note: `carries \`${cfg.clusterLabel}=${value}\` while the request's other series carry \`${cfg.clusterLabel}=${pair.cluster.name}\` with the same replica`,
        });
      }
    }
  }

  /** A label name no series of the run carries. */
  private unusedLabel(): string {
    const used = new Set<string>();
    const cat = this.run.catalog;
    for (let id = 0; id < cat.size; id++) for (const l of cat.labels(id)) used.add(l.name);
    return CANDIDATES.find((c) => !used.has(c)) ?? `${CANDIDATES[0]}_${used.size}`;
  }

  findings(): Finding[] {
    if (this.groups.size === 0) return [];
    const label = this.unusedLabel();
    const out: Finding[] = [];
    for (const g of this.groups.values()) {
      const cfg = g.pair.tenant.config;
      const values = [...g.foreign.entries()].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1));
      const seriesCount = values.reduce((s, [, v]) => s + v.size, 0);
      const shown = values
        .slice(0, 5)
        .map(([v, s]) => `${v} (${plural(s.size, 'series')})`)
        .join(', ');
      out.push({
        code: this.code,
        severity: 'error',
        tenant: g.pair.tenant.name,
        cluster: g.pair.cluster.name,
        replica: g.pair.replica,
        count: g.requests,
        examples: g.examples,
        fix:
          `Targets set \`${cfg.clusterLabel}\` themselves: ${plural(seriesCount, 'series')} from replica ${g.pair.replica} carry ${shown}${values.length > 5 ? ', ...' : ''} instead of ${g.pair.cluster.name}, ` +
          `so the tracker sees them as other clusters` +
          (g.firstForeign > 0 ? ` (in ${int(g.firstForeign)} requests the first series carried one, and per request the whole request was decided as that cluster)` : '') +
          `. Use a cluster label no target sets: ${OPT.externalLabels(`${label}: ${g.pair.cluster.name}, ${cfg.replicaLabel}: ${g.pair.replica}`)} on every replica and ${OPT.clusterLabel(label)} for the tenant; ` +
          `or keep \`${cfg.clusterLabel}\` and stop the targets' value from winning (\`honor_labels: false\`, or \`metric_relabel_configs\` renaming the target's label).`,
      });
    }
    return out;
  }
}
