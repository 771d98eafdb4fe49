// too-many-clusters (SPEC 12.1): warn when a tenant's clusters are >= 80% of max clusters and
// none was rejected; error when some were rejected (HTTP 400, "too many HA clusters").
//
// "A tenant's clusters" is what the tracker holds at once: a cluster counts from its first
// request that was not rejected until the 30-minute cleanup frees its slot (SPEC 6.5: cleanup
// runs every 30 minutes of simulated time from the first record and marks entries not written
// for over 30 minutes; the last request stands for the last write). The peak over the run is
// compared with max clusters. With `errorsOnly` (the replay hint) only rejections are counted:
// one comparison per request.
import { OUTCOME_REJECTED, seriesSampleCount, isoUtc } from '../../model/index.js';
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural } from '../options.js';
import type { DoctorRun, TenantInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

const NEAR_SHARE = 0.8;
const CLEANUP_MS = 30 * 60_000;

interface Held {
  lastMs: number;
}

interface TenantClusters {
  tenant: TenantInfo;
  held: Map<string, Held>;
  peak: number;
  peakAtMs: number;
  rejected: Map<string, { samples: number; firstMs: number }>;
  rejectedSamples: number;
  examples: Example[];
}

export class TooManyClusters implements Check {
  readonly code = 'too-many-clusters' as const;
  private readonly tenants: (TenantClusters | undefined)[] = [];
  private firstMs = NaN;

  constructor(
    private readonly run: DoctorRun,
    private readonly errorsOnly = false,
  ) {}

  private state(t: TenantInfo): TenantClusters {
    let s = this.tenants[t.idx];
    if (s === undefined) {
      s = { tenant: t, held: new Map(), peak: 0, peakAtMs: NaN, rejected: new Map(), rejectedSamples: 0, examples: [] };
      this.tenants[t.idx] = s;
    }
    return s;
  }

  /** When the cleanup frees a cluster last written at `lastMs`: the first tick over 30 minutes later. */
  private releaseAt(lastMs: number): number {
    const base = this.firstMs;
    return base + (Math.floor((lastMs + CLEANUP_MS - base) / CLEANUP_MS) + 1) * CLEANUP_MS;
  }

  request(ev: RequestEvent): void {
    if (this.firstMs !== this.firstMs) this.firstMs = ev.nowMs;
    const d = ev.decision;
    const pairs = ev.ha.pairs;
    if (d === null || pairs.length === 0) return;
    const t = this.run.tenant;
    if (t.config.maxClusters === 0) return;
    if (d.status === 400) this.rejections(ev, t);
    if (this.errorsOnly) return;
    const now = ev.nowMs;
    if (!t.config.perSample) {
      const k = d.pairOf.length > 0 ? d.pairOf[0]! : -1;
      if (k >= 0 && d.outcomes[0] !== OUTCOME_REJECTED) this.hold(t, pairs[k]!.cluster, now);
      return;
    }
    for (let k = 0; k < pairs.length; k++) {
      if (d.status === 400 && this.rejectedPair(ev, k)) continue;
      this.hold(t, pairs[k]!.cluster, now);
    }
  }

  private rejectedPair(ev: RequestEvent, k: number): boolean {
    const d = ev.decision!;
    for (let i = 0; i < ev.request.seriesCount; i++) if (d.pairOf[i] === k && d.outcomes[i] === OUTCOME_REJECTED) return true;
    return false;
  }

  private hold(t: TenantInfo, cluster: string, now: number): void {
    const s = this.state(t);
    const h = s.held.get(cluster);
    if (h !== undefined && this.releaseAt(h.lastMs) > now) {
      h.lastMs = now;
      return;
    }
    if (h === undefined) s.held.set(cluster, { lastMs: now });
    else h.lastMs = now;
    // a cluster (re)enters: count what is held now
    let n = 0;
    for (const x of s.held.values()) if (this.releaseAt(x.lastMs) > now) n++;
    if (n > s.peak) {
      s.peak = n;
      s.peakAtMs = now;
    }
  }

  private rejections(ev: RequestEvent, t: TenantInfo): void {
    const s = this.state(t);
    const d = ev.decision!;
    const pairs = ev.ha.pairs;
    for (let i = 0; i < ev.request.seriesCount; i++) {
      if (d.outcomes[i] !== OUTCOME_REJECTED) continue;
      const k = d.pairOf[i]!;
      const cluster = k >= 0 ? pairs[k]!.cluster : '';
      const n = seriesSampleCount(ev.request, i);
      s.rejectedSamples += n;
      let r = s.rejected.get(cluster);
      if (r === undefined) {
        r = { samples: 0, firstMs: ev.nowMs };
        s.rejected.set(cluster, r);
        if (s.examples.length < MAX_EXAMPLES) s.examples.push({ labels: { [t.config.clusterLabel]: cluster }, at_ms: ev.nowMs, note: `cluster ${cluster} rejected: ${d.message ?? 'too many HA clusters'}` });
      }
      r.samples += n;
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const s of this.tenants) {
      if (s === undefined) continue;
      const max = s.tenant.config.maxClusters;
      if (max === 0) continue;
      if (s.rejected.size > 0) {
        const want = s.peak + s.rejected.size;
        const raise = Math.max(want, Math.ceil(want / NEAR_SHARE));
        out.push({
          code: this.code,
          severity: 'error',
          tenant: s.tenant.name,
          cluster: null,
          replica: null,
          count: s.rejected.size,
          examples: s.examples,
          fix:
            `${plural(s.rejected.size, 'clusters')} were rejected (HTTP 400, too many HA clusters; ${int(s.rejectedSamples)} samples) with the limit at ${int(max)}` +
            (this.errorsOnly ? '' : ` (${int(s.peak)} held at once at most)`) +
            `. Raise the limit: ${OPT.maxClusters(raise)}; or check that the cluster label names Prometheus pairs, not targets or pods (cluster-label-collision).`,
        });
      } else if (!this.errorsOnly && s.peak >= NEAR_SHARE * max) {
        out.push({
          code: this.code,
          severity: 'warn',
          tenant: s.tenant.name,
          cluster: null,
          replica: null,
          count: s.peak,
          examples: [],
          fix:
            `${int(s.peak)} of at most ${int(max)} HA clusters were held at once (${isoUtc(s.peakAtMs)}), at least ${Math.round(NEAR_SHARE * 100)}% of the limit: ` +
            `a few more and new clusters are rejected (HTTP 400). Raise the limit before that: ${OPT.maxClusters(Math.ceil(s.peak / NEAR_SHARE) + 1)}.`,
        });
      }
    }
    return out;
  }
}
