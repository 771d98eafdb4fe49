// The meta keys the tracker persists (in the same commit as its records), and reading them back.
import { isValidTimeMs, stateError } from '../model/index.js';

export const META = {
  semantics: 'tracker.semantics',
  firstMs: 'tracker.first_ms',
  nextPassMs: 'tracker.next_pass_ms',
  nextCleanupMs: 'tracker.next_cleanup_ms',
  prng: 'tracker.prng',
  cortexJitterDraw: 'tracker.cortex_jitter_draw',
  cortexJitterMs: 'tracker.cortex_jitter_ms',
  mimirJitterPrefix: 'tracker.mimir_jitter_ms.',
  version: 'tracker.state_version',
} as const;

export function parseNum(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw stateError(`state database is inconsistent: ${what} is "${text}", not a number`);
  return n;
}

/** A saved time: outside the time range (model/timerange.ts) the background-work loop would never catch up. */
export function parseTimeMeta(text: string | undefined, what: string): number | undefined {
  const n = parseNum(text, what);
  if (n !== undefined && !isValidTimeMs(n)) throw stateError(`state database is inconsistent: ${what} is "${text}", not a time in the supported range`);
  return n;
}
