// The `config` section of the report: the effective settings, per tenant, in the vocabulary of
// the overrides file (SPEC 6.6) with Prometheus-style durations.
import type { ClockSource, HAConfig } from '../model/index.js';
import { formatDuration } from '../model/index.js';
import type { ConfigReport, TenantConfigReport } from '../report/index.js';
import type { ReplayOptions } from './replay.js';

function tenantConfigReport(c: HAConfig): TenantConfigReport {
  return {
    accept_ha_samples: c.acceptHaSamples,
    accept_mixed_ha_samples: c.perSample,
    ha_cluster_label: c.clusterLabel,
    ha_replica_label: c.replicaLabel,
    ha_max_clusters: c.maxClusters,
    ha_tracker_update_timeout: formatDuration(c.updateTimeoutMs),
    ha_tracker_update_timeout_jitter_max: formatDuration(c.updateTimeoutJitterMaxMs),
    ha_tracker_failover_timeout: formatDuration(c.failoverTimeoutMs),
    ha_tracker_sample_failover_timeout: formatDuration(c.sampleFailoverTimeoutMs),
  };
}

/**
 * `settings`: each tenant's effective settings (a lane's RunStart, or a tracker);
 * `ignoredOverrideKeys`: the limit keys loadOverrides ignored (src/pipeline/overrides.ts).
 */
export function configReport(opts: ReplayOptions, source: ClockSource, settings: { config(tenant: string): HAConfig }, tenants: readonly string[], ignoredOverrideKeys: readonly string[] = []): ConfigReport {
  const per: Record<string, TenantConfigReport> = {};
  for (const t of [...tenants].sort()) per[t] = tenantConfigReport(settings.config(t));
  return {
    semantics: opts.semantics,
    dedupe: opts.defaults.perSample ? 'per-sample' : 'per-request',
    seed: opts.seed,
    tenant: opts.tenant,
    clock: source,
    delay: formatDuration(opts.delayMs),
    output_format: opts.outputFormat,
    defaults: tenantConfigReport(opts.defaults),
    tenants: per,
    ignored_override_keys: [...ignoredOverrideKeys],
  };
}
