// One `send` run: inputs -> Batcher -> Sender -> report. The CLI parses options, wires
// signals and the progress line, and prints; this is the loop between them.
//
// Memory: the input is pulled only as fast as the sender dispatches (submit() resolves once a
// post is on its way), so at most --concurrency posts, the batch being filled and the request
// being read are held at once, whatever the input's size.
import { HaDedupError, type BadRecord } from '../model/index.js';
import { Batcher } from './batch.js';
import { HttpClient } from './client.js';
import { newestSampleTimestamp, sourceRequests, spoolStdin } from './input.js';
import type { Credentials, SendConfig } from './config.js';
import { Sender, type PostClient, type SendClock } from './sender.js';
import type { Post, Refusal, SendReport, SourceRequest } from './types.js';

interface RunHooks {
  userAgent: string;
  onBadRecord(bad: BadRecord): void;
  onRefused?(refusal: Refusal, post: Post, ordinal: number): void;
  /** --shift-to-now: the shift chosen, the newest sample it moves, and the wall time it lands at. */
  onShift?(shiftMs: number, newestMs: number | null, nowMs: number): void;
  /** The sender, once it exists (signals, progress). */
  onSender?(sender: Sender): void;
  /** What an input "-" reads (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array>;
  /** Tests: another HTTP client, another clock. */
  client?: PostClient;
  clock?: SendClock;
}

export interface RunResult {
  report: SendReport;
  sender: Sender;
  /** An input error that ended the run early (--strict), after what was sent was finished. */
  failure: HaDedupError | null;
}

export async function runSend(paths: readonly string[], cfg: SendConfig, creds: Credentials, hooks: RunHooks): Promise<RunResult> {
  let inputs = paths.slice();
  let spooled: { path: string; remove(): void } | null = null;
  const inputOpts = { format: cfg.format, maxDecodedSize: cfg.maxDecodedSize, strict: cfg.strict, onBadRecord: hooks.onBadRecord, stdin: hooks.stdin };
  try {
    let shiftMs = 0;
    if (cfg.shiftToNow) {
      if (inputs.includes('-')) {
        spooled = await spoolStdin(hooks.stdin);
        inputs = inputs.map((p) => (p === '-' ? spooled!.path : p));
      }
      const newest = await newestSampleTimestamp(inputs, inputOpts);
      const now = (hooks.clock ?? { now: Date.now }).now();
      shiftMs = newest === null ? 0 : now - newest;
      hooks.onShift?.(shiftMs, newest, now);
    }
    return await sendAll(sourceRequests(inputs, inputOpts), cfg, creds, hooks, shiftMs);
  } finally {
    spooled?.remove();
  }
}

/**
 * The sending side as a sink: `add` each request in clock order (await it: that is the
 * backpressure), then `end`. This is what a pipeline Consumer wraps (request event -> add,
 * end event -> end); sendAll drives it from an iterable.
 */
export class SendSink {
  readonly sender: Sender;
  private readonly batcher: Batcher;

  constructor(cfg: SendConfig, creds: Credentials, hooks: RunHooks, shiftMs: number) {
    this.batcher = new Batcher({
      protocol: cfg.protocol,
      maxSamplesPerSend: cfg.maxSamplesPerSend,
      shiftMs,
      keepHeaders: cfg.keepHeaders,
      defaultTenant: cfg.tenant,
    });
    const client = hooks.client ?? new HttpClient({ url: cfg.url, concurrency: cfg.concurrency, timeoutMs: cfg.timeoutMs, tls: creds.tls });
    this.sender = new Sender({
      client,
      userAgent: hooks.userAgent,
      authorization: creds.authorization,
      secrets: creds.secrets,
      retries: cfg.retries,
      minBackoffMs: cfg.minBackoffMs,
      maxBackoffMs: cfg.maxBackoffMs,
      concurrency: cfg.concurrency,
      speed: cfg.speed,
      clock: hooks.clock,
      onRefused: hooks.onRefused,
    });
    hooks.onSender?.(this.sender);
  }

  /** True once the sender stops (a signal): the caller reads no more. */
  get stopping(): boolean {
    return this.sender.isStopping;
  }

  /** Batch and dispatch one request; resolves once what it completed is on its way. */
  async add(src: SourceRequest): Promise<void> {
    for (const post of this.batcher.add(src)) await this.sender.submit(post);
  }

  /** Send the open batch (unless stopping), wait for every answer, and report. */
  async end(): Promise<SendReport> {
    if (!this.sender.isStopping) for (const post of this.batcher.flush()) await this.sender.submit(post);
    return this.sender.finish();
  }
}

/** Post every request of `source`, then report. */
export async function sendAll(source: AsyncIterable<SourceRequest>, cfg: SendConfig, creds: Credentials, hooks: RunHooks, shiftMs: number): Promise<RunResult> {
  const sink = new SendSink(cfg, creds, hooks, shiftMs);
  let failure: HaDedupError | null = null;
  try {
    for await (const src of source) {
      if (sink.stopping) break;
      await sink.add(src);
    }
  } catch (e) {
    if (!(e instanceof HaDedupError)) {
      sink.sender.abort();
      await sink.sender.finish().catch(() => undefined);
      throw e;
    }
    failure = e;
    sink.sender.stop();
  }
  const report = await sink.end();
  return { report, sender: sink.sender, failure };
}
