// How "now" is derived for each record (SPEC 5), and the monotonic simulated clock.
// Nothing here reads the wall clock.
import type { ClockSource, Request } from '../model/index.js';

export interface ClockOptions {
  source: ClockSource;
  /** Added to sample-derived times (`--delay`), ms. Not applied to receive times. */
  delayMs: number;
}

/** Largest sample or histogram timestamp of a request, or null when it has none. */
function maxSampleTimestamp(req: Request): number | null {
  let max = -Infinity;
  const cols = req.series;
  if (cols !== undefined) {
    const t = cols.timestamps;
    for (let i = 0; i < t.length; i++) if (t[i]! > max) max = t[i]!;
    const h = cols.histograms;
    for (let i = 0; i < h.length; i++) if (h[i]!.timestamp > max) max = h[i]!.timestamp;
    return max === -Infinity ? null : max;
  }
  for (const ts of req.write.timeseries) {
    const s = ts.samples;
    for (let i = 0; i < s.length; i++) if (s[i]!.timestamp > max) max = s[i]!.timestamp;
    const h = ts.histograms;
    for (let i = 0; i < h.length; i++) if (h[i]!.timestamp > max) max = h[i]!.timestamp;
  }
  return max === -Infinity ? null : max;
}

/**
 * The time of a record, or null when the record itself gives none:
 * - `received`: its received_at_ms; a record without one falls back to the sample rule;
 * - `sample`: its largest sample/histogram timestamp + delay; a record without samples
 *   (metadata only) uses its received_at_ms when it has one.
 * A null result means "no time of its own": callers use the previous record time of the same
 * input (or, for leading records, the next known one) — see timeInput() in pipeline/inputs.ts.
 */
export function recordTimeOrNull(req: Request, opts: ClockOptions): number | null {
  if (opts.source === 'received' && req.receivedAtMs !== null) return req.receivedAtMs;
  const max = maxSampleTimestamp(req);
  if (max !== null) return max + opts.delayMs;
  return req.receivedAtMs;
}

/**
 * The time of a record (SPEC 5): received_at (`--clock received`), or largest sample/histogram
 * timestamp + delay (`--clock sample`). A record with no samples and no receive time takes
 * `previousMs` (the previous record time), or 0 when there is none.
 */
export function recordTimeMs(req: Request, opts: ClockOptions, previousMs: number | null = null): number {
  return recordTimeOrNull(req, opts) ?? previousMs ?? 0;
}

/**
 * The simulated clock: now = max(previous now, record time); a record time below the current
 * now is a regression and is counted (`clock_regressions`). Can resume from a persisted now.
 */
export class SimClock {
  private now: number | null;
  regressions = 0;
  /** First record time observed in this run (a resumed clock starts with null), null before any. */
  firstMs: number | null = null;
  /** Latest now. */
  lastMs: number | null;

  constructor(previousNowMs: number | null = null, previousRegressions = 0) {
    this.now = previousNowMs;
    this.lastMs = previousNowMs;
    this.regressions = previousRegressions;
  }

  /** Feed one record time; returns the new now. */
  observe(t: number): number {
    if (this.firstMs === null) this.firstMs = Math.max(t, this.now ?? t);
    if (this.now === null) {
      this.now = t;
    } else if (t < this.now) {
      this.regressions++;
    } else {
      this.now = t;
    }
    this.lastMs = this.now;
    return this.now;
  }

  /** Current now, null before the first record. */
  get nowMs(): number | null {
    return this.now;
  }
}
