// --overrides FILE: per-tenant HA settings in the shape of a Cortex/Mimir runtime config (SPEC 6.6):
//
//   overrides:
//     tenant-a:
//       ha_cluster_label: prom_cluster
//       ha_tracker_failover_timeout: 1m
//     tenant-b:
//       accept_ha_samples: false
//
// Each tenant's block is merged over the command-line defaults and validated with the systems'
// own rule. Every mistake is a usage error (exit 2) naming the file, the tenant and the key.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseDuration, usageError, type HAConfig } from '../model/index.js';
import type { TenantConfigs } from '../tracker/api.js';
import { validateHAConfig } from '../tracker/config.js';

type Setter = (cfg: HAConfig, value: unknown, where: string) => void;

function bool(key: string, set: (cfg: HAConfig, v: boolean) => void): Setter {
  return (cfg, value, where) => {
    if (typeof value !== 'boolean') throw usageError(`${where}: ${key} must be true or false, got ${JSON.stringify(value)}`);
    set(cfg, value);
  };
}

function labelName(key: string, set: (cfg: HAConfig, v: string) => void): Setter {
  return (cfg, value, where) => {
    if (typeof value !== 'string' || value === '') throw usageError(`${where}: ${key} must be a non-empty label name, got ${JSON.stringify(value)}`);
    set(cfg, value);
  };
}

function duration(key: string, set: (cfg: HAConfig, ms: number) => void): Setter {
  return (cfg, value, where) => {
    // YAML reads a bare 0 as a number; accept it like Prometheus accepts "0".
    const text = typeof value === 'number' && value === 0 ? '0' : value;
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined) throw usageError(`${where}: ${key} must be a duration like 15s or 1m30s, got ${JSON.stringify(value)}`);
    set(cfg, ms);
  };
}

const KEYS: Record<string, Setter> = {
  accept_ha_samples: bool('accept_ha_samples', (c, v) => (c.acceptHaSamples = v)),
  accept_mixed_ha_samples: bool('accept_mixed_ha_samples', (c, v) => (c.perSample = v)),
  ha_tracker_per_sample_dedupe: bool('ha_tracker_per_sample_dedupe', (c, v) => (c.perSample = v)),
  ha_cluster_label: labelName('ha_cluster_label', (c, v) => (c.clusterLabel = v)),
  ha_replica_label: labelName('ha_replica_label', (c, v) => (c.replicaLabel = v)),
  ha_max_clusters: (cfg, value, where) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw usageError(`${where}: ha_max_clusters must be a whole number >= 0 (0 = no limit), got ${JSON.stringify(value)}`);
    }
    cfg.maxClusters = value;
  },
  ha_tracker_update_timeout: duration('ha_tracker_update_timeout', (c, v) => (c.updateTimeoutMs = v)),
  ha_tracker_update_timeout_jitter_max: duration('ha_tracker_update_timeout_jitter_max', (c, v) => (c.updateTimeoutJitterMaxMs = v)),
  ha_tracker_failover_timeout: duration('ha_tracker_failover_timeout', (c, v) => (c.failoverTimeoutMs = v)),
  ha_tracker_sample_failover_timeout: duration('ha_tracker_sample_failover_timeout', (c, v) => (c.sampleFailoverTimeoutMs = v)),
};

/** The keys an overrides block may hold. */
export const OVERRIDE_KEYS: readonly string[] = Object.keys(KEYS);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parse an overrides file. `text` is its content, `file` its name for messages, `defaults` the
 * effective command-line settings every tenant starts from.
 */
export function loadOverrides(text: string, file: string, defaults: HAConfig): TenantConfigs {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw usageError(`${file}: not valid YAML${at}: ${what}`);
    }
    throw usageError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const perTenant = new Map<string, HAConfig>();
  if (doc === null || doc === undefined) return { defaults, perTenant }; // an empty file
  if (!isPlainObject(doc)) throw usageError(`${file}: expected a mapping with an "overrides" key at the top`);
  for (const key of Object.keys(doc)) {
    if (key !== 'overrides') throw usageError(`${file}: unknown top-level key "${key}" (only "overrides" is read)`);
  }
  const overrides = doc.overrides;
  if (overrides === null || overrides === undefined) return { defaults, perTenant };
  if (!isPlainObject(overrides)) throw usageError(`${file}: "overrides" must map tenant IDs to settings`);
  for (const [tenant, block] of Object.entries(overrides)) {
    const where = `${file}: tenant "${tenant}"`;
    const cfg: HAConfig = { ...defaults };
    if (block !== null && block !== undefined) {
      if (!isPlainObject(block)) throw usageError(`${where}: settings must be a mapping of keys to values`);
      for (const [key, value] of Object.entries(block)) {
        const set = KEYS[key];
        if (!set) throw usageError(`${where}: unknown key "${key}" (known: ${OVERRIDE_KEYS.join(', ')})`);
        set(cfg, value, where);
      }
    }
    validateHAConfig(cfg, where);
    perTenant.set(tenant, cfg);
  }
  return { defaults, perTenant };
}
