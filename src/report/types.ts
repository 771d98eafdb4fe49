// The Report object of SPEC 9. One object, built by the ReportBuilder fold, rendered by the table,
// markdown and JSON renderers. Field names are the JSON contract (snake_case, version 1).

export const REPORT_VERSION = 1;

/** Effective HA settings of one tenant, in the vocabulary of the overrides file (SPEC 6.6). */
export interface TenantConfigReport {
  accept_ha_samples: boolean;
  accept_mixed_ha_samples: boolean;
  ha_cluster_label: string;
  ha_replica_label: string;
  ha_max_clusters: number;
  ha_tracker_update_timeout: string;
  ha_tracker_update_timeout_jitter_max: string;
  ha_tracker_failover_timeout: string;
  ha_tracker_sample_failover_timeout: string;
}

export interface ConfigReport {
  semantics: string;
  dedupe: string;
  seed: number;
  tenant: string; // tenant for records that carry none
  clock: string;
  delay: string;
  output_format: string;
  defaults: TenantConfigReport;
  /** Every tenant seen in the inputs or named in the overrides file. */
  tenants: Record<string, TenantConfigReport>;
  /** Cortex/Mimir limit keys of the overrides file that are not about HA and were ignored (sorted). */
  ignored_override_keys: string[];
  /** With --db FILE only (issue 13.4): the settings the database recorded and what this run changed. */
  db?: DbConfigReport;
}

/** `config.db`: the settings a --db recorded before this run, and each one this run changed (--allow-config-change). */
export interface DbConfigReport {
  path: string;
  /** Recorded before this run (src/pipeline/settings.ts DecisionSettings); null for a new database. */
  settings: Record<string, string | number | null> | null;
  changes: { setting: string; option: string; db: string; run: string }[];
}

/** An election a --db holds from before this run (issue 12.14). */
export interface EarlierElectionReport {
  tenant: string;
  cluster: string;
  at_ms: number;
  from: string | null;
  to: string;
}

/** With --db FILE only: what the run resumed from (issue 13.4, 13.5, 12.14). */
export interface ResumeReport {
  db: string;
  /** The simulated clock the database held before this run; null for a new database. */
  state_clock_ms: number | null;
  /** Records of the inputs already applied to the database by an earlier run, skipped (issue 13.5). */
  skipped_records: number;
  /** Records (not skipped) whose clock time is before state_clock_ms. */
  records_before_state: number;
  /** Per input: its skipped records and records before the saved state. */
  inputs: { path: string; skipped_records: number; records_before_state: number }[];
  /** Every election the database held before this run, in order. */
  elections_before: EarlierElectionReport[];
}

export interface InputReport {
  path: string;
  format: string;
  records: number;
  bad_records: number;
}

export interface ClockReport {
  source: string;
  first_ms: number | null;
  last_ms: number | null;
  clock_regressions: number;
  /** Only when the input is not in time order, or --sort was given (issue 12.8; src/pipeline/ordercheck.ts). */
  order?: ClockOrderReport;
}

/** `clock.order` of the report: present when the order is in doubt or --sort was given. */
export interface ClockOrderReport {
  /** --sort ordered the records by clock time before the replay. */
  sorted: boolean;
  records: number;
  /** Records that would move the clock back (the clock's clock_regressions of this run). */
  regressing_records: number;
  /** Records whose samples span more time than their tenant's failover timeout. */
  wide_records: number;
  /** The largest sample-time span of one record, ms. */
  max_record_span_ms: number;
  /** The warning line replay printed (without "ha-dedup: warning: "), null when none. */
  warning: string | null;
}


/** Requests and samples by outcome (samples = floats + histograms; the five outcomes add up to samples). */
export interface SampleCounts {
  requests: number;
  samples: number;
  accepted_samples: number;
  deduped_samples: number;
  non_ha_samples: number;
  rejected_samples: number;
  passthrough_samples: number;
}

export interface TotalsReport extends SampleCounts {
  elections: number;
  lost_samples: number;
  overlap_samples: number;
  max_gap_ms: number;
  bad_records: number;
}

export interface ReplicaReport {
  replica: string;
  requests: number;
  samples: number;
  accepted_samples: number;
  deduped_samples: number;
  rejected_samples: number;
  first_seen_ms: number;
  last_seen_ms: number;
}

export interface ClusterReport {
  tenant: string;
  cluster: string;
  elected_replica: string | null;
  elections: number;
  lost_samples: number;
  overlap_samples: number;
  max_gap_ms: number;
  series: number;
  replicas: ReplicaReport[];
}

/** Samples of a tenant that took no part in HA (non-HA series, HA switched off, metadata only). */
export interface TenantReport extends SampleCounts {
  tenant: string;
}

export interface ElectionReport {
  tenant: string;
  cluster: string;
  at_ms: number;
  from: string | null;
  to: string;
  previous_last_seen_ms: number | null;
  gap_ms: number | null;
  lost_samples: number;
  lost_scrapes: number;
}

export interface BadRecordReport {
  input: string;
  /** What `index` counts: record index (binary formats) or line number (line formats). */
  unit: 'record' | 'line';
  index: number;
  offset: number;
  reason: string;
}

export interface Report {
  version: number;
  config: ConfigReport | null;
  inputs: InputReport[];
  clock: ClockReport;
  totals: TotalsReport;
  tenants: TenantReport[];
  clusters: ClusterReport[];
  elections: ElectionReport[];
  bad_records: BadRecordReport[];
  status_codes: Record<string, number>;
  /** Present (false) only on the partial report of a run stopped by SIGINT/SIGTERM (issue 13.5). */
  complete?: false;
  /** With --db FILE only. */
  resume?: ResumeReport;
}

/** What the pipeline knows that the fold does not: inputs, clock, config, bad records. */
export interface ReportContext {
  config: ConfigReport | null;
  inputs: InputReport[];
  clock: ClockReport;
  badRecords: BadRecordReport[]; // first 100
  badRecordCount: number;
}
