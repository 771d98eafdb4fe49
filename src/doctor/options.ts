// The settings doctor's fixes name: Cortex/Mimir limits (runtime overrides, YAML) with their
// command-line flags, and the Prometheus settings on the sending side. One place, so every
// finding spells them the same way.

export const OPT = {
  acceptHa: '`accept_ha_samples: true` (-distributor.ha-tracker.enable-for-all-users)',
  replicaLabel: (l: string) => `\`ha_replica_label: ${l}\` (-distributor.ha-tracker.replica=${l})`,
  clusterLabel: (l: string) => `\`ha_cluster_label: ${l}\` (-distributor.ha-tracker.cluster=${l})`,
  maxClusters: (n: number) => `\`ha_max_clusters: ${n}\` (-distributor.ha-tracker.max-clusters=${n})`,
  failoverTimeout: (d: string) => `\`ha_tracker_failover_timeout: ${d}\` (-distributor.ha-tracker.failover-timeout=${d})`,
  perSample:
    '`--dedupe per-sample` (Cortex `accept_mixed_ha_samples: true`, -experimental.distributor.ha-tracker.mixed-ha-samples; Mimir `ha_tracker_per_sample_dedupe: true`)',
  externalLabels: (labels: string) => `Prometheus \`global.external_labels: {${labels}}\``,
  batchDeadline: 'Prometheus `remote_write.queue_config` (`batch_send_deadline`, `max_shards`, `capacity`, `max_samples_per_send`)',
} as const;

/** An integer with thousands separators (1,234). */
export function int(n: number): string {
  const r = Math.round(n);
  const digits = String(Math.abs(r));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return (r < 0 ? '-' : '') + out;
}

/** A signed difference (+12, -3, 0). */
export function signed(n: number): string {
  return n > 0 ? `+${int(n)}` : n < 0 ? `-${int(-n)}` : '0';
}

/** "1 series" / "2 requests": the noun given in the plural, singular for 1 where it has one. */
export function plural(n: number, noun: string): string {
  if (n === 1 && noun.endsWith('s') && noun !== 'series') return `1 ${noun.slice(0, -1)}`;
  return `${int(n)} ${noun}`;
}

/** A label set in PromQL form: {__name__="up", job="node"} -> up{job="node"}. */
export function selector(labels: Record<string, string> | null): string {
  if (labels === null) return '-';
  const name = labels.__name__;
  const rest = Object.keys(labels)
    .sort()
    .filter((k) => k !== '__name__')
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ');
  return `${name ?? ''}{${rest}}`;
}
