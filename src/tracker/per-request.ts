// Per-request dedupe (the default; Mimir's ha_dedupe_per_request): the first series' cluster
// and replica labels decide for the whole request. A first series without both is a non-HA
// request, whatever the other series carry.
import { OUTCOME_STATUS } from '../model/index.js';
import type { RequestDecision, SeriesDecision } from './api.js';
import { CHECK_ACCEPT, CHECK_DEDUPE } from './model.js';
import { dedupeMessage, NON_HA_DECISION, outcomeOf, scanHALabels, tooManyMessage, type DedupeStrategy } from './strategy.js';

export const perRequest: DedupeStrategy = {
  decide(ctx, ts, series, nowMs): RequestDecision {
    const cfg = ts.cfg;
    const scan = ctx.scan;
    scanHALabels(series[0]!, cfg.clusterLabel, cfg.replicaLabel, scan);
    const cluster = scan.cluster;
    const replica = scan.replica;
    const n = series.length;
    if (cluster === '' || replica === '') {
      return { outcome: 'non_ha', series: new Array<SeriesDecision>(n).fill(NON_HA_DECISION), replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS.non_ha };
    }
    const code = ctx.check(ts, cluster, replica, nowMs, ctx.sampleTime(ts, series, nowMs));
    const outcome = outcomeOf(code);
    const d: SeriesDecision = { outcome, cluster, replica, stripReplica: code === CHECK_ACCEPT };
    const result: RequestDecision = { outcome, series: new Array<SeriesDecision>(n).fill(d), replicaLabel: cfg.replicaLabel, status: OUTCOME_STATUS[outcome] };
    if (code === CHECK_DEDUPE) result.message = dedupeMessage(replica, ts.clusters.get(cluster)!.desc!.replica);
    else if (code !== CHECK_ACCEPT) result.message = tooManyMessage(cfg.maxClusters);
    return result;
  },
};
