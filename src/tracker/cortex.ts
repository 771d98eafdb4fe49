// The Cortex decision model (SPEC 6.3; cortexproject/cortex pkg/ha/ha_tracker.go CheckReplica and
// checkKVStore). Every distributor reads its cache of the KV, which in a single simulated
// distributor is the KV itself: a record marked deleted has left the cache. No background pass;
// the update-timeout jitter is drawn once per run, when the tracker starts.
import type { HAConfig } from '../model/index.js';
import type { RandomSource, TenantConfigs } from './api.js';
import { META, parseNum } from './meta.js';
import { CHECK_ACCEPT, CHECK_DEDUPE, CHECK_REJECT, jitterFromDraw, type CheckCode, type DecisionModel, type MetaWriter, type ModelContext } from './model.js';
import type { Entry, TenantState } from './state.js';

export class CortexModel implements DecisionModel {
  readonly semantics = 'cortex' as const;
  /** The uniform draw behind this run's jitter (each tenant scales it by its own jitter max). */
  private draw = 0;

  passPeriodMs(): number {
    return 0;
  }

  start(random: RandomSource): void {
    this.draw = random.next();
  }

  restore(meta: ReadonlyMap<string, string>): void {
    this.draw = parseNum(meta.get(META.cortexJitterDraw), META.cortexJitterDraw) ?? 0;
  }

  save(put: MetaWriter, configs: TenantConfigs): void {
    put(META.cortexJitterDraw, String(this.draw));
    put(META.cortexJitterMs, String(jitterFromDraw(this.draw, configs.defaults.updateTimeoutJitterMaxMs)));
  }

  usesSampleTime(_cfg: HAConfig): boolean {
    return false;
  }

  pass(): void {
    // Cortex has no background pass: the KV is written in band.
  }

  /** One request (or series) from `replica` of `cluster` at `nowMs`. On CHECK_DEDUPE the elected replica is entry.desc.replica. */
  check(ctx: ModelContext, ts: TenantState, cluster: string, replica: string, nowMs: number): CheckCode {
    const cfg = ts.cfg;
    const U = cfg.updateTimeoutMs + jitterFromDraw(this.draw, cfg.updateTimeoutJitterMaxMs);
    let e: Entry | undefined = ts.clusters.get(cluster);
    const d = e?.desc ?? null;
    const live = d !== null && d.deletedAt === 0;

    // 1. Cached entry still fresh: decide without touching the KV.
    if (live && nowMs - d.receivedAt < U) return d.replica === replica ? CHECK_ACCEPT : CHECK_DEDUPE;

    // 2. Unknown cluster and the tenant is at its limit.
    if (!live && cfg.maxClusters > 0 && ts.liveCount + 1 > cfg.maxClusters) return CHECK_REJECT;

    // 3. The compare-and-swap on the KV record.
    if (live) {
      const age = nowMs - d.receivedAt;
      if (d.replica === replica && age < U) return CHECK_ACCEPT; // (unreachable after step 1; kept as in the CAS)
      if (d.replica !== replica && age < cfg.failoverTimeoutMs) return CHECK_DEDUPE;
      if (d.replica === replica) {
        d.receivedAt = nowMs; // heartbeat: same replica, update timeout passed
      } else {
        ctx.elect({ tenant: ts.tenant, cluster, atMs: nowMs, from: d.replica, to: replica });
        d.replica = replica;
        d.receivedAt = nowMs;
        d.electedAt = nowMs;
        d.electedChanges += 1;
      }
      ctx.writeRecord(ts, e!);
      return CHECK_ACCEPT;
    }

    // No record, or one marked deleted: this replica is elected.
    e ??= ctx.entry(ts, cluster);
    e.desc = { tenant: ts.tenant, cluster, replica, receivedAt: nowMs, deletedAt: 0, electedAt: nowMs, electedChanges: 0 };
    ts.liveCount += 1;
    ctx.elect({ tenant: ts.tenant, cluster, atMs: nowMs, from: null, to: replica });
    ctx.writeRecord(ts, e);
    return CHECK_ACCEPT;
  }
}
