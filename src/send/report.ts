// What send prints: the one summary line at the end, the progress line, a refusal's warning.
// Pure formatting.
import { dur } from '../model/index.js';
import type { SendProgress } from './sender.js';
import type { Post, Refusal, SendReport } from './types.js';

/** "400: 2, 503: 1, no answer: 1", statuses ascending, no answer last. */
function refusedByStatusText(byStatus: ReadonlyMap<number | null, number>): string {
  const entries = [...byStatus].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a - b));
  return entries.map(([s, n]) => `${s === null ? 'no answer' : s}: ${n}`).join(', ');
}

/**
 * The line printed at the end:
 * "ha-dedup send: 146 requests, 36352 samples sent, 146 acknowledged, 0 retried, 0 refused, 879733 bytes, 0.412s"
 */
export function summaryLine(r: SendReport, retries: number, byStatus: ReadonlyMap<number | null, number>, interrupted: string | null): string {
  const retried = retries > 0 ? `${r.retried_requests} retried (${retries} ${retries === 1 ? 'retry' : 'retries'})` : `${r.retried_requests} retried`;
  const refused = r.refused_requests > 0 ? `${r.refused_requests} refused (${refusedByStatusText(byStatus)})` : '0 refused';
  const stop = interrupted === null ? '' : ` (${interrupted}: stopped before the end of the input)`;
  return `ha-dedup send: ${r.requests} requests, ${r.samples} samples sent, ${r.acknowledged_requests} acknowledged, ${retried}, ${refused}, ${r.bytes} bytes, ${dur(r.wall_ms)}${stop}`;
}

/** The self-overwriting progress line on a terminal. */
export function progressText(p: SendProgress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(p.samples / secs) : 0;
  return `send: ${p.requests} requests, ${rate} samples/s, ${p.retries} retries, ${p.acknowledged} acknowledged, ${p.refused} refused`;
}

/** Where a post came from: "in.rwcap record 17", "in.ndjson lines 1-2000". */
function originText(post: Post): string {
  const o = post.origin;
  const unit = o.first === o.last ? o.unit : `${o.unit}s`;
  const at = o.first === o.last ? `${o.first}` : `${o.first}-${o.last}`;
  return `${o.input} ${unit} ${at}`;
}

/** The warning for one refusal (without "ha-dedup: warning: "). */
export function refusalText(r: Refusal, post: Post): string {
  // with no HTTP answer the message says what happened (refused connection, timeout, ...)
  return `request ${r.index} (${originText(post)}) refused: ${r.status === null ? '' : `${r.status}: `}${r.message}`;
}
