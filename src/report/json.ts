// The versioned JSON report: keys sorted at every level, two-space indent, trailing newline.
// Each election carries `at` (RFC 3339, UTC, milliseconds) beside `at_ms`, as `state --json`
// does: the one field added here rather than in the builder's rows.
import { stableJson } from '../model/index.js';
import { isoUtc } from './format.js';
import type { ElectionReport, Report } from './types.js';

/** The report object as JSON gives it (elections with `at`). */
export function reportJsonValue(report: Report): Omit<Report, 'elections'> & { elections: (ElectionReport & { at: string })[] } {
  return { ...report, elections: report.elections.map((e) => ({ ...e, at: isoUtc(e.at_ms) })) };
}

export function renderJson(report: Report): string {
  return stableJson(reportJsonValue(report));
}
