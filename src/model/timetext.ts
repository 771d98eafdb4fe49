// The one place durations and instants become text for people (issue 15.7): every renderer,
// doctor's findings and the CLI's messages use these. Pure: computed from the argument.
// (Prometheus-style durations as settings take them, 1m30s, are formatDuration in duration.ts.)

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

/**
 * The one form every human renderer prints a duration in (report tables, markdown, inspect):
 * milliseconds always shown, minutes and hours named as in Go and Prometheus durations, the
 * fields below the largest zero-padded so that a column of them lines up: 0.250s, 30.302s,
 * 1m00.000s, 2m46.985s, 1h02m03.000s; a negative one has a leading "-".
 */
export function dur(ms: number | null): string {
  if (ms === null) return '-';
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const secs = (rest / 1000).toFixed(3);
  if (h > 0) return `${sign}${h}h${String(m).padStart(2, '0')}m${secs.padStart(6, '0')}s`;
  if (m > 0) return `${sign}${m}m${secs.padStart(6, '0')}s`;
  return `${sign}${secs}s`;
}
