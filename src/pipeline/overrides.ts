// --overrides FILE: per-tenant HA settings in the shape of a Cortex/Mimir runtime config (SPEC 6.6):
//
//   overrides:
//     tenant-a:
//       ha_cluster_label: prom_cluster
//       ha_tracker_failover_timeout: 1m
//       ingestion_rate: 50000          # a limit that is not about HA: ignored
//     tenant-b:
//       accept_ha_samples: false
//
// A real runtime config works as it is: the other per-tenant limits of Cortex and Mimir
// (src/pipeline/limitkeys.ts) and the other top-level sections are ignored, the ignored limit
// keys listed once in the report. Each tenant's block is merged over the command-line defaults
// and validated with the systems' own rule. Every mistake (a key that is neither an HA setting
// nor a known limit, a misspelt HA key, a bad value) is a usage error (exit 2) naming the file,
// the tenant and the YAML key.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseDuration, usageError, type HAConfig } from '../model/index.js';
import type { TenantConfigs } from '../tracker/api.js';
import { validateHAConfig, type SettingNames } from '../tracker/config.js';
import { LIMIT_KEYS } from './limitkeys.js';

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

interface HAKey {
  set: Setter;
  /** The setting it names in validation messages. */
  setting?: keyof SettingNames;
}

const KEYS: Record<string, HAKey> = {
  accept_ha_samples: { set: bool('accept_ha_samples', (c, v) => (c.acceptHaSamples = v)) },
  // per-sample decisions: Cortex's name and Mimir's
  accept_mixed_ha_samples: { set: bool('accept_mixed_ha_samples', (c, v) => (c.perSample = v)) },
  ha_tracker_per_sample_dedupe: { set: bool('ha_tracker_per_sample_dedupe', (c, v) => (c.perSample = v)) },
  ha_cluster_label: { set: labelName('ha_cluster_label', (c, v) => (c.clusterLabel = v)), setting: 'clusterLabel' },
  ha_replica_label: { set: labelName('ha_replica_label', (c, v) => (c.replicaLabel = v)), setting: 'replicaLabel' },
  ha_max_clusters: {
    set: (cfg, value, where) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw usageError(`${where}: ha_max_clusters must be a whole number >= 0 (0 = no limit), got ${JSON.stringify(value)}`);
      }
      cfg.maxClusters = value;
    },
    setting: 'maxClusters',
  },
  ha_tracker_update_timeout: { set: duration('ha_tracker_update_timeout', (c, v) => (c.updateTimeoutMs = v)), setting: 'updateTimeout' },
  ha_tracker_update_timeout_jitter_max: { set: duration('ha_tracker_update_timeout_jitter_max', (c, v) => (c.updateTimeoutJitterMaxMs = v)), setting: 'jitterMax' },
  ha_tracker_failover_timeout: { set: duration('ha_tracker_failover_timeout', (c, v) => (c.failoverTimeoutMs = v)), setting: 'failoverTimeout' },
  // Mimir's name (its flag is -distributor.ha-tracker.failover-sample-timeout)
  ha_tracker_sample_failover_timeout: { set: duration('ha_tracker_sample_failover_timeout', (c, v) => (c.sampleFailoverTimeoutMs = v)), setting: 'sampleFailoverTimeout' },
};

/** The HA keys an overrides block may hold. */
const OVERRIDE_KEYS: readonly string[] = Object.keys(KEYS);

/** Top-level sections of a Cortex or Mimir runtime config other than `overrides` (ignored). */
const RUNTIME_CONFIG_SECTIONS: ReadonlySet<string> = new Set([
  'multi_kv_config',
  'ingester_stream_chunks_when_using_blocks',
  'ingester_limits',
  'distributor_limits',
  'hard_overrides',
  'api_allowed_limits',
]);

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The HA key `key` is a misspelling of (edit distance at most 2), or undefined. */
function misspeltHaKey(key: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of OVERRIDE_KEYS) {
    const dist = editDistance(key, k);
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What loadOverrides returns: the per-tenant settings and the limit keys it ignored. */
interface OverrideConfigs extends TenantConfigs {
  /** Cortex/Mimir limit keys found in the file and ignored, sorted, each once. */
  ignoredKeys: string[];
}

/**
 * Parse an overrides file. `text` is its content, `file` its name for messages, `defaults` the
 * effective command-line settings every tenant starts from.
 */
export function loadOverrides(text: string, file: string, defaults: HAConfig): OverrideConfigs {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw usageError(`${file}: not valid YAML${at}: ${what}`);
    }
    throw usageError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const perTenant = new Map<string, HAConfig>();
  const ignored = new Set<string>();
  const result = () => ({ defaults, perTenant, ignoredKeys: [...ignored].sort() });
  if (doc === null || doc === undefined) return result(); // an empty file
  if (!isPlainObject(doc)) throw usageError(`${file}: expected a mapping with an "overrides" key at the top`);
  for (const key of Object.keys(doc)) {
    if (key !== 'overrides' && !RUNTIME_CONFIG_SECTIONS.has(key)) {
      throw usageError(`${file}: unknown top-level key "${key}" (a runtime config has overrides, ${[...RUNTIME_CONFIG_SECTIONS].join(', ')}; only "overrides" is read)`);
    }
  }
  const overrides = doc.overrides;
  if (overrides === null || overrides === undefined) return result();
  if (!isPlainObject(overrides)) throw usageError(`${file}: "overrides" must map tenant IDs to settings`);
  for (const [tenant, block] of Object.entries(overrides)) {
    const where = `${file}: tenant ${JSON.stringify(tenant)}`;
    const cfg: HAConfig = { ...defaults };
    const names: SettingNames = {};
    if (block !== null && block !== undefined) {
      if (!isPlainObject(block)) throw usageError(`${where}: settings must be a mapping of keys to values`);
      for (const [key, value] of Object.entries(block)) {
        const ha = KEYS[key];
        if (ha) {
          ha.set(cfg, value, where);
          if (ha.setting) names[ha.setting] = key;
          continue;
        }
        if (LIMIT_KEYS.has(key)) {
          ignored.add(key);
          continue;
        }
        const near = misspeltHaKey(key);
        if (near !== undefined) throw usageError(`${where}: unknown key ${JSON.stringify(key)}; did you mean "${near}"?`);
        throw usageError(`${where}: unknown key ${JSON.stringify(key)}: neither an HA setting (${OVERRIDE_KEYS.join(', ')}) nor a Cortex or Mimir per-tenant limit`);
      }
      if (
        typeof block.accept_mixed_ha_samples === 'boolean' &&
        typeof block.ha_tracker_per_sample_dedupe === 'boolean' &&
        block.accept_mixed_ha_samples !== block.ha_tracker_per_sample_dedupe
      ) {
        throw usageError(`${where}: accept_mixed_ha_samples (Cortex) and ha_tracker_per_sample_dedupe (Mimir) name one setting but disagree`);
      }
    }
    validateHAConfig(cfg, where, names);
    perTenant.set(tenant, cfg);
  }
  return result();
}
