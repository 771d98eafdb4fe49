// Formatting shared by the human renderers (table, markdown). Pure: no clock, no environment.
import type { Report } from './types.js';
import { resumeLines } from './resume.js';
import { dur, isoUtc } from '../model/timetext.js';

// the one duration and instant forms (src/model/timetext.ts), for the renderers that import them from here
export { dur, isoUtc };

/** UTC timestamp with milliseconds, e.g. 2026-11-24T18:56:23.123Z. */
export function utc(ms: number | null): string {
  if (ms === null) return '-';
  return isoUtc(ms);
}

/** Time since the first record, in the one duration form (`dur`), e.g. +1m17.284s. */
export function sinceStart(report: Report, ms: number): string {
  const first = report.clock.first_ms;
  if (first === null) return '-';
  return `+${dur(ms - first)}`;
}

// Characters a terminal acts on instead of showing them: C0 and C1 controls (ESC starts colour
// and cursor sequences), DEL, and the Unicode line separators and bidirectional overrides that
// reorder what follows them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `s` safe to print on a terminal: control characters become visible escapes (\n, \t, \x1b,
 * \u202e), everything else is unchanged. Label values, tenants, paths, headers and reasons in
 * tables and warnings go through it; JSON output escapes by itself and does not.
 */
export function printable(s: string): string {
  if (!HAS_CONTROL.test(s)) return s;
  return s.replace(CONTROL, (ch) => {
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const cp = ch.charCodeAt(0);
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

export function num(n: number): string {
  return String(n);
}

export interface Row {
  cells: string[];
  /** Cells whose value is a problem worth colouring (lost samples etc.). */
  bad?: boolean[];
  elected?: boolean;
  /** On a cluster's first row: how many rows its cluster cells cover (table rowSpan). */
  span?: number;
}

export const CLUSTER_HEAD = ['tenant', 'cluster', 'elected', 'elections', 'lost', 'max gap', 'replica', 'requests', 'samples', 'accepted', 'deduped', 'rejected'];
/** Leading columns that hold one value per cluster (the table renderer spans them over its replica rows). */
export const CLUSTER_SPAN_COLUMNS = 6;

/**
 * One row per (tenant, cluster, replica): the cluster's own figures (elected replica at the end,
 * elections, lost samples, largest gap) lead, the replica's counts follow. `span` on a cluster's
 * first row says how many replica rows it covers; later rows leave the cluster cells empty.
 */
export function clusterRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const c of report.clusters) {
    const reps = c.replicas.length > 0 ? c.replicas : [null];
    reps.forEach((r, i) => {
      const first = i === 0;
      const elected = r !== null && r.replica === c.elected_replica;
      rows.push({
        cells: [
          first ? printable(c.tenant) : '',
          first ? printable(c.cluster) : '',
          first ? (c.elected_replica === null ? '-' : printable(c.elected_replica)) : '',
          first ? num(c.elections) : '',
          first ? num(c.lost_samples) : '',
          first ? dur(c.max_gap_ms) : '',
          r === null ? '-' : printable(r.replica),
          r === null ? '0' : num(r.requests),
          r === null ? '0' : num(r.samples),
          r === null ? '0' : num(r.accepted_samples),
          r === null ? '0' : num(r.deduped_samples),
          r === null ? '0' : num(r.rejected_samples),
        ],
        bad: [false, false, false, false, first && c.lost_samples > 0, false, false, false, false, false, false, r !== null && r.rejected_samples > 0],
        elected,
        span: first ? reps.length : 0,
      });
    });
  }
  return rows;
}

export const NON_HA_HEAD = ['tenant', 'non-HA samples', 'passthrough samples'];

/** One row per tenant that sent samples outside any HA cluster (non-HA or passthrough). */
export function nonHaRows(report: Report): Row[] {
  return report.tenants
    .filter((t) => t.non_ha_samples + t.passthrough_samples > 0)
    .map((t) => ({
      cells: [printable(t.tenant), num(t.non_ha_samples), num(t.passthrough_samples)],
    }));
}

export const ELECTION_HEAD = ['time (UTC)', 'since start', 'tenant', 'cluster', 'from → to', 'old leader silent', 'gap', 'lost samples', 'lost scrapes'];

export function electionRows(report: Report): Row[] {
  return report.elections.map((e) => ({
    cells: [
      utc(e.at_ms),
      sinceStart(report, e.at_ms),
      printable(e.tenant),
      printable(e.cluster),
      `${e.from === null ? '(none)' : printable(e.from)} → ${printable(e.to)}`,
      e.previous_last_seen_ms === null ? '-' : dur(e.at_ms - e.previous_last_seen_ms),
      dur(e.gap_ms),
      num(e.lost_samples),
      num(e.lost_scrapes),
    ],
    bad: [false, false, false, false, false, false, false, e.lost_samples > 0, e.lost_scrapes > 0],
  }));
}

export function totalsLines(report: Report): string[] {
  const t = report.totals;
  const lines = [
    `${t.requests} requests, ${t.samples} samples: ${t.accepted_samples} accepted, ${t.deduped_samples} deduped, ${t.non_ha_samples} non-HA, ${t.passthrough_samples} passthrough, ${t.rejected_samples} rejected (too many clusters)`,
    `${t.elections} elections, ${t.lost_samples} lost samples, ${t.overlap_samples} overlap samples, largest gap ${dur(t.max_gap_ms)}`,
  ];
  const sc = Object.keys(report.status_codes).sort().map((k) => `${k}: ${report.status_codes[k]}`).join(', ');
  lines.push(`status codes ${sc}; clock ${report.clock.source}, ${report.clock.clock_regressions} clock regressions; ${t.bad_records} bad records`);
  lines.push(...resumeLines(report)); // --db and partial runs (issue 12.14, 13.5)
  return lines;
}
