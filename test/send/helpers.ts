// Shared by the send tests: source requests, a fake HTTP client and a fake clock.
import type { Label, TimeSeries, WriteRequest } from '../../src/model/index.js';
import type { Answer, PostClient, SendClock, SourceRequest } from '../../src/send/index.js';
import { NoAnswer } from '../../src/send/index.js';
import { snappyDecompress } from '../../src/wire/snappy.js';
import { decodeWriteRequest } from '../../src/wire/prompb.js';
import { decodeWriteRequestV2 } from '../../src/wire/rw2.js';

export function labels(obj: Record<string, string>): Label[] {
  return Object.entries(obj).map(([name, value]) => ({ name, value }));
}

/** A series with float samples at `ts` (value = index). */
export function series(name: string, ts: number[], extra: Record<string, string> = {}): TimeSeries {
  return { labels: labels({ __name__: name, ...extra }), samples: ts.map((t, i) => ({ timestamp: t, value: i })), exemplars: [], histograms: [] };
}

/** A sample-format request (ndjson / vm-json). */
export function sampleSource(write: WriteRequest, opts: Partial<SourceRequest> = {}): SourceRequest {
  return {
    tenant: null,
    timeMs: 1000,
    protocol: null,
    write,
    body: null,
    headers: {},
    origin: { input: 'in.ndjson', unit: 'line', first: 1, last: 1 },
    ...opts,
  };
}

/** The decoded body of a post (snappy, then 1.0 or 2.0). */
export function decodePost(body: Uint8Array, protocol: 'rw1' | 'rw2'): WriteRequest {
  const raw = snappyDecompress(body);
  return protocol === 'rw2' ? decodeWriteRequestV2(raw) : decodeWriteRequest(raw);
}

/** [labels-json, timestamp, value bits] of every float sample, in order. */
export function flatSamples(w: WriteRequest): [string, number, string][] {
  const out: [string, number, string][] = [];
  const dv = new DataView(new ArrayBuffer(8));
  for (const ts of w.timeseries) {
    const key = JSON.stringify([...ts.labels].sort((a, b) => (a.name < b.name ? -1 : 1)));
    for (const s of ts.samples) {
      dv.setFloat64(0, s.value);
      out.push([key, s.timestamp, dv.getBigUint64(0).toString(16)]);
    }
  }
  return out;
}

/** A fake clock: sleeping moves time on at once; every wait is recorded. */
export class FakeClock implements SendClock {
  waits: number[] = [];
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.t += ms;
  }
}

export interface Call {
  headers: Record<string, string>;
  body: Uint8Array;
  at: number;
}

/**
 * A fake HTTP client: `answer(callNumber, call)` gives the answer (or a NoAnswer to throw);
 * `hold` makes every post wait until release() (to see what is in flight).
 */
export class FakeClient implements PostClient {
  calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  aborted = 0;
  closed = false;
  private held: (() => void)[] = [];
  constructor(
    private readonly answer: (n: number, call: Call) => Answer | NoAnswer,
    private readonly clock: { now(): number } = { now: () => 0 },
    public hold = false,
  ) {}
  async post(headers: Record<string, string>, body: Uint8Array): Promise<Answer> {
    const call = { headers, body, at: this.clock.now() };
    const n = this.calls.push(call) - 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((r) => this.held.push(r));
      else await Promise.resolve();
      const a = this.answer(n, call);
      if (a instanceof NoAnswer) throw a;
      return a;
    } finally {
      this.inFlight--;
    }
  }
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
  abortAll(): void {
    this.aborted++;
  }
  close(): void {
    this.closed = true;
  }
}

export const OK: Answer = { status: 204, headers: {}, message: '' };
export const answer = (status: number, message = '', headers: Answer['headers'] = {}): Answer => ({ status, headers, message });
