// The sending loop: posts handed in order, at most --concurrency in flight (1 by default, so
// order holds), each due at its paced time (--pace), retried by the remote-write rules
// (policy.ts), counted for the report. A stop (first SIGINT) dispatches nothing more and lets
// the attempts in flight finish without retrying them; an abort (second SIGINT) cuts them.
//
// This is I/O: it reads the wall clock and sleeps, through `clock` (injected, so tests can
// count the waits without waiting).
import { setTimeout as delay } from 'node:timers/promises';
import type { Answer } from './client.js';
import { NoAnswer } from './client.js';
import { requestHeaders } from './headers.js';
import { dueWallMs, judge, retryWait, type Verdict } from './policy.js';
import type { Post, Refusal, SendReport } from './types.js';

/** The first refusals kept for the report (SPEC 12) and the warnings. */
export const MAX_LISTED_REFUSALS = 100;

/** What the sender needs of an HTTP client (client.ts's HttpClient, or a fake in tests). */
export interface PostClient {
  post(headers: Record<string, string>, body: Uint8Array): Promise<Answer>;
  abortAll(): void;
  close(): void;
}

export interface SendClock {
  now(): number;
  /** Wait `ms`, or less when `signal` aborts (a stop); never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const WALL_CLOCK: SendClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

export interface SenderOptions {
  client: PostClient;
  userAgent: string;
  /** The Authorization header value (bearer or basic), or null. Never printed. */
  authorization: string | null;
  /** Texts to blank out of every message kept or printed (token, password, basic credentials). */
  secrets: readonly string[];
  /** Retries of one request at most (--retries); 0 = never retry. */
  retries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  concurrency: number;
  /** --pace speed, or null for max. */
  speed: number | null;
  clock?: SendClock;
  /** Called for each refusal as it happens (the CLI warns for the first 100). */
  onRefused?(refusal: Refusal, post: Post, ordinal: number): void;
}

/** Counters so far (the progress line). */
export interface SendProgress {
  requests: number;
  samples: number;
  acknowledged: number;
  refused: number;
  retries: number;
  inFlight: number;
  bytes: number;
  elapsedMs: number;
}

export class Sender {
  private readonly clock: SendClock;
  private readonly startedAt: number;
  private pacedFrom: { wallMs: number; timeMs: number } | null = null;
  private active = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  private readonly stopSignal = new AbortController();

  private requests = 0;
  private samples = 0;
  private acknowledged = 0;
  private retriedRequests = 0;
  private retries = 0;
  private refusedCount = 0;
  private readonly refused: Refusal[] = [];
  private readonly refusedByStatus = new Map<number | null, number>();
  private bytes = 0;

  constructor(private readonly opts: SenderOptions) {
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
    this.clock = opts.clock ?? WALL_CLOCK;
    this.startedAt = this.clock.now();
  }

  /** True once stop() was called: the caller stops reading its input. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Hand in the next post. Resolves once it is dispatched (its time has come and a connection
   * slot is free) or dropped because the sender is stopping; its outcome is counted later.
   */
  async submit(post: Post): Promise<void> {
    if (this.stopping) return;
    if (this.opts.speed !== null) {
      if (this.pacedFrom === null) this.pacedFrom = { wallMs: this.clock.now(), timeMs: post.timeMs };
      const wait = dueWallMs(this.pacedFrom.wallMs, this.pacedFrom.timeMs, post.timeMs, this.opts.speed) - this.clock.now();
      if (wait > 0) await this.sleepUnlessStopped(wait);
    }
    while (this.active >= this.opts.concurrency && !this.stopping) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.stopping) return;
    this.active++;
    this.requests++;
    this.samples += post.counts.samples + post.counts.histograms;
    const p = this.run(post).finally(() => {
      this.active--;
      this.running.delete(p);
      this.slotWaiters.shift()?.();
    });
    this.running.add(p);
  }

  /** Dispatch nothing more; attempts in flight finish, none is retried. Idempotent. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopSignal.abort();
    for (const w of this.slotWaiters.splice(0)) w();
  }

  /** stop(), and cut the attempts in flight now (they count as refused: interrupted). */
  abort(): void {
    this.stop();
    this.opts.client.abortAll();
  }

  /** Wait for every dispatched post to end, close the connections, and give the report. */
  async finish(): Promise<SendReport> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    this.opts.client.close();
    return {
      version: 1,
      requests: this.requests,
      samples: this.samples,
      acknowledged_requests: this.acknowledged,
      retried_requests: this.retriedRequests,
      refused_requests: this.refusedCount,
      refused: this.refused.slice(),
      bytes: this.bytes,
      wall_ms: Math.max(0, Math.round(this.clock.now() - this.startedAt)),
    };
  }

  progress(): SendProgress {
    return {
      requests: this.requests,
      samples: this.samples,
      acknowledged: this.acknowledged,
      refused: this.refusedCount,
      retries: this.retries,
      inFlight: this.active,
      bytes: this.bytes,
      elapsedMs: this.clock.now() - this.startedAt,
    };
  }

  /** Refused requests by HTTP status (null: no answer), for the summary line. */
  refusedStatuses(): ReadonlyMap<number | null, number> {
    return this.refusedByStatus;
  }

  private async run(post: Post): Promise<void> {
    const o = this.opts;
    const headers = requestHeaders(post.protocol, o.userAgent, post.tenant, o.authorization, post.headers, post.body.length);
    let backoff = o.minBackoffMs;
    for (let attempt = 0; ; attempt++) {
      this.bytes += post.body.length;
      let status: number | null = null;
      let message: string;
      let verdict: Verdict;
      try {
        const a = await o.client.post(headers, post.body);
        status = a.status;
        message = a.message;
        verdict = judge(post.protocol, a.status, a.headers, this.clock.now());
      } catch (e) {
        if (!(e instanceof NoAnswer)) throw e;
        message = e.message;
        verdict = e.final ? { kind: 'refuse', reason: null } : { kind: 'retry', retryAfterMs: null };
      }
      if (verdict.kind === 'ack') {
        this.acknowledged++;
        return;
      }
      const text = message === '' ? (status === null ? 'no answer' : `HTTP ${status}`) : message;
      if (verdict.kind === 'refuse') return this.refuse(post, status, verdict.reason ?? text);
      if (this.stopping) return this.refuse(post, status, `interrupted before it was acknowledged (last attempt: ${status ?? 'no answer'}: ${text})`);
      if (attempt >= o.retries) return this.refuse(post, status, `${text} (gave up after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}, --retries ${o.retries})`);
      const { waitMs, nextBackoffMs } = retryWait(backoff, verdict.retryAfterMs, o.maxBackoffMs);
      backoff = nextBackoffMs;
      await this.sleepUnlessStopped(waitMs);
      if (this.stopping) return this.refuse(post, status, `interrupted before it was acknowledged (last attempt: ${status ?? 'no answer'}: ${text})`);
      if (attempt === 0) this.retriedRequests++;
      this.retries++;
    }
  }

  private refuse(post: Post, status: number | null, message: string): void {
    const refusal: Refusal = { status, message: this.scrub(message), index: post.index };
    this.refusedCount++;
    this.refusedByStatus.set(status, (this.refusedByStatus.get(status) ?? 0) + 1);
    if (this.refused.length < MAX_LISTED_REFUSALS) this.refused.push(refusal);
    this.opts.onRefused?.(refusal, post, this.refusedCount);
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.opts.secrets) if (s !== '') out = out.split(s).join('<secret>');
    return out;
  }

  private sleepUnlessStopped(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.stopSignal.signal);
  }
}
