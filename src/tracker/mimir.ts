// The Mimir decision model (SPEC 6.4; grafana/mimir pkg/distributor/ha_tracker.go checkReplica,
// updateKVStoreAll, updateKVStore, updateCache). Requests are decided from distributor memory;
// the KV is written in-band only for an unknown cluster, and otherwise by the background pass
// that runs every update timeout, with a jitter drawn per tenant per pass.
import { NEVER_MS, usageError, type HAConfig } from '../model/index.js';
import type { RandomSource, TenantConfigs } from './api.js';
import { META } from './meta.js';
import { CHECK_ACCEPT, CHECK_DEDUPE, CHECK_REJECT, jitterFromDraw, type CheckCode, type DecisionModel, type MetaWriter, type ModelContext } from './model.js';
import { resetMemory, type Entry, type TenantState } from './state.js';

export class MimirModel implements DecisionModel {
  readonly semantics = 'mimir' as const;
  /** The jitter each tenant's last pass drew (saved for `state show`; decisions never read it back). */
  private readonly jitter = new Map<string, number>();

  passPeriodMs(configs: TenantConfigs): number {
    if (!(configs.defaults.updateTimeoutMs > 0)) {
      // Mimir's background pass is a ticker with this period (Go refuses a zero period).
      throw usageError('--update-timeout must be greater than 0 with --semantics mimir: its background pass runs every update timeout');
    }
    return configs.defaults.updateTimeoutMs;
  }

  start(): void {
    // Mimir draws its jitter per pass.
  }

  restore(): void {
    // Nothing to read back: the distributor memory is restored by the tracker, and each pass draws anew.
  }

  save(put: MetaWriter): void {
    for (const [tenant, j] of this.jitter) put(META.mimirJitterPrefix + tenant, String(j));
    this.jitter.clear();
  }

  usesSampleTime(cfg: HAConfig): boolean {
    return cfg.sampleFailoverTimeoutMs > 0;
  }

  check(ctx: ModelContext, ts: TenantState, cluster: string, replica: string, nowMs: number, sampleTimeMs: number): CheckCode {
    return mimirCheck(ctx, ts, cluster, replica, nowMs, sampleTimeMs);
  }

  /** updateKVStoreAll at tick time tMs: one jitter draw per tenant that has live clusters. */
  pass(ctx: ModelContext, tenants: readonly TenantState[], entries: (ts: TenantState) => Entry[], tMs: number, random: RandomSource): void {
    for (const ts of tenants) {
      if (ts.liveCount === 0) continue;
      const jitter = ts.cfg.updateTimeoutJitterMaxMs > 0 ? jitterFromDraw(random.next(), ts.cfg.updateTimeoutJitterMaxMs) : 0;
      this.jitter.set(ts.tenant, jitter);
      for (const e of entries(ts)) mimirPassEntry(ctx, ts, e, tMs, jitter);
    }
  }
}

/** One request (or series). `sampleTimeMs` is its earliest sample time (used only with a sample failover timeout). */
function mimirCheck(ctx: ModelContext, ts: TenantState, cluster: string, replica: string, nowMs: number, sampleTimeMs: number): CheckCode {
  let e: Entry | undefined = ts.clusters.get(cluster);
  const d = e?.desc ?? null;
  if (d !== null && d.deletedAt === 0) {
    if (d.replica === replica) {
      e!.electedLastSeenMs = nowMs;
      ctx.touchMemory(e!);
      return CHECK_ACCEPT;
    }
    e!.nonElectedReplica = replica;
    e!.nonElectedLastSeenMs = nowMs;
    e!.nonElectedSampleTimeMs = sampleTimeMs;
    ctx.touchMemory(e!);
    return CHECK_DEDUPE;
  }

  // Unknown cluster (never seen, or its record was marked deleted and left the cache).
  if (ts.cfg.maxClusters > 0 && ts.liveCount + 1 > ts.cfg.maxClusters) return CHECK_REJECT;

  // In-band KV write: the record is absent or deleted, so it is (re)created for this replica,
  // with a fresh cache entry; then the request is checked again and accepted.
  e ??= ctx.entry(ts, cluster);
  e.desc = { tenant: ts.tenant, cluster, replica, receivedAt: nowMs, deletedAt: 0, electedAt: nowMs, electedChanges: 0 };
  ts.liveCount += 1;
  resetMemory(e);
  e.electedLastSeenMs = nowMs;
  ctx.touchMemory(e);
  ctx.elect({ tenant: ts.tenant, cluster, atMs: nowMs, from: null, to: replica });
  ctx.writeRecord(ts, e);
  return CHECK_ACCEPT;
}

/**
 * The background pass at time `tMs` for one tenant's live cluster, with this pass's jitter.
 * Refreshes the record from the elected replica's last-seen time, or fails over to the
 * non-elected replica once the record is `failover timeout` old.
 */
function mimirPassEntry(ctx: ModelContext, ts: TenantState, e: Entry, tMs: number, jitterMs: number): void {
  const d = e.desc;
  if (d === null || d.deletedAt !== 0) return;
  const cfg: HAConfig = ts.cfg;
  const U = cfg.updateTimeoutMs + jitterMs;
  if (tMs - d.receivedAt < U) return; // written recently; nothing to do

  let replica: string;
  let receivedAt: number;
  let sampleTime: number;
  if (tMs - e.electedLastSeenMs < U) {
    replica = d.replica;
    receivedAt = e.electedLastSeenMs;
    sampleTime = tMs;
  } else if (tMs - e.nonElectedLastSeenMs < U) {
    replica = e.nonElectedReplica;
    receivedAt = e.nonElectedLastSeenMs;
    sampleTime = cfg.sampleFailoverTimeoutMs > 0 ? e.nonElectedSampleTimeMs : tMs;
  } else {
    return; // no recent timestamps
  }

  // The CAS (updateKVStore) on the live record.
  let electedAt = d.electedAt !== 0 ? d.electedAt : tMs;
  let changes = d.electedChanges;
  if (d.replica !== replica) {
    if (tMs - d.receivedAt < cfg.failoverTimeoutMs) return; // too early to fail over
    if (cfg.sampleFailoverTimeoutMs > 0 && sampleTime - d.receivedAt < cfg.sampleFailoverTimeoutMs) return; // samples too old
    electedAt = tMs;
    changes += 1;
    ctx.elect({ tenant: ts.tenant, cluster: e.cluster, atMs: tMs, from: d.replica, to: replica });
    // updateCache: the new elected replica's last-seen time is known only if it was the one seen.
    e.electedLastSeenMs = e.nonElectedReplica === replica ? e.nonElectedLastSeenMs : NEVER_MS;
    ctx.touchMemory(e);
  }
  d.replica = replica;
  d.receivedAt = receivedAt;
  d.electedAt = electedAt;
  d.electedChanges = changes;
  ctx.writeRecord(ts, e);
}
