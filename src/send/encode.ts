// Bodies of the requests send posts: a WriteRequest encoded as Remote-Write 1.0 or 2.0 and
// snappy-compressed (the wire layer's encoders), timestamps moved by --shift-to-now, and the
// counts of a request. Pure: no I/O, no clock.
import type { Histogram, RemoteWriteVersion, TimeSeries, WriteRequest } from '../model/index.js';
import { encodeWriteRequest } from '../wire/prompb.js';
import { encodeWriteRequestV2 } from '../wire/rw2.js';
import { snappyCompress } from '../wire/snappy.js';
import type { Counts } from './types.js';

/** Snappy-compressed protobuf of `write` in `protocol`. */
export function encodeBody(write: WriteRequest, protocol: RemoteWriteVersion): Uint8Array {
  return snappyCompress(protocol === 'rw2' ? encodeWriteRequestV2(write) : encodeWriteRequest(write));
}

export function countWrite(write: WriteRequest): Counts {
  const c: Counts = { samples: 0, histograms: 0, exemplars: 0 };
  for (const ts of write.timeseries) {
    c.samples += ts.samples.length;
    c.histograms += ts.histograms.length;
    c.exemplars += ts.exemplars.length;
  }
  return c;
}

/**
 * A copy of `write` with every sample, histogram and exemplar timestamp moved by `shiftMs`
 * (labels, values and metadata shared, never mutated). `write` itself is returned for 0.
 */
export function shiftWrite(write: WriteRequest, shiftMs: number): WriteRequest {
  if (shiftMs === 0) return write;
  return {
    timeseries: write.timeseries.map((ts) => shiftSeries(ts, shiftMs)),
    metadata: write.metadata,
  };
}

function shiftSeries(ts: TimeSeries, d: number): TimeSeries {
  return {
    labels: ts.labels,
    samples: ts.samples.map((s) => ({ value: s.value, timestamp: s.timestamp + d })),
    histograms: ts.histograms.map((h): Histogram => ({ ...h, timestamp: h.timestamp + d })),
    exemplars: ts.exemplars.map((e) => ({ labels: e.labels, value: e.value, timestamp: e.timestamp + d })),
  };
}

/** Largest sample or histogram timestamp of `write` (its "last sample"), or null when it has none. */
export function newestTimestamp(write: WriteRequest): number | null {
  let max = -Infinity;
  for (const ts of write.timeseries) {
    for (const s of ts.samples) if (s.timestamp > max) max = s.timestamp;
    for (const h of ts.histograms) if (h.timestamp > max) max = h.timestamp;
  }
  return max === -Infinity ? null : max;
}
