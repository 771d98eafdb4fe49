// The dedupe strategies: how a request's series are put to the decision model (SPEC 6.1, 6.2).
// Per request (per-request.ts): the first series' labels decide for the whole request, as
// Mimir's ha_dedupe_per_request path does. Per sample (per-sample.ts, accept_mixed_ha_samples):
// each distinct (cluster, replica) of the request is asked once, in order of first appearance,
// and each series takes its own answer. The tracker picks one per tenant (cfg.perSample).
import type { Outcome, TimeSeries } from '../model/index.js';
import type { RequestDecision, SeriesDecision } from './api.js';
import { CHECK_ACCEPT, CHECK_DEDUPE, type CheckCode } from './model.js';
import type { TenantState } from './state.js';

/** The cluster and replica label values of one series ("" when missing): scanHALabels' answer, in an object the caller owns. */
export interface HAScan {
  cluster: string;
  replica: string;
}

/** What a strategy asks of the tracker. */
export interface StrategyContext {
  /** Scratch for scanHALabels (read its fields into locals at once: check() and sampleTime() may scan again). */
  readonly scan: HAScan;
  /** Ask the model about one (cluster, replica) of the tenant. */
  check(ts: TenantState, cluster: string, replica: string, nowMs: number, sampleTimeMs: number): CheckCode;
  /** The earliest sample time (of the series of that pair, or of every series) when the model reads it; nowMs otherwise. */
  sampleTime(ts: TenantState, series: readonly TimeSeries[], nowMs: number, cluster?: string, replica?: string): number;
}

export interface DedupeStrategy {
  /** Decide a request with at least one series, for a tenant that accepts HA samples. */
  decide(ctx: StrategyContext, ts: TenantState, series: readonly TimeSeries[], nowMs: number): RequestDecision;
}

export const PASSTHROUGH_DECISION: SeriesDecision = Object.freeze({ outcome: 'passthrough', cluster: null, replica: null, stripReplica: false });
export const NON_HA_DECISION: SeriesDecision = Object.freeze({ outcome: 'non_ha', cluster: null, replica: null, stripReplica: false });

/** Cluster and replica label values of one series into `out` ("" when missing), as Mimir's findHALabels reads them. */
export function scanHALabels(series: TimeSeries, clusterLabel: string, replicaLabel: string, out: HAScan): void {
  let cluster = '';
  let replica = '';
  const labels = series.labels;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.name === replicaLabel) {
      replica = l.value;
      if (cluster !== '' && replica !== '') break;
    } else if (l.name === clusterLabel) {
      cluster = l.value;
      if (cluster !== '' && replica !== '') break;
    }
  }
  out.cluster = cluster;
  out.replica = replica;
}

export function outcomeOf(code: CheckCode): Outcome {
  return code === CHECK_ACCEPT ? 'accepted' : code === CHECK_DEDUPE ? 'deduped' : 'rejected_too_many_clusters';
}

export function dedupeMessage(replica: string, elected: string): string {
  return `replicas did not match, rejecting sample: replica=${replica}, elected=${elected}`;
}

export function tooManyMessage(limit: number): string {
  return `too many HA clusters (limit: ${limit})`;
}
