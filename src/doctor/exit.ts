// doctor's exit code (SPEC 12): 1 when a finding is at or above --fail-on (default error), else
// 0; `--fail-on never` always 0 (the report alone). Usage and input errors keep their own codes
// (2, 3), raised before any finding exists. --fail-on is parsed in src/cli/commands/doctor.ts.
import { SEVERITIES, severityRank, type Finding, type Severity } from './types.js';

/** --fail-on's values: a severity, or never. */
export type FailOn = Severity | 'never';
export const FAIL_ON: readonly FailOn[] = [...SEVERITIES, 'never'];

export const DEFAULT_FAIL_ON: FailOn = 'error';

/** The findings at or above `failOn` (none for never). */
export function failing(findings: readonly Finding[], failOn: FailOn = DEFAULT_FAIL_ON): Finding[] {
  if (failOn === 'never') return [];
  const limit = severityRank(failOn);
  return findings.filter((f) => severityRank(f.severity) <= limit);
}

export function doctorExitCode(findings: readonly Finding[], failOn: FailOn = DEFAULT_FAIL_ON): 0 | 1 {
  return failing(findings, failOn).length > 0 ? 1 : 0;
}
