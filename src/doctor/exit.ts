// doctor's exit code (SPEC 12): 1 when a finding is at or above --fail-on (default error), else
// 0. Usage and input errors keep their own codes (2, 3), raised before any finding exists.
import { usageError } from '../model/index.js';
import { SEVERITIES, severityRank, type Finding, type Severity } from './types.js';

export const DEFAULT_FAIL_ON: Severity = 'error';

/** --fail-on's value, or a usage error naming the option. */
export function parseFailOn(text: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(text)) return text as Severity;
  throw usageError(`--fail-on must be one of ${SEVERITIES.join(', ')} (got "${text}")`);
}

export function doctorExitCode(findings: readonly Finding[], failOn: Severity = DEFAULT_FAIL_ON): 0 | 1 {
  const limit = severityRank(failOn);
  return findings.some((f) => severityRank(f.severity) <= limit) ? 1 : 0;
}
