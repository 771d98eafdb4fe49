// Cortex and Mimir flags a user of those systems types out of habit (Go style, one dash:
// -distributor.ha-tracker.failover-timeout=1m), each with the ha-dedup option that does its job.
// Used for commander's "unknown option" error (src/cli/main.ts).

const HA = 'distributor.ha-tracker.';

const BY_NAME: Record<string, { option?: string; hint?: string }> = {
  [`${HA}failover-timeout`]: { option: '--failover-timeout' },
  [`${HA}update-timeout`]: { option: '--update-timeout' },
  [`${HA}update-timeout-jitter-max`]: { option: '--update-timeout-jitter-max' },
  [`${HA}failover-sample-timeout`]: { option: '--sample-failover-timeout' },
  [`${HA}max-clusters`]: { option: '--max-clusters' },
  [`${HA}cluster`]: { option: '--cluster-label' },
  [`${HA}replica`]: { option: '--replica-label' },
  [`${HA}enable`]: { hint: 'the HA tracker is always on in ha-dedup' },
  [`${HA}enable-for-all-users`]: {
    hint: 'HA deduplication is on for every tenant; switch it off for one with accept_ha_samples: false in --overrides FILE',
  },
  [`experimental.${HA}mixed-ha-samples`]: { option: '--dedupe per-sample' },
  'runtime-config.file': { option: '--overrides' },
};

const STORE = /^distributor\.ha-tracker\.(store|prefix|consul\.|etcd\.|multi\.|kvstore)/;

/**
 * For an argument like "-distributor.ha-tracker.failover-timeout=1m" (one dash or two), what to
 * say about it ("a Cortex/Mimir flag; use --failover-timeout 1m"); undefined for anything else.
 */
export function goFlagHint(arg: string): string | undefined {
  const m = /^--?([a-z][a-z0-9.-]*\.[a-z0-9.-]+)(?:=(.*))?$/.exec(arg);
  if (m === null) return undefined;
  const name = m[1]!;
  const value = m[2];
  const known = BY_NAME[name];
  if (known?.option !== undefined) {
    const use = value !== undefined && !known.option.includes(' ') ? `${known.option} ${value}` : known.option;
    return `a Cortex/Mimir flag; use ${use}`;
  }
  if (known?.hint !== undefined) return `a Cortex/Mimir flag; ${known.hint}`;
  if (STORE.test(name)) return 'a Cortex/Mimir flag; ha-dedup keeps the tracker state in SQLite (--db FILE, in memory without it)';
  if (name.startsWith(HA) || name.startsWith('distributor.')) return 'a Cortex/Mimir flag; `ha-dedup replay --help` lists the HA options';
  return undefined;
}
