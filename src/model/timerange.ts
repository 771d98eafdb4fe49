// The range of times (Unix ms) the tool accepts in records and in a saved state (issue 12.3).
//
// Prometheus holds int64 milliseconds; a JS number holds integers exactly only up to 2^53. The
// limit is the range a JavaScript Date holds, ±8.64e15 ms (years -271821 to 275760): every
// accepted time can be printed as a date, and the clock arithmetic on it (+ --delay, + failover
// and cleanup timeouts) stays below 2^53, where integers would lose precision and a loop that
// steps the clock forward would never reach its target. A time outside it is a bad record.

/** Largest |time| in ms accepted anywhere: the JavaScript Date range. */
export const MAX_TIME_MS = 8.64e15;

/** Whether t is an integer number of ms within ±MAX_TIME_MS. */
export function isValidTimeMs(t: number): boolean {
  return Number.isInteger(t) && t <= MAX_TIME_MS && t >= -MAX_TIME_MS;
}

/** The reason a time is refused, for bad-record warnings. */
export function timeRangeReason(what: string, t: number | string): string {
  return `${what} ${String(t)} is outside the supported time range (±8.64e15 ms, the JavaScript Date range)`;
}
