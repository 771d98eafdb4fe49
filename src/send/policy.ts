// The remote-write rules a sender follows (Remote-Write 1.0 and 2.0 specs, Prometheus's queue
// manager): what an answer means, how long to wait before a retry, and pacing in simulated
// time. Pure: the current time is an argument.
import type { RemoteWriteVersion } from '../model/index.js';
import { WRITTEN_HEADERS } from './headers.js';

export type Verdict =
  | { kind: 'ack' }
  /** 5xx, 429 or no answer: try again after the backoff (or Retry-After, ms, when given). */
  | { kind: 'retry'; retryAfterMs: number | null }
  /** Any other answer: never retried. */
  | { kind: 'refuse'; reason: string | null };

/** Response headers, lower-case names (node's IncomingMessage.headers). */
type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What an HTTP answer to a post means. 2xx: acknowledged, except that a 2.0 request answered
 * without any X-Prometheus-Remote-Write-*-Written header was not written as 2.0 (the spec's
 * "broken 1.0 receiver" case: Prometheus treats it as 415) and fails as a whole. 5xx and 429:
 * retry (honouring Retry-After). Everything else, 4xx included: refused, never retried.
 */
export function judge(protocol: RemoteWriteVersion, status: number, headers: ResponseHeaders, nowMs: number): Verdict {
  if (status >= 200 && status < 300) {
    if (protocol === 'rw2' && !WRITTEN_HEADERS.some((h) => headers[h] !== undefined)) {
      return {
        kind: 'refuse',
        reason: `answered ${status} to a Remote-Write 2.0 request without the X-Prometheus-Remote-Write-*-Written headers: nothing was written as 2.0 (a 1.0-only receiver? try --protocol 1)`,
      };
    }
    return { kind: 'ack' };
  }
  if (status === 429 || (status >= 500 && status < 600)) {
    return { kind: 'retry', retryAfterMs: parseRetryAfter(first(headers['retry-after']), nowMs) };
  }
  if (status >= 300 && status < 400) {
    const to = first(headers['location']);
    return { kind: 'refuse', reason: `redirected${to === undefined ? '' : ` to ${to}`}: send does not follow redirects (give the final URL to --url)` };
  }
  return { kind: 'refuse', reason: null };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Retry-After (RFC 9110): delay-seconds or an HTTP-date. Milliseconds from `nowMs`, or null
 * when absent, unparsable or in the past (the backoff applies then, as in Prometheus).
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const s = Number(v);
    return s > 0 ? s * 1000 : null;
  }
  const at = Date.parse(v);
  if (!Number.isFinite(at) || !/[a-z]/i.test(v)) return null;
  const d = at - nowMs;
  return d > 0 ? d : null;
}

/**
 * Prometheus's backoff: wait `backoffMs` (or what Retry-After asked for), then the next backoff
 * is twice the wait, capped at maxMs.
 */
export function retryWait(backoffMs: number, retryAfterMs: number | null, maxMs: number): { waitMs: number; nextBackoffMs: number } {
  const waitMs = retryAfterMs ?? backoffMs;
  return { waitMs, nextBackoffMs: Math.min(waitMs * 2, maxMs) };
}

/**
 * When (wall ms) a post with clock time `timeMs` is due, replaying at `speed` from a run that
 * started at wall time `startWallMs` with first clock time `firstTimeMs`. A clock time before
 * the first (a regression) is due at once.
 */
export function dueWallMs(startWallMs: number, firstTimeMs: number, timeMs: number, speed: number): number {
  return startWallMs + Math.max(0, timeMs - firstTimeMs) / speed;
}
