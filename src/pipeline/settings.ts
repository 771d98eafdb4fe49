// The settings that shape decisions, as a --db remembers them (issue 13 point 4, SPEC 12): a
// replay on an existing --db compares this run's settings with the ones the database recorded,
// and a difference is a usage error (exit 2) naming each one, unless --allow-config-change
// (then one warning per difference, and the report's `config.db` shows both values). The
// semantics can never change on a database: the two models keep different state.
//
// Recorded: semantics, dedupe, HA label names, update timeout, jitter max, failover timeout,
// sample failover timeout, max clusters, seed, default tenant, and a digest of the per-tenant
// overrides (of what they set, normalised: comments, key order and "1m" vs "60s" do not count),
// beside the overrides themselves in that normal form, so a difference can name the tenant.
import { createHash } from 'node:crypto';
import { formatDuration, parseDuration, usageError } from '../model/index.js';
import type { StateStore } from '../store/index.js';
import { META as TRACKER_META } from '../tracker/index.js';
import type { ReplayOptions } from './replay.js';

/** Store meta keys owned by this module. */
const SETTINGS_META = {
  settings: 'replay.settings', // JSON of DecisionSettings, keys sorted
  overrides: 'replay.overrides', // JSON of the normalised overrides (NormalOverrides)
} as const;

export type DecisionSettings = {
  semantics: string;
  dedupe: string;
  cluster_label: string;
  replica_label: string;
  update_timeout_ms: number;
  update_timeout_jitter_max_ms: number;
  failover_timeout_ms: number;
  sample_failover_timeout_ms: number;
  max_clusters: number;
  seed: number;
  tenant: string;
  /** "sha256:<hex>" of the normalised overrides, null without --overrides. */
  overrides_digest: string | null;
};

/** One setting whose value differs between the database and this run (values as the user writes them). */
interface SettingChange {
  setting: keyof DecisionSettings;
  option: string;
  db: string;
  run: string;
}

/** What the report's `config.db` holds (issue 13.4: the report shows both). */
export interface DbConfigReport {
  path: string;
  /** The settings the database recorded before this run; null for a new database (or one written before settings were recorded). */
  settings: DecisionSettings | null;
  /** Each setting this run changed (only with --allow-config-change; without it the run does not start). */
  changes: SettingChange[];
}

type Show = (v: DecisionSettings[keyof DecisionSettings]) => string;
const plain: Show = (v) => (v === null ? '(none)' : String(v));
const dur: Show = (v) => formatDuration(Number(v));

/** Each setting: the option that sets it and how its value is written. In the order of SPEC 3. */
const SETTINGS: [keyof DecisionSettings, string, Show][] = [
  ['tenant', '--tenant', plain],
  ['semantics', '--semantics', plain],
  ['dedupe', '--dedupe', plain],
  ['cluster_label', '--cluster-label', plain],
  ['replica_label', '--replica-label', plain],
  ['update_timeout_ms', '--update-timeout', dur],
  ['update_timeout_jitter_max_ms', '--update-timeout-jitter-max', dur],
  ['seed', '--seed', plain],
  ['failover_timeout_ms', '--failover-timeout', dur],
  ['sample_failover_timeout_ms', '--sample-failover-timeout', dur],
  ['max_clusters', '--max-clusters', plain],
  ['overrides_digest', '--overrides', plain],
];

/** Per tenant, the HA keys its overrides block sets, with values in a normal form. */
type NormalOverrides = Record<string, Record<string, boolean | number | string>>;

const DURATION_KEYS = new Set([
  'ha_tracker_update_timeout',
  'ha_tracker_update_timeout_jitter_max',
  'ha_tracker_failover_timeout',
  'ha_tracker_sample_failover_timeout',
]);
const HA_KEYS = new Set([
  'accept_ha_samples',
  'accept_mixed_ha_samples',
  'ha_tracker_per_sample_dedupe',
  'ha_cluster_label',
  'ha_replica_label',
  'ha_max_clusters',
  ...DURATION_KEYS,
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The HA settings an overrides file sets, per tenant: durations in ms, Mimir's per-sample key
 * under Cortex's name, keys and tenants sorted. The file was validated by loadOverrides already.
 */
async function normalOverrides(text: string): Promise<NormalOverrides> {
  // the YAML library is loaded only when there is an overrides file (start-up, memory)
  const { parse: parseYaml } = await import('yaml');
  const doc: unknown = parseYaml(text, { uniqueKeys: true });
  const out: NormalOverrides = {};
  const overrides = isObject(doc) ? doc.overrides : undefined;
  if (!isObject(overrides)) return out;
  for (const tenant of Object.keys(overrides).sort()) {
    const block = overrides[tenant];
    const norm: Record<string, boolean | number | string> = {};
    if (isObject(block)) {
      for (const key of Object.keys(block).sort()) {
        if (!HA_KEYS.has(key)) continue; // a limit that is not about HA: it shapes no decision
        const v = block[key];
        const name = key === 'ha_tracker_per_sample_dedupe' ? 'accept_mixed_ha_samples' : key;
        if (DURATION_KEYS.has(key)) norm[name] = v === 0 ? 0 : (parseDuration(String(v)) ?? String(v));
        else norm[name] = v as boolean | number | string;
      }
    }
    out[tenant] = norm;
  }
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function overridesDigest(norm: NormalOverrides): string {
  return 'sha256:' + createHash('sha256').update(canonical(norm)).digest('hex');
}

/** This run's settings. */
function decisionSettings(opts: Pick<ReplayOptions, 'semantics' | 'defaults' | 'seed' | 'tenant'>, overrides: NormalOverrides | null): DecisionSettings {
  const d = opts.defaults;
  return {
    semantics: opts.semantics,
    dedupe: d.perSample ? 'per-sample' : 'per-request',
    cluster_label: d.clusterLabel,
    replica_label: d.replicaLabel,
    update_timeout_ms: d.updateTimeoutMs,
    update_timeout_jitter_max_ms: d.updateTimeoutJitterMaxMs,
    failover_timeout_ms: d.failoverTimeoutMs,
    sample_failover_timeout_ms: d.sampleFailoverTimeoutMs,
    max_clusters: d.maxClusters,
    seed: opts.seed,
    tenant: opts.tenant,
    overrides_digest: overrides === null ? null : overridesDigest(overrides),
  };
}

/** What changed in the overrides, per tenant (at most `max` items), e.g. `tenant "t1" ha_max_clusters 2 -> 3`. */
function overridesDetail(before: NormalOverrides, now: NormalOverrides, max = 4): string[] {
  const items: string[] = [];
  const show = (k: string, v: boolean | number | string | undefined) => (v === undefined ? '(unset)' : DURATION_KEYS.has(k) && typeof v === 'number' ? formatDuration(v) : String(v));
  for (const t of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    const a = before[t];
    const b = now[t];
    if (a === undefined) items.push(`tenant ${JSON.stringify(t)} added`);
    else if (b === undefined) items.push(`tenant ${JSON.stringify(t)} removed`);
    else {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if (a[k] !== b[k]) items.push(`tenant ${JSON.stringify(t)} ${k} ${show(k, a[k])} -> ${show(k, b[k])}`);
      }
    }
  }
  return items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : items;
}

/** The settings that differ, in SPEC 3 order. */
function diffSettings(db: DecisionSettings, run: DecisionSettings): SettingChange[] {
  const out: SettingChange[] = [];
  for (const [key, option, show] of SETTINGS) {
    const a = db[key] ?? null;
    const b = run[key] ?? null;
    if (a !== b) out.push({ setting: key, option, db: show(a), run: show(b) });
  }
  return out;
}

function describe(c: SettingChange, detail: string[]): string {
  if (c.setting === 'overrides_digest') {
    if (c.db === '(none)') return '--overrides: none in the database, a file now';
    if (c.run === '(none)') return '--overrides: the database was written with overrides, none now';
    return `--overrides: the per-tenant overrides differ${detail.length > 0 ? ` (${detail.join('; ')})` : ''}`;
  }
  return `${c.option} ${c.db} in the database, ${c.run} now`;
}

function parseSaved(text: string, db: string): DecisionSettings {
  try {
    const v: unknown = JSON.parse(text);
    if (isObject(v) && typeof v.semantics === 'string') return v as unknown as DecisionSettings;
  } catch {
    // fall through
  }
  throw usageError(`--db ${db}: state database is inconsistent: ${SETTINGS_META.settings} is not a settings record`);
}

interface SettingsCheck {
  report: DbConfigReport;
}

/**
 * Compare this run's settings with the ones `store` recorded and record this run's (buffered:
 * committed with the run's first commit). Throws a usage error naming every difference unless
 * `allowChange`; with it, `warn` gets one line per difference. A database with tracker state but
 * no recorded settings (written by an ha-dedup before they were recorded) gets one warning.
 */
export async function checkSettings(
  store: StateStore,
  db: string,
  opts: Pick<ReplayOptions, 'semantics' | 'defaults' | 'seed' | 'tenant' | 'overrides'>,
  allowChange: boolean,
  warn: (line: string) => void,
): Promise<SettingsCheck> {
  const norm = opts.overrides === null ? null : await normalOverrides(opts.overrides.text);
  const run = decisionSettings(opts, norm);
  const savedText = store.getMeta(SETTINGS_META.settings);
  let saved: DecisionSettings | null = null;
  let changes: SettingChange[] = [];
  if (savedText === undefined) {
    if (store.getMeta(TRACKER_META.semantics) !== undefined) {
      warn(`ha-dedup: warning: --db ${db}: the database records no settings (an older ha-dedup wrote it): they cannot be compared; this run's are recorded now`);
    }
  } else {
    saved = parseSaved(savedText, db);
    changes = diffSettings(saved, run);
    if (changes.length > 0) {
      let before: NormalOverrides = {};
      try {
        before = JSON.parse(store.getMeta(SETTINGS_META.overrides) ?? '{}') as NormalOverrides;
      } catch {
        // no detail then
      }
      const detail = overridesDetail(before, norm ?? {});
      const lines = changes.map((c) => describe(c, detail));
      if (!allowChange) {
        throw usageError(`--db ${db} was written with other settings: ${lines.join('; ')}; resume with the same settings, or give --allow-config-change to go on under the new ones`);
      }
      const semantics = changes.find((c) => c.setting === 'semantics');
      if (semantics !== undefined) {
        throw usageError(
          `--db ${db} holds ${semantics.db} tracker state: it cannot be resumed with --semantics ${semantics.run}, not even with --allow-config-change (the two models keep different state); use --semantics ${semantics.db}, another --db, or clear it with "ha-dedup state --db ${db} reset"`,
        );
      }
      for (const l of lines) warn(`ha-dedup: warning: --db ${db}: resumed under another setting (--allow-config-change): ${l}`);
    }
  }
  store.setMeta(SETTINGS_META.settings, canonical(run));
  store.setMeta(SETTINGS_META.overrides, canonical(norm ?? {}));
  return { report: { path: db, settings: saved, changes } };
}
