// From input requests to the requests send posts (pure: no I/O, no clock).
//
// - A recorded request (rwcap, rwcap-json, remote-write) is posted on its own, as it was: its
//   body byte for byte when the protocol stays and no timestamp moves, else re-encoded from the
//   decoded request (RW 1.0 <-> 2.0, --shift-to-now).
// - Sample formats (ndjson, vm-json), which have no request bodies, are batched as Prometheus
//   batches: consecutive requests of one tenant and one input are put together into requests of
//   at most --max-samples-per-send samples (floats + histograms), a series split across two
//   requests when it does not fit; a batch is closed when full, when the tenant or input
//   changes, when a recorded request comes, or when the next request's clock time is
//   BATCH_DEADLINE_MS or more after the batch's first (Prometheus's batch_send_deadline).
//   Exemplars go with the first part of their series; metadata with the request it came in.
import type { Metadata, RemoteWriteVersion, TimeSeries } from '../model/index.js';
import { snappyCompress } from '../wire/snappy.js';
import { countWrite, encodeBody, shiftWrite } from './encode.js';
import { keptRecordedHeaders } from './headers.js';
import type { Counts, Origin, Post, SourceRequest } from './types.js';

/** Prometheus's queue_config default (the default --max-samples-per-send is in src/cli/sendoptions.ts). */
export const BATCH_DEADLINE_MS = 5000;

export interface BatchOptions {
  /** --protocol: 'recorded' keeps each capture's protocol (sample formats: 1.0). */
  protocol: RemoteWriteVersion | 'recorded';
  maxSamplesPerSend: number;
  /** --shift-to-now: added to every timestamp (0: none). */
  shiftMs: number;
  /** --keep-headers */
  keepHeaders: boolean;
  /** --tenant: for requests whose record carries none; null: no X-Scope-OrgID. */
  defaultTenant: string | null;
}

interface OpenBatch {
  tenant: string | null;
  input: string;
  unit: 'record' | 'line';
  firstRecord: number;
  lastRecord: number;
  firstTimeMs: number;
  lastTimeMs: number;
  series: TimeSeries[];
  metadata: Metadata[];
  samples: number;
}

export class Batcher {
  private nextIndex = 0;
  private open: OpenBatch | null = null;

  constructor(private readonly opts: BatchOptions) {
    if (!(opts.maxSamplesPerSend >= 1)) throw new RangeError('maxSamplesPerSend must be at least 1');
  }

  /** Posts completed by `src` (possibly none: a sample-format request may wait in the open batch). */
  add(src: SourceRequest): Post[] {
    const out: Post[] = [];
    const tenant = src.tenant ?? this.opts.defaultTenant;
    if (src.protocol !== null) {
      this.close(out);
      out.push(this.recorded(src, tenant, src.protocol));
      return out;
    }
    const o = this.open;
    if (o !== null && (o.tenant !== tenant || o.input !== src.origin.input || src.timeMs - o.firstTimeMs >= BATCH_DEADLINE_MS)) this.close(out);
    this.extend(src, tenant);
    for (const ts of src.write.timeseries) this.addSeries(ts, src, tenant, out);
    if (src.write.metadata.length > 0) {
      if (this.open === null) this.extend(src, tenant);
      this.open!.metadata.push(...src.write.metadata);
    }
    return out;
  }

  /** The open batch, if any (after the last request). */
  flush(): Post[] {
    const out: Post[] = [];
    this.close(out);
    return out;
  }

  private target(recorded: RemoteWriteVersion | null): RemoteWriteVersion {
    return this.opts.protocol === 'recorded' ? (recorded ?? 'rw1') : this.opts.protocol;
  }

  private recorded(src: SourceRequest, tenant: string | null, recorded: RemoteWriteVersion): Post {
    const protocol = this.target(recorded);
    let body: Uint8Array;
    let asRecorded = false;
    if (src.body !== null && protocol === recorded && this.opts.shiftMs === 0) {
      // the recorded bytes: as they are when snappy, else the recorded protobuf compressed
      const snappy = src.body.encoding.trim().toLowerCase() === 'snappy';
      body = snappy ? src.body.bytes : snappyCompress(src.body.bytes);
      asRecorded = snappy;
    } else {
      body = encodeBody(shiftWrite(src.write, this.opts.shiftMs), protocol);
    }
    return {
      index: this.nextIndex++,
      tenant,
      protocol,
      body,
      asRecorded,
      counts: src.counts ?? countWrite(src.write),
      timeMs: src.timeMs,
      headers: this.opts.keepHeaders ? keptRecordedHeaders(src.headers) : {},
      origin: { ...src.origin },
    };
  }

  /** Open a batch for `src` if none is open, else take its record and time into the open one. */
  private extend(src: SourceRequest, tenant: string | null): void {
    const o = this.open;
    if (o === null) {
      this.open = {
        tenant,
        input: src.origin.input,
        unit: src.origin.unit,
        firstRecord: src.origin.first,
        lastRecord: src.origin.last,
        firstTimeMs: src.timeMs,
        lastTimeMs: src.timeMs,
        series: [],
        metadata: [],
        samples: 0,
      };
      return;
    }
    o.lastRecord = src.origin.last;
    if (src.timeMs > o.lastTimeMs) o.lastTimeMs = src.timeMs;
  }

  private addSeries(ts: TimeSeries, src: SourceRequest, tenant: string | null, out: Post[]): void {
    const max = this.opts.maxSamplesPerSend;
    const nf = ts.samples.length;
    const nh = ts.histograms.length;
    if (this.open === null) this.extend(src, tenant);
    let o = this.open!;
    if (nf + nh <= max - o.samples) {
      o.series.push(ts);
      o.samples += nf + nh;
      if (o.samples >= max) this.close(out);
      return;
    }
    // split: floats first, then histograms, in order; exemplars with the first part
    let f = 0;
    let h = 0;
    let first = true;
    while (f < nf || h < nh) {
      if (this.open === null) this.extend(src, tenant);
      o = this.open!;
      const room = max - o.samples;
      const takeF = Math.min(room, nf - f);
      const takeH = Math.min(room - takeF, nh - h);
      o.series.push({
        labels: ts.labels,
        samples: ts.samples.slice(f, f + takeF),
        histograms: ts.histograms.slice(h, h + takeH),
        exemplars: first ? ts.exemplars : [],
      });
      first = false;
      f += takeF;
      h += takeH;
      o.samples += takeF + takeH;
      if (o.samples >= max) this.close(out);
    }
  }

  private close(out: Post[]): void {
    const o = this.open;
    if (o === null) return;
    this.open = null;
    if (o.series.length === 0 && o.metadata.length === 0) return; // nothing to send
    const write = { timeseries: o.series, metadata: o.metadata };
    const protocol = this.target(null);
    const counts: Counts = countWrite(write);
    const origin: Origin = { input: o.input, unit: o.unit, first: o.firstRecord, last: o.lastRecord };
    out.push({
      index: this.nextIndex++,
      tenant: o.tenant,
      protocol,
      body: encodeBody(shiftWrite(write, this.opts.shiftMs), protocol),
      asRecorded: false,
      counts,
      timeMs: o.lastTimeMs,
      headers: {},
      origin,
    });
  }
}
