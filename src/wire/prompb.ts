// Remote-Write 1.0 `prometheus.WriteRequest`, hand-written over the bytes (no reflection).
// Field numbers (prometheus/prometheus prompb/remote.proto and types.proto):
//
//   WriteRequest   { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
//   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2;
//                    repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
//   Label          { string name = 1; string value = 2; }
//   Sample         { double value = 1; int64 timestamp = 2; }
//   Exemplar       { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
//   Histogram      { oneof count { uint64 count_int = 1; double count_float = 2; } double sum = 3;
//                    sint32 schema = 4; double zero_threshold = 5;
//                    oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
//                    repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9;
//                    repeated double negative_counts = 10; repeated BucketSpan positive_spans = 11;
//                    repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
//                    ResetHint reset_hint = 14; int64 timestamp = 15; repeated double custom_values = 16; }
//   BucketSpan     { sint32 offset = 1; uint32 length = 2; }
//   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
//
// Float values keep their exact bits for the stale marker (see model/values.ts).
import type {
  BucketSpan,
  Exemplar,
  Histogram,
  Label,
  Metadata,
  MetricType,
  ResetHint,
  Sample,
  TimeSeries,
  WriteRequest,
} from '../model/index.js';
import { STALE_NAN, writeFloat64LE } from '../model/index.js';
import { WireError } from './errors.js';
import { PbReader, fieldBits, skipUnknown } from './pbreader.js';
import { PbWriter } from './pbwriter.js';
import { StringInterner, decodeUtf8 } from './utf8.js';
import { ByteKeyCache } from './labelcache.js';
import type { SeriesRegistry } from './series.js';

export const METRIC_TYPES: readonly MetricType[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];
export const RESET_HINTS: readonly ResetHint[] = ['unknown', 'yes', 'no', 'gauge'];

const interner = new StringInterner();

// The fields each message knows: one of them with another wire type is an error (skipUnknown).
const LABEL_FIELDS = fieldBits(1, 2);
const SAMPLE_FIELDS = fieldBits(1, 2);
const EXEMPLAR_FIELDS = fieldBits(1, 2, 3);
const SPAN_FIELDS = fieldBits(1, 2);
const SERIES_FIELDS = fieldBits(1, 2, 3, 4);
const METADATA_FIELDS = fieldBits(1, 2, 4, 5);
const REQUEST_FIELDS = fieldBits(1, 3);

/** A known field with another wire type than its own (Prometheus's decoder refuses it too). */
export function wrongWireType(msg: string, field: number, wt: number): WireError {
  return new WireError(`protobuf: ${msg} field ${field} has wrong wire type ${wt}`);
}

/** Read a double at r.pos keeping the stale marker (STALE_NAN) apart from other NaNs. */
export function readDouble(r: PbReader): number {
  const p = r.pos;
  if (p + 8 > r.end) throw new WireError('protobuf: truncated message');
  r.pos = p + 8;
  const x = r.view.getFloat64(p, true);
  if (x === x) return x;
  return r.view.getUint32(p, true) === 2 && r.view.getUint32(p + 4, true) === 0x7ff00000 ? STALE_NAN : NaN;
}

/** Decode labels shared by series and exemplars; checks empty and duplicate names. */
function checkLabels(labels: Label[], what: string): void {
  const n = labels.length;
  for (let i = 0; i < n; i++) if (labels[i]!.name === '') throw new WireError(`empty label name in ${what}`);
  // sorted (the normal case) → strictly increasing names means no duplicates
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (!(labels[i - 1]!.name < labels[i]!.name)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name = labels[i]!.name;
    if (seen.has(name)) throw new WireError(`duplicate label name "${name}" in ${what}`);
    seen.add(name);
  }
}

function decodeLabel(r: PbReader, end: number, out: Label[], interner: StringInterner): void {
  const buf = r.buf;
  let name = '';
  let value = '';
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const s = r.delimited();
      name = interner.decode(buf, s, r.fieldEnd, 'label name');
    } else if (tag === 18) {
      const s = r.delimited();
      value = interner.decode(buf, s, r.fieldEnd, 'label value');
    } else skipUnknown(r, tag, LABEL_FIELDS, 'Label');
  }
  r.end = saveEnd;
  out.push({ name, value });
}

function decodeSample(r: PbReader, end: number): Sample {
  let value = 0;
  let timestamp = 0;
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 9) value = readDouble(r);
    else if (tag === 16) timestamp = r.time('sample timestamp');
    else skipUnknown(r, tag, SAMPLE_FIELDS, 'Sample');
  }
  r.end = saveEnd;
  return { value, timestamp };
}

function decodeExemplar(r: PbReader, end: number): Exemplar {
  const labels: Label[] = [];
  let value = 0;
  let timestamp = 0;
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const s = r.delimited();
      r.pos = s;
      decodeLabel(r, r.fieldEnd, labels, interner);
    } else if (tag === 17) value = readDouble(r);
    else if (tag === 24) timestamp = r.time('exemplar timestamp');
    else skipUnknown(r, tag, EXEMPLAR_FIELDS, 'Exemplar');
  }
  r.end = saveEnd;
  checkLabels(labels, 'exemplar');
  return { labels, value, timestamp };
}

function decodeSpan(r: PbReader, end: number): BucketSpan {
  let offset = 0;
  let length = 0;
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) offset = r.sint64() | 0;
    else if (tag === 16) length = r.uint32();
    else skipUnknown(r, tag, SPAN_FIELDS, 'BucketSpan');
  }
  r.end = saveEnd;
  return { offset, length };
}

/** Repeated sint64, packed (wire type 2) or not (0). */
function readSints(r: PbReader, wt: number, out: number[]): void {
  if (wt === 0) {
    out.push(r.sint64());
    return;
  }
  if (wt !== 2) throw new WireError(`protobuf: bad wire type ${wt} for a repeated sint64`);
  const s = r.delimited();
  const e = r.fieldEnd;
  const saveEnd = r.end;
  r.pos = s;
  r.end = e;
  while (r.pos < e) out.push(r.sint64());
  r.end = saveEnd;
}

/** Repeated double, packed (wire type 2) or not (1). */
function readDoubles(r: PbReader, wt: number, out: number[]): void {
  if (wt === 1) {
    out.push(readDouble(r));
    return;
  }
  if (wt !== 2) throw new WireError(`protobuf: bad wire type ${wt} for a repeated double`);
  const s = r.delimited();
  const e = r.fieldEnd;
  if ((e - s) % 8 !== 0) throw new WireError('protobuf: packed doubles length is not a multiple of 8');
  const saveEnd = r.end;
  r.pos = s;
  r.end = e;
  while (r.pos < e) out.push(readDouble(r));
  r.end = saveEnd;
}

/** A histogram with every field at its default. */
export function emptyHistogram(): Histogram {
  return {
    isFloat: false,
    count: 0,
    zeroCount: 0,
    sum: 0,
    schema: 0,
    zeroThreshold: 0,
    negativeSpans: [],
    negativeDeltas: [],
    negativeCounts: [],
    positiveSpans: [],
    positiveDeltas: [],
    positiveCounts: [],
    resetHint: 'unknown',
    timestamp: 0,
    customValues: [],
  };
}

/** Decode one Histogram message body (same field numbers in RW 1.0 and 2.0). */
export function decodeHistogram(r: PbReader, end: number): Histogram {
  const h = emptyHistogram();
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const wt = tag & 7;
    switch (f) {
      case 1:
        if (wt !== 0) throw wrongWireType('Histogram', f, wt);
        h.count = r.uint64();
        continue;
      case 2:
        if (wt !== 1) throw wrongWireType('Histogram', f, wt);
        h.count = readDouble(r);
        h.isFloat = true;
        continue;
      case 3:
        if (wt !== 1) throw wrongWireType('Histogram', f, wt);
        h.sum = readDouble(r);
        continue;
      case 4:
        if (wt !== 0) throw wrongWireType('Histogram', f, wt);
        h.schema = r.sint64() | 0;
        continue;
      case 5:
        if (wt !== 1) throw wrongWireType('Histogram', f, wt);
        h.zeroThreshold = readDouble(r);
        continue;
      case 6:
        if (wt !== 0) throw wrongWireType('Histogram', f, wt);
        h.zeroCount = r.uint64();
        continue;
      case 7:
        if (wt !== 1) throw wrongWireType('Histogram', f, wt);
        h.zeroCount = readDouble(r);
        h.isFloat = true;
        continue;
      case 8:
      case 11: {
        if (wt !== 2) throw wrongWireType('Histogram', f, wt);
        const s = r.delimited();
        const e = r.fieldEnd;
        r.pos = s;
        (f === 8 ? h.negativeSpans : h.positiveSpans).push(decodeSpan(r, e));
        r.pos = e;
        continue;
      }
      case 9:
        readSints(r, wt, h.negativeDeltas);
        continue;
      case 10:
        readDoubles(r, wt, h.negativeCounts);
        h.isFloat = true;
        continue;
      case 12:
        readSints(r, wt, h.positiveDeltas);
        continue;
      case 13:
        readDoubles(r, wt, h.positiveCounts);
        h.isFloat = true;
        continue;
      case 14:
        if (wt !== 0) throw wrongWireType('Histogram', f, wt);
        h.resetHint = RESET_HINTS[r.uint32()] ?? 'unknown';
        continue;
      case 15:
        if (wt !== 0) throw wrongWireType('Histogram', f, wt);
        h.timestamp = r.time('histogram timestamp');
        continue;
      case 16:
        readDoubles(r, wt, h.customValues);
        continue;
      default:
        if (f === 0) throw new WireError('protobuf: field number 0 in Histogram');
        break;
    }
    r.skip(wt);
  }
  r.end = saveEnd;
  return h;
}

/**
 * Decoded label sets keyed by the exact bytes of a series' label fields (see labelcache.ts).
 * The cached Label[] arrays are shared between decoded requests: treat labels as immutable.
 */
const labelSetCache = new ByteKeyCache<Label[]>();

/** Decoded metadata entries by their bytes: senders repeat the same entries every minute. */
const metadataCache = new ByteKeyCache<Metadata>(20_000);

function decodeTimeSeries(r: PbReader, end: number): TimeSeries {
  let labels: Label[] | undefined;
  let multiRun = false;
  // one sample per series is the usual case (Prometheus sends one per series per request): it
  // gets an array of exactly one, not one grown by push (~100 bytes more, per series per request)
  let first: Sample | undefined;
  let samples: Sample[] | undefined;
  let exemplars: Exemplar[] | undefined;
  let histograms: Histogram[] | undefined;
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tagPos = r.pos;
    const tag = r.uint32();
    if (tag === 18) {
      const s = r.delimited();
      const e = r.fieldEnd;
      r.pos = s;
      const smp = decodeSample(r, e);
      if (first === undefined) first = smp;
      else (samples ??= [first]).push(smp);
      r.pos = e;
    } else if (tag === 10) {
      // a run of consecutive label fields: look the whole run up in the label-set cache; the
      // usual case (the series that followed the previous one last time) skips the scan
      if (labels === undefined) {
        const guessed = labelSetCache.guessRun(r.view, tagPos, end, 10);
        if (guessed !== undefined) {
          labels = guessed;
          r.pos = tagPos + labelSetCache.runLength;
          continue;
        }
      }
      r.delimited();
      let runEnd = r.pos;
      while (runEnd < end && r.buf[runEnd] === 10) {
        r.pos = runEnd + 1;
        r.delimited();
        runEnd = r.pos;
      }
      const cached = labels === undefined ? labelSetCache.lookup(r.view, tagPos, runEnd) : undefined;
      if (cached !== undefined) {
        labels = cached;
      } else {
        const fresh: Label[] = labels === undefined ? [] : labels.slice();
        r.pos = tagPos;
        while (r.pos < runEnd) {
          r.uint32();
          const s = r.delimited();
          const e = r.fieldEnd;
          r.pos = s;
          decodeLabel(r, e, fresh, interner);
        }
        if (labels === undefined) {
          checkLabels(fresh, 'series');
          // a copy of exactly its length: the array lives as long as the series (push over-allocates)
          labels = fresh.slice();
          labelSetCache.insert(r.buf, tagPos, runEnd, labels);
        } else {
          multiRun = true;
          labels = fresh;
        }
      }
      r.pos = runEnd;
    } else if (tag === 26 || tag === 34) {
      const s = r.delimited();
      const e = r.fieldEnd;
      r.pos = s;
      if (tag === 26) (exemplars ??= []).push(decodeExemplar(r, e));
      else (histograms ??= []).push(decodeHistogram(r, e));
      r.pos = e;
    } else skipUnknown(r, tag, SERIES_FIELDS, 'TimeSeries');
  }
  r.end = saveEnd;
  labels ??= [];
  if (multiRun) checkLabels(labels, 'series');
  return {
    labels,
    samples: samples ?? (first === undefined ? ([] as Sample[]) : [first]),
    exemplars: exemplars ?? NO_EXEMPLARS,
    histograms: histograms ?? NO_HISTOGRAMS,
  };
}

/** Shared by every decoded series without exemplars / histograms (frozen: never mutate). */
const NO_EXEMPLARS = Object.freeze([]) as unknown as Exemplar[];
const NO_HISTOGRAMS = Object.freeze([]) as unknown as Histogram[];

function decodeMetadata(r: PbReader, end: number): Metadata {
  const md: Metadata = { type: 'unknown', metricFamilyName: '', help: '', unit: '' };
  const buf = r.buf;
  const saveEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) md.type = METRIC_TYPES[r.uint32()] ?? 'unknown';
    else if (tag === 18) {
      const s = r.delimited();
      md.metricFamilyName = interner.decode(buf, s, r.fieldEnd, 'metadata');
    } else if (tag === 34) {
      const s = r.delimited();
      md.help = decodeUtf8(buf, s, r.fieldEnd, 'metadata help');
    } else if (tag === 42) {
      const s = r.delimited();
      md.unit = decodeUtf8(buf, s, r.fieldEnd, 'metadata unit');
    } else skipUnknown(r, tag, METADATA_FIELDS, 'MetricMetadata');
  }
  r.end = saveEnd;
  return md;
}

/** Decode a (decompressed) Remote-Write 1.0 WriteRequest. Throws WireError with a reason. */
export function decodeWriteRequest(bytes: Uint8Array): WriteRequest {
  const r = new PbReader(bytes);
  const timeseries: TimeSeries[] = [];
  const metadata: Metadata[] = [];
  let v2Fields = false;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 10) {
      const s = r.delimited();
      const e = r.fieldEnd;
      r.pos = s;
      timeseries.push(decodeTimeSeries(r, e));
      r.pos = e;
    } else if (tag === 26) {
      const s = r.delimited();
      const e = r.fieldEnd;
      let md = metadataCache.lookup(r.view, s, e);
      if (md === undefined) {
        r.pos = s;
        md = decodeMetadata(r, e);
        metadataCache.insert(r.buf, s, e, md);
      }
      metadata.push(md);
      r.pos = e;
    } else {
      const f = tag >>> 3;
      if ((f === 4 || f === 5) && (tag & 7) === 2) v2Fields = true;
      skipUnknown(r, tag, REQUEST_FIELDS, 'WriteRequest');
    }
  }
  if (v2Fields && timeseries.length === 0 && metadata.length === 0) {
    throw new WireError('remote-write 1.0 request with no series but the symbols and series fields (4, 5) of a 2.0 request: a 2.0 body read as 1.0? (check the content type, or --format remote-write2)');
  }
  return { timeseries, metadata };
}

// ---- encoding ----

/** A double field (fixed64) with its tag; NaN bits are written exactly (values.ts). */
export function writeDoubleField(w: PbWriter, tag: number, x: number): void {
  w.uvarint(tag);
  w.ensure(8);
  writeFloat64LE(w.view, w.pos, x);
  w.pos += 8;
}

/** A double field is omitted (proto3 default) only for +0.0; -0.0 and NaNs keep their bits. */
export function isPositiveZero(x: number): boolean {
  return x === 0 && 1 / x > 0;
}

export function writeLabels(w: PbWriter, field: number, labels: readonly Label[]): void {
  const tag = (field << 3) | 2;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    w.uvarint(tag);
    const m = w.beginMessage();
    if (l.name !== '') {
      w.buf[w.pos++] = 10;
      w.string(l.name);
    }
    if (l.value !== '') {
      w.ensure(1);
      w.buf[w.pos++] = 18;
      w.string(l.value);
    }
    w.endMessage(m);
  }
}

function writePackedDoubles(w: PbWriter, field: number, xs: readonly number[]): void {
  if (xs.length === 0) return;
  w.tag(field, 2);
  w.uvarint(xs.length * 8);
  w.ensure(xs.length * 8);
  for (const x of xs) {
    writeFloat64LE(w.view, w.pos, x);
    w.pos += 8;
  }
}

function writePackedSints(w: PbWriter, field: number, xs: readonly number[]): void {
  if (xs.length === 0) return;
  w.tag(field, 2);
  const m = w.beginMessage();
  for (const x of xs) w.sint(x);
  w.endMessage(m);
}

function writeSpans(w: PbWriter, field: number, spans: readonly BucketSpan[]): void {
  for (const s of spans) {
    w.tag(field, 2);
    const m = w.beginMessage();
    if (s.offset !== 0) {
      w.tag(1, 0);
      w.sint(s.offset);
    }
    if (s.length !== 0) {
      w.tag(2, 0);
      w.uvarint(s.length);
    }
    w.endMessage(m);
  }
}

/** Encode a Histogram message body (RW 1.0 and 2.0 share it). */
export function writeHistogram(w: PbWriter, h: Histogram): void {
  if (h.isFloat) writeDoubleField(w, (2 << 3) | 1, h.count);
  else {
    w.tag(1, 0);
    w.uvarint(h.count);
  }
  if (!isPositiveZero(h.sum)) writeDoubleField(w, (3 << 3) | 1, h.sum);
  if (h.schema !== 0) {
    w.tag(4, 0);
    w.sint(h.schema);
  }
  if (!isPositiveZero(h.zeroThreshold)) writeDoubleField(w, (5 << 3) | 1, h.zeroThreshold);
  if (h.isFloat) writeDoubleField(w, (7 << 3) | 1, h.zeroCount);
  else {
    w.tag(6, 0);
    w.uvarint(h.zeroCount);
  }
  writeSpans(w, 8, h.negativeSpans);
  writePackedSints(w, 9, h.negativeDeltas);
  writePackedDoubles(w, 10, h.negativeCounts);
  writeSpans(w, 11, h.positiveSpans);
  writePackedSints(w, 12, h.positiveDeltas);
  writePackedDoubles(w, 13, h.positiveCounts);
  const hint = RESET_HINTS.indexOf(h.resetHint);
  if (hint > 0) {
    w.tag(14, 0);
    w.uvarint(hint);
  }
  if (h.timestamp !== 0) {
    w.tag(15, 0);
    w.int64(h.timestamp);
  }
  writePackedDoubles(w, 16, h.customValues);
}

/** Encode one TimeSeries message body into w. */
export function writeTimeSeries(w: PbWriter, ts: TimeSeries): void {
  // labels encoded each time: no cache hangs on the labels array (issue 15.2); the event
  // pipeline's writers cache label bytes per SeriesId (outconsumers.ts)
  writeLabels(w, 1, ts.labels);
  const samples = ts.samples;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    w.ensure(1 + 1 + 9 + 11);
    w.buf[w.pos++] = 18;
    const m = w.beginMessage();
    if (!isPositiveZero(s.value)) writeDoubleField(w, 9, s.value);
    if (s.timestamp !== 0) {
      w.buf[w.pos++] = 16;
      w.int64(s.timestamp);
    }
    w.endMessage(m);
  }
  for (const e of ts.exemplars) {
    w.tag(3, 2);
    const m = w.beginMessage();
    writeLabels(w, 1, e.labels);
    if (!isPositiveZero(e.value)) writeDoubleField(w, 17, e.value);
    if (e.timestamp !== 0) {
      w.tag(3, 0);
      w.int64(e.timestamp);
    }
    w.endMessage(m);
  }
  for (const h of ts.histograms) {
    w.tag(4, 2);
    const m = w.beginMessage();
    writeHistogram(w, h);
    w.endMessage(m);
  }
}

export function writeMetadata(w: PbWriter, md: Metadata): void {
  const t = METRIC_TYPES.indexOf(md.type);
  if (t > 0) {
    w.tag(1, 0);
    w.uvarint(t);
  }
  if (md.metricFamilyName !== '') {
    w.tag(2, 2);
    w.string(md.metricFamilyName);
  }
  if (md.help !== '') {
    w.tag(4, 2);
    w.string(md.help);
  }
  if (md.unit !== '') {
    w.tag(5, 2);
    w.string(md.unit);
  }
}

/** Encode a Remote-Write 1.0 WriteRequest (uncompressed protobuf). */
export function encodeWriteRequest(wr: WriteRequest): Uint8Array {
  return encodeInto(new PbWriter(1 << 16), wr).finish();
}

/** encodeWriteRequest (kept for round 1's writers; no buffer is shared between calls). */
export function encodeWriteRequestTransient(wr: WriteRequest): Uint8Array {
  const w = encodeInto(new PbWriter(1 << 16), wr);
  return w.buf.subarray(0, w.pos);
}

/** Encode `wr` into w (reset first). */
function encodeInto(w: PbWriter, wr: WriteRequest): PbWriter {
  w.reset();
  for (const ts of wr.timeseries) {
    w.ensure(1);
    w.buf[w.pos++] = 10;
    const m = w.beginMessage();
    writeTimeSeries(w, ts);
    w.endMessage(m);
  }
  for (const md of wr.metadata) {
    w.tag(3, 2);
    const m = w.beginMessage();
    writeMetadata(w, md);
    w.endMessage(m);
  }
  return w;
}

// ---- decoding straight into columns ----

/** The series part of a DecodedRequest (src/model/decoded.ts), as a decoder builds it. */
interface SeriesColumns {
  seriesCount: number;
  ids: Int32Array;
  sampleStart: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
  histogramStart: Int32Array | null;
  histograms: Histogram[];
  exemplarStart: Int32Array | null;
  exemplars: Exemplar[];
  metadata: Metadata[];
}

/**
 * Remote-Write 1.0 bodies decoded straight into columns (issue 15.8, 18.1): a series is looked
 * up in the run's registry by its label bytes as they are on the wire, so a series seen before
 * builds no label object and no string; only a new one is decoded and checked (as
 * decodeWriteRequest checks it). Samples go into growing scratch columns, copied out once per
 * request (each request owns its arrays). One decoder per run: its scratch and caches are its
 * own, nothing module-level.
 */
export class Rw1ColumnsDecoder {
  private ids = new Int32Array(1024);
  private starts = new Int32Array(1025);
  private ts = new Float64Array(1024);
  private vs = new Float64Array(1024);
  private readonly metadataCache = new ByteKeyCache<Metadata>(20_000);
  private readonly fresh: Label[] = [];
  /** The id of the last series decoded (-1: none): the registry's guess for the next one, across requests. */
  private prev = -1;

  constructor(readonly registry: SeriesRegistry) {}

  /** Decode a (decompressed) Remote-Write 1.0 WriteRequest; WireError with a reason when it is bad (the registry then holds no series of it). */
  decode(bytes: Uint8Array): SeriesColumns {
    const reg = this.registry;
    const mark = reg.mark();
    try {
      return this.decodeInner(bytes);
    } catch (e) {
      reg.rollback(mark);
      if (this.prev >= reg.size) this.prev = -1;
      throw e;
    }
  }

  private decodeInner(bytes: Uint8Array): SeriesColumns {
    const r = new PbReader(bytes);
    const buf = r.buf;
    const view = r.view;
    const reg = this.registry;
    let ids = this.ids;
    let starts = this.starts;
    let tsCol = this.ts;
    let vsCol = this.vs;
    let n = 0;
    let k = 0;
    let prev = this.prev;
    const metadata: Metadata[] = [];
    let hs: Histogram[] | null = null;
    let hStart: number[] | null = null;
    let es: Exemplar[] | null = null;
    let eStart: number[] | null = null;
    let v2Fields = false;
    while (r.pos < r.end) {
      const tag = r.uint32();
      if (tag === 10) {
        const s = r.delimited();
        const end = r.fieldEnd;
        r.pos = s;
        if (n + 1 >= ids.length) {
          ids = this.ids = growI32(ids, ids.length * 2);
          starts = this.starts = growI32(starts, starts.length * 2);
        }
        starts[n] = k;
        if (hStart !== null) hStart.push(hs!.length);
        if (eStart !== null) eStart.push(es!.length);
        // one TimeSeries
        let id = -1;
        let runs = 0;
        const saveEnd = r.end;
        r.end = end;
        while (r.pos < end) {
          const tagPos = r.pos;
          const t = r.uint32();
          if (t === 18) {
            const ss = r.delimited();
            const se = r.fieldEnd;
            r.pos = ss;
            let value = 0;
            let timestamp = 0;
            r.end = se;
            while (r.pos < se) {
              const st = r.uint32();
              if (st === 9) value = readDouble(r);
              else if (st === 16) timestamp = r.time('sample timestamp');
              else skipUnknown(r, st, SAMPLE_FIELDS, 'Sample');
            }
            r.end = end;
            if (k === tsCol.length) {
              tsCol = this.ts = growF64(tsCol, k * 2);
              vsCol = this.vs = growF64(vsCol, k * 2);
            }
            tsCol[k] = timestamp;
            vsCol[k] = value;
            k++;
          } else if (t === 10) {
            if (runs === 0) {
              const g = reg.guessRun(view, buf, tagPos, end, prev);
              if (g >= 0) {
                id = g;
                runs = 1;
                r.pos = tagPos + reg.guessedLength;
                continue;
              }
            }
            runs++;
            r.delimited();
            let runEnd = r.pos;
            while (runEnd < end && buf[runEnd] === 10) {
              r.pos = runEnd + 1;
              r.delimited();
              runEnd = r.pos;
            }
            if (runs === 1) {
              id = reg.lookupWire(view, buf, tagPos, runEnd, prev);
              if (id < 0) id = reg.addCanonicalWire(view, buf, tagPos, runEnd);
              if (id >= 0) reg.followed(prev, id);
              else {
                const fresh = this.fresh;
                fresh.length = 0;
                r.pos = tagPos;
                while (r.pos < runEnd) {
                  r.uint32();
                  const ls = r.delimited();
                  const le = r.fieldEnd;
                  r.pos = ls;
                  decodeLabel(r, le, fresh, this.registry.strings);
                }
                checkLabels(fresh, 'series');
                id = reg.addWire(view, buf, tagPos, runEnd, fresh);
                reg.followed(prev, id);
              }
            }
            r.pos = runEnd;
          } else if (t === 26 || t === 34) {
            const xs = r.delimited();
            const xe = r.fieldEnd;
            r.pos = xs;
            if (t === 26) {
              if (es === null) {
                es = [];
                eStart = new Array<number>(n + 1).fill(0);
              }
              es.push(decodeExemplar(r, xe));
            } else {
              if (hs === null) {
                hs = [];
                hStart = new Array<number>(n + 1).fill(0);
              }
              hs.push(decodeHistogram(r, xe));
            }
            r.end = end;
            r.pos = xe;
          } else skipUnknown(r, t, SERIES_FIELDS, 'TimeSeries');
        }
        r.end = saveEnd;
        if (runs !== 1) id = reg.idOf(this.allLabels(r, s, end));
        ids[n++] = id;
        prev = id;
        r.pos = end;
        this.prev = id;
      } else if (tag === 26) {
        const s = r.delimited();
        const e = r.fieldEnd;
        let md = this.metadataCache.lookup(r.view, s, e);
        if (md === undefined) {
          r.pos = s;
          md = decodeMetadata(r, e);
          this.metadataCache.insert(r.buf, s, e, md);
        }
        metadata.push(md);
        r.pos = e;
      } else {
        const f = tag >>> 3;
        if ((f === 4 || f === 5) && (tag & 7) === 2) v2Fields = true;
        skipUnknown(r, tag, REQUEST_FIELDS, 'WriteRequest');
      }
    }
    if (v2Fields && n === 0 && metadata.length === 0) {
      throw new WireError('remote-write 1.0 request with no series but the symbols and series fields (4, 5) of a 2.0 request: a 2.0 body read as 1.0? (check the content type, or --format remote-write2)');
    }
    starts[n] = k;
    let histogramStart: Int32Array | null = null;
    if (hStart !== null) {
      hStart.push(hs!.length);
      histogramStart = Int32Array.from(hStart);
    }
    let exemplarStart: Int32Array | null = null;
    if (eStart !== null) {
      eStart.push(es!.length);
      exemplarStart = Int32Array.from(eStart);
    }
    return {
      seriesCount: n,
      ids: ids.slice(0, n),
      sampleStart: starts.slice(0, n + 1),
      timestamps: tsCol.slice(0, k),
      values: vsCol.slice(0, k),
      histogramStart,
      histograms: hs ?? [],
      exemplarStart,
      exemplars: es ?? [],
      metadata,
    };
  }

  /** Every label of a series whose label fields are not one run (checked as decodeWriteRequest checks them). */
  private allLabels(r: PbReader, start: number, end: number): Label[] {
    const out: Label[] = [];
    const saveEnd = r.end;
    r.pos = start;
    r.end = end;
    while (r.pos < end) {
      const t = r.uint32();
      if (t === 10) {
        const s = r.delimited();
        const e = r.fieldEnd;
        r.pos = s;
        decodeLabel(r, e, out, this.registry.strings);
        r.pos = e;
      } else r.skip(t & 7);
    }
    r.end = saveEnd;
    checkLabels(out, 'series');
    return out;
  }
}

function growI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(a);
  return next;
}

function growF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(a);
  return next;
}
