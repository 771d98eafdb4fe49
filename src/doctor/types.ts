// What doctor reports (SPEC 12): findings, each with a stable code, a severity, the tenant /
// cluster / replica it concerns, a count, up to 3 examples and the change that fixes it.
import type { InputSummary } from '../model/index.js';

export type Severity = 'error' | 'warn' | 'info';

/** Severities from the most to the least serious (renderers and --fail-on use this order). */
export const SEVERITIES: readonly Severity[] = ['error', 'warn', 'info'];

/** Rank of a severity: 0 = error (most serious). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The codes, in SPEC 12's order (part of the contract; findings of one severity sort by it). */
export const CODES = [
  'unconfigured-ha-pair',
  'partial-ha-labels',
  'mixed-request',
  'cluster-label-collision',
  'replica-collision',
  'flapping',
  'send-lag',
  'counter-reset-after-failover',
  'target-set-mismatch',
  'too-many-clusters',
  'stale-after-failover',
] as const;
export type Code = (typeof CODES)[number];

/** What a finding's `count` counts, per code (the human renderers print it after the number). */
export const COUNT_UNIT: Record<Code, string> = {
  'unconfigured-ha-pair': 'series pairs',
  'partial-ha-labels': 'series',
  'mixed-request': 'requests',
  'cluster-label-collision': 'requests',
  'replica-collision': 'samples',
  flapping: 'flaps',
  'send-lag': 'requests over F - U',
  'counter-reset-after-failover': 'series',
  'target-set-mismatch': 'series',
  'too-many-clusters': 'clusters',
  'stale-after-failover': 'series',
};

/** One piece of evidence: a series (labels as sent) and when, with what it shows. */
export interface Example {
  /** The series' labels as sent (the replica label included), or null when the example is not one series. */
  labels: Record<string, string> | null;
  /** When: the simulated time (receive time, SPEC 5) of the request it was seen in, Unix ms. */
  at_ms: number;
  /** What the example shows, e.g. "value 3 at 1700000000000, then 5 at the same timestamp". */
  note: string;
}

export interface Finding {
  code: Code;
  severity: Severity;
  tenant: string;
  /** null where the finding is not about one cluster. */
  cluster: string | null;
  /** null where the finding is not about one replica. */
  replica: string | null;
  /** What `count` counts depends on the code (COUNT_UNIT, docs/doctor.md). */
  count: number;
  /** Up to 3. */
  examples: Example[];
  /** The change that fixes it, naming the exact Cortex/Mimir option or Prometheus setting, with the figures behind it. */
  fix: string;
}

export const DOCTOR_VERSION = 1;

/** `ha-dedup doctor --format json` (SPEC 12). */
export interface DoctorReport {
  version: typeof DOCTOR_VERSION;
  findings: Finding[];
  inputs: InputSummary[];
}

export const MAX_EXAMPLES = 3;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpNull = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : cmp(a, b));

/** Findings in report order: severity (error first), code (SPEC order), tenant, cluster, replica. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      CODES.indexOf(a.code) - CODES.indexOf(b.code) ||
      cmp(a.tenant, b.tenant) ||
      cmpNull(a.cluster, b.cluster) ||
      cmpNull(a.replica, b.replica) ||
      b.count - a.count,
  );
}
