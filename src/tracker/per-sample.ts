// Per-sample dedupe (accept_mixed_ha_samples; Mimir's ha_dedupe_per_sample): each series is
// decided on its own labels. The model is asked once per distinct (cluster, replica) of the
// request, in order of first appearance; series of the same pair share the answer. The request's
// status: 400 if any series was rejected for too many clusters, else 202 if any was deduped.
import { OUTCOME_STATUS } from '../model/index.js';
import type { RequestDecision, SeriesDecision } from './api.js';
import { CHECK_ACCEPT, CHECK_DEDUPE } from './model.js';
import { dedupeMessage, NON_HA_DECISION, outcomeOf, scanHALabels, tooManyMessage, type DedupeStrategy } from './strategy.js';

export const perSample: DedupeStrategy = {
  decide(ctx, ts, series, nowMs): RequestDecision {
    const cfg = ts.cfg;
    const scan = ctx.scan;
    const n = series.length;
    const out = new Array<SeriesDecision>(n);
    // Decisions already made in this request, per (cluster, replica).
    let lastCluster = '';
    let lastReplica = '';
    let lastDecision: SeriesDecision | null = null;
    let seen: Map<string, SeriesDecision> | null = null;
    let anyRejected = false;
    let anyDeduped = false;
    let dedupeMsg: string | undefined;
    let rejectMsg: string | undefined;
    for (let i = 0; i < n; i++) {
      scanHALabels(series[i]!, cfg.clusterLabel, cfg.replicaLabel, scan);
      const cluster = scan.cluster;
      const replica = scan.replica;
      if (cluster === '' || replica === '') {
        out[i] = NON_HA_DECISION;
        continue;
      }
      if (lastDecision !== null && cluster === lastCluster && replica === lastReplica) {
        out[i] = lastDecision;
        continue;
      }
      const key = cluster + '\xff' + replica;
      let d = seen?.get(key);
      if (d === undefined) {
        const code = ctx.check(ts, cluster, replica, nowMs, ctx.sampleTime(ts, series, nowMs, cluster, replica));
        d = { outcome: outcomeOf(code), cluster, replica, stripReplica: code === CHECK_ACCEPT };
        if (code === CHECK_DEDUPE) {
          anyDeduped = true;
          dedupeMsg ??= dedupeMessage(replica, ts.clusters.get(cluster)!.desc!.replica);
        } else if (code !== CHECK_ACCEPT) {
          anyRejected = true;
          rejectMsg ??= tooManyMessage(cfg.maxClusters);
        }
        (seen ??= new Map()).set(key, d);
      }
      out[i] = d;
      lastCluster = cluster;
      lastReplica = replica;
      lastDecision = d;
    }
    const result: RequestDecision = {
      outcome: out[0]!.outcome,
      series: out,
      replicaLabel: cfg.replicaLabel,
      status: anyRejected ? OUTCOME_STATUS.rejected_too_many_clusters : anyDeduped ? OUTCOME_STATUS.deduped : 200,
    };
    const msg = rejectMsg ?? dedupeMsg;
    if (msg !== undefined) result.message = msg;
    return result;
  },
};
