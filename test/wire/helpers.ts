// Shared builders for wire tests.
import type { Histogram, TimeSeries, WriteRequest } from '../../src/model/index.js';
import { STALE_NAN } from '../../src/model/index.js';

/** Raw 64-bit pattern of a double as a hex string (big-endian), to compare NaN payloads. */
export function bits(x: number): string {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, false);
  return v.getUint32(0).toString(16).padStart(8, '0') + v.getUint32(4).toString(16).padStart(8, '0');
}

export const STALE_BITS = '7ff0000000000002';
export const NORMAL_NAN_BITS = '7ff8000000000001';

export function intHistogram(ts: number): Histogram {
  return {
    isFloat: false,
    count: 12,
    zeroCount: 2,
    sum: STALE_NAN, // a stale native histogram: Prometheus marks it in the sum
    schema: 1,
    zeroThreshold: 0.001,
    negativeSpans: [{ offset: 0, length: 1 }],
    negativeDeltas: [1],
    negativeCounts: [],
    positiveSpans: [{ offset: -2, length: 2 }, { offset: 1, length: 2 }],
    positiveDeltas: [1, 2, -1, -3],
    positiveCounts: [],
    resetHint: 'no',
    timestamp: ts,
    customValues: [],
  };
}

export function floatHistogram(ts: number): Histogram {
  return {
    isFloat: true,
    count: 30.5,
    zeroCount: 0.5,
    sum: Infinity,
    schema: -53,
    zeroThreshold: 0,
    negativeSpans: [],
    negativeDeltas: [],
    negativeCounts: [],
    positiveSpans: [{ offset: 0, length: 3 }],
    positiveDeltas: [],
    positiveCounts: [10, 0.5, 20],
    resetHint: 'gauge',
    timestamp: ts,
    customValues: [0.1, 1, 10],
  };
}

/** A request using every RW 1.0 field and every special value. */
export function richRequest(): WriteRequest {
  const base = 1764010523000;
  const s1: TimeSeries = {
    labels: [
      { name: '__name__', value: 'up' },
      { name: '__replica__', value: 'replica1' },
      { name: 'cluster', value: 'dev-pair' },
      { name: 'job', value: 'node' },
    ],
    samples: [
      { value: 1, timestamp: base },
      { value: NaN, timestamp: base + 1 },
      { value: STALE_NAN, timestamp: base + 2 },
      { value: Infinity, timestamp: base + 3 },
      { value: -Infinity, timestamp: base + 4 },
      { value: -0.5, timestamp: base + 5 },
      { value: 0, timestamp: base + 6 },
      { value: 1e308, timestamp: -1000 },
    ],
    exemplars: [{ labels: [{ name: 'trace_id', value: 'abc123' }], value: 0.25, timestamp: base }],
    histograms: [],
  };
  const s2: TimeSeries = {
    labels: [
      { name: '__name__', value: 'req_duration_seconds' },
      { name: 'cluster', value: 'dev-pair' },
      { name: 'héllo', value: 'wörld ✓' },
    ],
    samples: [],
    exemplars: [],
    histograms: [intHistogram(base), floatHistogram(base + 5000)],
  };
  return {
    timeseries: [s1, s2],
    metadata: [
      { type: 'counter', metricFamilyName: 'x_total', help: 'Total of x.', unit: '' },
      { type: 'gaugehistogram', metricFamilyName: 'y', help: '', unit: 'seconds' },
    ],
  };
}

import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BadRecord, Request } from '../../src/model/index.js';
import { openInput, type ReadOptions } from '../../src/pipeline/inputs.js';

/** A Writable that collects everything written. */
export function collector(): { sink: Writable; bytes(): Buffer; text(): string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks), text: () => Buffer.concat(chunks).toString('utf8') };
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(): { dir: string; file(name: string, data?: string | Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-wire-'));
  return {
    dir,
    file(name, data) {
      const p = join(dir, name);
      if (data !== undefined) writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Read a whole input with openInput; returns requests, bad records and the detected format. */
export async function readAll(path: string, opts: Partial<ReadOptions> = {}): Promise<{ reqs: Request[]; bad: BadRecord[]; format: string | null }> {
  const bad: BadRecord[] = [];
  let format: string | null = null;
  const reqs: Request[] = [];
  for await (const r of openInput(path, 0, {
    format: 'auto',
    maxDecodedSize: 64 * 1024 * 1024,
    strict: false,
    onBadRecord: (b) => bad.push(b),
    onFormat: (f) => (format = f),
    ...opts,
  })) {
    reqs.push(r);
  }
  return { reqs, bad, format };
}
