// Formatting shared by the human renderers (table, markdown). Pure: no clock, no environment.
import { formatDuration } from '../model/index.js';
import type { Report } from './types.js';

/** UTC timestamp with milliseconds, e.g. 2026-11-24T18:56:23.123Z. */
export function utc(ms: number | null): string {
  if (ms === null) return '-';
  return isoUtc(ms);
}

/** ISO 8601 UTC form of a Unix ms instant, computed arithmetically (civil-from-days). */
export function isoUtc(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const hh = Math.floor(rest / 3_600_000);
  rest -= hh * 3_600_000;
  const mm = Math.floor(rest / 60_000);
  rest -= mm * 60_000;
  const ss = Math.floor(rest / 1000);
  const mss = rest - ss * 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(m)}-${p(d)}T${p(hh)}:${p(mm)}:${p(ss)}.${p(mss, 3)}Z`;
}

/** Seconds since the first record, e.g. +77.284s. */
export function sinceStart(report: Report, ms: number): string {
  const first = report.clock.first_ms;
  if (first === null) return '-';
  return `+${((ms - first) / 1000).toFixed(3)}s`;
}

export function dur(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 0) return '-' + formatDuration(-ms);
  return formatDuration(Math.round(ms));
}

export function num(n: number): string {
  return String(n);
}

export interface Row {
  cells: string[];
  /** Cells whose value is a problem worth colouring (lost samples etc.). */
  bad?: boolean[];
  elected?: boolean;
}

export const CLUSTER_HEAD = ['tenant', 'cluster', 'replica', 'requests', 'samples', 'accepted', 'deduped', 'non-HA', 'passthrough', 'rejected', 'elections', 'lost', 'max gap'];

/** One row per (tenant, cluster, replica); cluster figures on the cluster's first row; a row per tenant for its non-HA traffic. */
export function clusterRows(report: Report): Row[] {
  const rows: Row[] = [];
  const tenants = new Set<string>([...report.tenants.map((t) => t.tenant), ...report.clusters.map((c) => c.tenant)]);
  for (const tenant of [...tenants].sort()) {
    for (const c of report.clusters) {
      if (c.tenant !== tenant) continue;
      const reps = c.replicas.length > 0 ? c.replicas : [null];
      reps.forEach((r, i) => {
        const first = i === 0;
        const elected = r !== null && r.replica === c.elected_replica;
        rows.push({
          cells: [
            tenant,
            c.cluster,
            r === null ? '-' : r.replica + (elected ? ' (elected)' : ''),
            r === null ? '0' : num(r.requests),
            r === null ? '0' : num(r.samples),
            r === null ? '0' : num(r.accepted_samples),
            r === null ? '0' : num(r.deduped_samples),
            '-',
            '-',
            r === null ? '0' : num(r.rejected_samples),
            first ? num(c.elections) : '',
            first ? num(c.lost_samples) : '',
            first ? dur(c.max_gap_ms) : '',
          ],
          bad: [false, false, false, false, false, false, false, false, false, r !== null && r.rejected_samples > 0, false, first && c.lost_samples > 0, false],
          elected,
        });
      });
    }
    const t = report.tenants.find((x) => x.tenant === tenant);
    if (t !== undefined && t.non_ha_samples + t.passthrough_samples > 0) {
      rows.push({
        cells: [tenant, '(no HA)', '-', '-', num(t.non_ha_samples + t.passthrough_samples), '-', '-', num(t.non_ha_samples), num(t.passthrough_samples), '-', '', '', ''],
      });
    }
  }
  return rows;
}

export const ELECTION_HEAD = ['time (UTC)', 'since start', 'tenant', 'cluster', 'from → to', 'old leader silent', 'gap', 'lost samples', 'lost scrapes'];

export function electionRows(report: Report): Row[] {
  return report.elections.map((e) => ({
    cells: [
      utc(e.at_ms),
      sinceStart(report, e.at_ms),
      e.tenant,
      e.cluster,
      `${e.from ?? '(none)'} → ${e.to}`,
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
  return lines;
}
