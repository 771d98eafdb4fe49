// The human report's lines about a --db run (issue 12.14, 13.5): what the database held before
// this run (its clock, the elections made before it), records skipped as already applied, and a
// partial report's mark. Appended to the totals lines by every human renderer (format.ts).
import type { Report } from './types.js';
import { isoUtc, printable } from './format.js';

/** At most this many earlier elections are listed (the JSON report has them all). */
const LISTED = 10;

export function resumeLines(report: Report): string[] {
  const lines: string[] = [];
  if (report.complete === false) lines.push('partial report: the run was stopped (SIGINT/SIGTERM) before the end of its input');
  const r = report.resume;
  if (r === undefined) return lines;
  if (r.state_clock_ms === null) {
    lines.push(`--db ${printable(r.db)}: a new state database`);
  } else {
    const skipped = r.skipped_records > 0 ? `; ${r.skipped_records} records skipped as already applied` : '';
    const before = r.records_before_state > 0 ? `; ${r.records_before_state} records before its clock` : '';
    lines.push(`resumed from --db ${printable(r.db)} (its clock at ${isoUtc(r.state_clock_ms)}): ${r.elections_before.length} elections before this run${skipped}${before}`);
    // the last earlier election of each cluster in this report: who was elected before this run
    const last = new Map<string, (typeof r.elections_before)[number]>();
    const shown = new Set(report.clusters.map((c) => c.tenant + '\xfd' + c.cluster));
    for (const e of r.elections_before) if (shown.has(e.tenant + '\xfd' + e.cluster)) last.set(e.tenant + '\xfd' + e.cluster, e);
    const rows = [...last.values()];
    for (const e of rows.slice(0, LISTED)) {
      lines.push(`  before this run: ${printable(e.tenant)} / ${printable(e.cluster)}: ${e.from === null ? '(none)' : printable(e.from)} → ${printable(e.to)} at ${isoUtc(e.at_ms)}`);
    }
    if (rows.length > LISTED) lines.push(`  … ${rows.length - LISTED} more clusters elected before this run (the JSON report's resume.elections_before has them all)`);
  }
  return lines;
}
