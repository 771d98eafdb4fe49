// `--sort` (issue 12.8): every record of every input in clock order before the replay, for inputs
// that are not a stream of requests in time order (a VictoriaMetrics /api/v1/export, where one
// line holds a series' whole history; an NDJSON dump sorted by series). An external sort through
// a temporary on-disk SQLite table (src/store/spill.ts): memory stays bounded by the table's page
// cache, whatever the input size.
//
// Requests (rwcap, rwcap-json, a remote-write body, ndjson lines that share a received_at_ms) are
// sorted whole by their record time. The one-sample-per-line formats (ndjson lines without a
// received_at_ms, vm-json lines) hold no real batching: their samples are regrouped into one
// request per (input, tenant, series' HA cluster and replica, timestamp), ordered by that
// timestamp (+ --delay). Ties keep input order; groups at one time go in key order.
import type { InputFormat, Label, Request, TimeSeries, WriteRequest } from '../model/index.js';
import { labelsKey } from '../model/index.js';
import type { ClockOptions } from '../clock/clock.js';
import { RecordSpill } from '../store/spill.js';
import { SPILL_WRITE, decodeSpilledWrite } from '../wire/spillcodec.js';
import { encodeWriteRequest } from '../wire/prompb.js';
import { fromSpillRow, spillRow, timeInput, type OrderOptions, type TimedRequest } from './inputs.js';

export interface SortOptions extends OrderOptions {
  /** The input's format once known (regrouping is for ndjson and vm-json). */
  formatOf(inputIndex: number): InputFormat | 'unknown';
  /** The HA label names of a tenant (null: the record carries none, the default tenant's). */
  haLabels(tenant: string | null): { cluster: string; replica: string };
}

/** Arrival order across inputs: input i's records after input i-1's at one time. */
const INPUT_STRIDE = 2 ** 40;

function labelValue(labels: readonly Label[], name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}

function regroupable(req: Request, format: InputFormat | 'unknown'): boolean {
  if (format !== 'ndjson' && format !== 'vm-json') return false;
  if (req.receivedAtMs !== null || req.captured !== undefined || req.write.metadata.length > 0) return false;
  let samples = 0;
  for (const ts of req.write.timeseries) {
    if (ts.exemplars.length > 0) return false;
    samples += ts.samples.length + ts.histograms.length;
  }
  return samples > 0;
}

/**
 * Read every input to the end into the spill, then yield its records in clock order. Bad records
 * are all met (and reported) before the first request is yielded.
 */
export async function* sortInputs(inputs: AsyncIterable<Request>[], clock: ClockOptions, opts: SortOptions): AsyncGenerator<TimedRequest> {
  const spill = new RecordSpill();
  try {
    for (let i = 0; i < inputs.length; i++) {
      let n = 0;
      for await (const { request, timeMs } of timeInput(inputs[i]!, clock, opts)) {
        const seq = i * INPUT_STRIDE + n;
        if (!regroupable(request, opts.formatOf(i))) {
          spill.add(spillRow(request, timeMs, '', seq, opts.sizes));
          n++;
          continue;
        }
        // one row per sample: a single-series request each, grouped by (input, tenant, cluster, replica)
        const sz = opts.sizes?.take(request);
        let first = true;
        const names = opts.haLabels(request.tenant);
        for (const ts of request.write.timeseries) {
          const group = `${String(i).padStart(6, '0')}\u0000${request.tenant ?? ''}\u0000${labelValue(ts.labels, names.cluster)}\u0000${labelValue(ts.labels, names.replica)}`;
          const one = (part: Pick<TimeSeries, 'samples' | 'histograms'>, t: number) => {
            const write: WriteRequest = { timeseries: [{ labels: ts.labels, samples: part.samples, exemplars: [], histograms: part.histograms }], metadata: [] };
            spill.add({
              time: t + clock.delayMs,
              group,
              seq: i * INPUT_STRIDE + n++,
              inputIndex: i,
              recordIndex: request.recordIndex,
              offset: request.offset,
              tenant: request.tenant,
              receivedAtMs: null,
              kind: SPILL_WRITE,
              wireBytes: first ? (sz?.[0] ?? 0) : 0,
              decodedBytes: first ? (sz?.[1] ?? 0) : 0,
              data: encodeWriteRequest(write),
            });
            first = false;
          };
          for (const s of ts.samples) one({ samples: [s], histograms: [] }, s.timestamp);
          for (const h of ts.histograms) one({ samples: [], histograms: [h] }, h.timestamp);
        }
      }
    }
    yield* regrouped(spill, opts);
  } finally {
    spill.close();
  }
}

/** The spill's rows in order; consecutive rows of one (time, group) become one request. */
function* regrouped(spill: RecordSpill, opts: SortOptions): Generator<TimedRequest> {
  let cur: { req: Request; time: number; group: string; lastKey: string; wire: number; decoded: number } | null = null;
  const done = (c: NonNullable<typeof cur>): TimedRequest => {
    opts.sizes?.put(c.req, c.wire, c.decoded);
    return { request: c.req, timeMs: c.time };
  };
  for (const row of spill.sorted()) {
    if (row.group === '') {
      if (cur !== null) {
        yield done(cur);
        cur = null;
      }
      yield { request: fromSpillRow(row, opts), timeMs: row.time };
      continue;
    }
    const ts = decodeSpilledWrite(row.data).timeseries[0]!;
    const key = labelsKey(ts.labels);
    if (cur !== null && (cur.time !== row.time || cur.group !== row.group)) {
      yield done(cur);
      cur = null;
    }
    if (cur === null) {
      const req: Request = { inputIndex: row.inputIndex, recordIndex: row.recordIndex, offset: row.offset, tenant: row.tenant, receivedAtMs: null, write: { timeseries: [ts], metadata: [] } };
      cur = { req, time: row.time, group: row.group, lastKey: key, wire: row.wireBytes, decoded: row.decodedBytes };
      continue;
    }
    cur.wire += row.wireBytes;
    cur.decoded += row.decodedBytes;
    const series = cur.req.write.timeseries;
    if (cur.lastKey === key) {
      const last = series[series.length - 1]!;
      last.samples.push(...ts.samples);
      last.histograms.push(...ts.histograms);
    } else {
      series.push(ts);
      cur.lastKey = key;
    }
  }
  if (cur !== null) yield done(cur);
}
