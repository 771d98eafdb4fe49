// HA tracker settings: defaults (SPEC 3), the systems' own validation rule (SPEC 6.5), and the
// per-tenant lookup.
import { usageError, type HAConfig } from '../model/index.js';
import type { TenantConfigs } from './api.js';

/** The defaults of Cortex and Mimir (and of `ha-dedup replay`). */
export function defaultHAConfig(): HAConfig {
  return {
    acceptHaSamples: true,
    clusterLabel: 'cluster',
    replicaLabel: '__replica__',
    maxClusters: 0,
    updateTimeoutMs: 15_000,
    updateTimeoutJitterMaxMs: 5_000,
    failoverTimeoutMs: 30_000,
    sampleFailoverTimeoutMs: 0,
    perSample: false,
  };
}

/**
 * The per-tenant cluster limit when none is given: Mimir's `ha_max_clusters` defaults to 100,
 * Cortex's to 0 (no limit) (SPEC 12).
 */
export function defaultMaxClusters(semantics: 'cortex' | 'mimir'): number {
  return semantics === 'mimir' ? 100 : 0;
}

/** A duration the way Go prints a time.Duration (what the systems' messages show): 7s, 1m30s, 1.5s, 500ms. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  let out = '';
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${sign}${out}${s}s`;
}

/** Where each setting came from, by the name the user typed: a flag or an overrides-file key. */
export interface SettingNames {
  updateTimeout?: string;
  jitterMax?: string;
  failoverTimeout?: string;
  sampleFailoverTimeout?: string;
  maxClusters?: string;
  clusterLabel?: string;
  replicaLabel?: string;
}

/**
 * Cortex and Mimir refuse to start unless failover timeout >= update timeout + jitter max + 1s,
 * and reject a negative jitter max. Same rule here, as a usage error (exit 2). `where` prefixes
 * the message (e.g. 'overrides.yaml: tenant "t1"'); `names` gives, for the settings the user
 * set, the flag or YAML key to name instead of the plain words, e.g.
 * "ha_tracker_failover_timeout 10s must be at least 21s: update timeout 15s + jitter max 5s + 1s".
 */
export function validateHAConfig(cfg: HAConfig, where: string, names: SettingNames = {}): void {
  const prefix = where ? `${where}: ` : '';
  const name = (key: keyof SettingNames, words: string) => names[key] ?? words;
  for (const [key, words, v] of [
    ['updateTimeout', 'update timeout', cfg.updateTimeoutMs],
    ['failoverTimeout', 'failover timeout', cfg.failoverTimeoutMs],
    ['sampleFailoverTimeout', 'sample failover timeout', cfg.sampleFailoverTimeoutMs],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw usageError(`${prefix}${name(key, `HA tracker ${words}`)} must not be negative (got ${goDuration(v)})`);
  }
  if (!Number.isFinite(cfg.updateTimeoutJitterMaxMs) || cfg.updateTimeoutJitterMaxMs < 0) {
    throw usageError(`${prefix}${name('jitterMax', 'HA tracker max update timeout jitter')} shouldn't be negative (got ${goDuration(cfg.updateTimeoutJitterMaxMs)})`);
  }
  if (!Number.isInteger(cfg.maxClusters) || cfg.maxClusters < 0) {
    throw usageError(`${prefix}${name('maxClusters', 'HA max clusters')} must be a non-negative integer (got ${cfg.maxClusters})`);
  }
  const min = cfg.updateTimeoutMs + cfg.updateTimeoutJitterMaxMs + 1000;
  if (cfg.failoverTimeoutMs < min) {
    throw usageError(
      `${prefix}${name('failoverTimeout', 'failover timeout')} ${goDuration(cfg.failoverTimeoutMs)} must be at least ${goDuration(min)}: ` +
        `${name('updateTimeout', 'update timeout')} ${goDuration(cfg.updateTimeoutMs)} + ${name('jitterMax', 'jitter max')} ${goDuration(cfg.updateTimeoutJitterMaxMs)} + 1s`,
    );
  }
  if (cfg.clusterLabel === '' || cfg.replicaLabel === '') throw usageError(`${prefix}HA cluster and replica label names must not be empty`);
  if (cfg.clusterLabel === cfg.replicaLabel) {
    throw usageError(`${prefix}${name('clusterLabel', 'HA cluster label')} and ${name('replicaLabel', 'replica label')} must differ (both "${cfg.clusterLabel}")`);
  }
}

/** Effective settings for a tenant. */
export function configFor(configs: TenantConfigs, tenant: string): HAConfig {
  return configs.perTenant.get(tenant) ?? configs.defaults;
}

/** TenantConfigs with no per-tenant overrides. */
export function tenantConfigs(defaults: HAConfig, perTenant?: Map<string, HAConfig>): TenantConfigs {
  return { defaults, perTenant: perTenant ?? new Map() };
}
