// Samples by outcome, per tenant and within the requests that mixed-request is about, in one
// lane. The plan puts one in the base lane and one in a per-sample lane over the same stream, so
// the mixed-request finding states what `--dedupe per-sample` changes as computed figures.
import { OUTCOME_ACCEPTED, OUTCOME_DEDUPED, OUTCOME_NON_HA, OUTCOME_REJECTED, requestSampleCount, seriesSampleCount } from '../../model/index.js';
import type { Consumer, HAPair, Outcome, RequestEvent } from '../../model/index.js';

export interface OutcomeCounts {
  accepted: number;
  deduped: number;
  nonHa: number;
  rejected: number;
}

const zero = (): OutcomeCounts => ({ accepted: 0, deduped: 0, nonHa: 0, rejected: 0 });

/** A request with more than one pair whose pairs do not all share one replica value (SPEC 12.1). */
export function isMixed(pairs: readonly HAPair[]): boolean {
  if (pairs.length < 2) return false;
  const r = pairs[0]!.replica;
  for (let k = 1; k < pairs.length; k++) if (pairs[k]!.replica !== r) return true;
  return false;
}

/** A request with more than one pair, all with one replica value: cluster-label-collision. */
export function isClusterCollision(pairs: readonly HAPair[]): boolean {
  return pairs.length >= 2 && !isMixed(pairs);
}

/** The key of a mixed request's finding: tenant, then the first (deciding) pair. */
export function mixedKey(tenant: string, p: HAPair): string {
  return tenant + '\xfd' + p.cluster + '\xfd' + p.replica;
}

function add(c: OutcomeCounts, o: number | Outcome, n: number): void {
  if (o === OUTCOME_ACCEPTED || o === 'accepted') c.accepted += n;
  else if (o === OUTCOME_DEDUPED || o === 'deduped') c.deduped += n;
  else if (o === OUTCOME_NON_HA || o === 'non_ha') c.nonHa += n;
  else if (o === OUTCOME_REJECTED || o === 'rejected_too_many_clusters') c.rejected += n;
}

export class MixedTally implements Consumer {
  /** Per tenant, every sample. */
  readonly tenants = new Map<string, OutcomeCounts>();
  /** Per mixedKey, the samples of the mixed requests. */
  readonly mixed = new Map<string, OutcomeCounts>();

  request(ev: RequestEvent): void {
    const d = ev.decision;
    if (d === null) return;
    let t = this.tenants.get(ev.tenant);
    if (t === undefined) {
      t = zero();
      this.tenants.set(ev.tenant, t);
    }
    const pairs = ev.ha.pairs;
    const mixed = isMixed(pairs);
    let m: OutcomeCounts | null = null;
    if (mixed) {
      const key = mixedKey(ev.tenant, pairs[0]!);
      m = this.mixed.get(key) ?? null;
      if (m === null) {
        m = zero();
        this.mixed.set(key, m);
      }
    }
    const r = ev.request;
    // per request (no mixed pairs, or per-request decisions) every series has the request's
    // outcome unless the decision says otherwise; counting per series is needed only when mixed
    // or when the outcomes differ, which a scan finds
    const outcomes = d.outcomes;
    const n = r.seriesCount;
    let uniform = true;
    const first = n > 0 ? outcomes[0]! : -1;
    for (let i = 1; i < n && uniform; i++) if (outcomes[i] !== first) uniform = false;
    if (uniform && n > 0) {
      const k = requestSampleCount(r);
      add(t, first, k);
      if (m !== null) add(m, first, k);
      return;
    }
    for (let i = 0; i < n; i++) {
      const k = seriesSampleCount(r, i);
      add(t, outcomes[i]!, k);
      if (m !== null) add(m, outcomes[i]!, k);
    }
  }
}
