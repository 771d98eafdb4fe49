// ndjson samples (SPEC 4.4): one sample, histogram, exemplar or metadata entry per line.
//
//   {"tenant":"t1","received_at_ms":1700000000100,"labels":{...},"timestamp":1700000000000,"value":1}
//   {"labels":{...},"timestamp":...,"histogram":{"schema":..,"zero_threshold":..,"zero_count":..,"count":..,
//        "sum":..,"negative_spans":[{"offset":0,"length":2}],"negative_deltas":[..],"positive_spans":[..],
//        "positive_deltas":[..],"reset_hint":"no","custom_values":[..]}}        (float: *_counts instead of *_deltas)
//   {"labels":{...},"exemplar":{"labels":{...},"value":1.5,"timestamp":1700000000000}}
//   {"metadata":{"type":"counter","metric_family_name":"x_total","help":"...","unit":""}}
//
// `tenant` and `received_at_ms` are optional. Consecutive lines with the same tenant and the
// same received_at_ms form one request; a line without received_at_ms is a request of its own.
// Within a request, consecutive lines with the same labels form one series.
import type { BucketSpan, Exemplar, Histogram, Label, Metadata, MetricType, ResetHint, TimeSeries, WriteRequest } from '../model/index.js';
import { labelsKey } from '../model/index.js';
import { WireError } from './errors.js';
import { labelsJSON, parseInt64, parseLabels, parseTime, parseValue, quote, valueJSON } from './jsonvalues.js';
import { METRIC_TYPES, RESET_HINTS, emptyHistogram } from './prompb.js';

export type NdjsonItem =
  | { kind: 'sample'; labels: Label[]; value: number; timestamp: number }
  | { kind: 'histogram'; labels: Label[]; histogram: Histogram }
  | { kind: 'exemplar'; labels: Label[]; exemplar: Exemplar }
  | { kind: 'metadata'; metadata: Metadata };

export interface NdjsonLine {
  tenant: string | null;
  receivedAtMs: number | null;
  item: NdjsonItem;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireError(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function numArray(v: unknown, what: string, int: boolean): number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new WireError(`${what} is not an array`);
  return v.map((x, i) => (int ? parseInt64(x, `${what}[${i}]`) : parseValue(x, `${what}[${i}]`)));
}

function spans(v: unknown, what: string): BucketSpan[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new WireError(`${what} is not an array`);
  return v.map((s, i) => {
    const o = obj(s, `${what}[${i}]`);
    return {
      offset: o.offset === undefined ? 0 : parseInt64(o.offset, `${what}[${i}].offset`),
      length: o.length === undefined ? 0 : parseInt64(o.length, `${what}[${i}].length`),
    };
  });
}

/** Parse the "histogram" object of an ndjson line. Float when it has positive_counts/negative_counts. */
export function parseHistogram(v: unknown, timestamp: number): Histogram {
  const o = obj(v, 'histogram');
  const h = emptyHistogram();
  h.isFloat = o.positive_counts !== undefined || o.negative_counts !== undefined;
  h.timestamp = timestamp;
  const num = (k: string, int: boolean) => (o[k] === undefined ? 0 : int ? parseInt64(o[k], `histogram.${k}`) : parseValue(o[k], `histogram.${k}`));
  h.count = num('count', !h.isFloat);
  h.zeroCount = num('zero_count', !h.isFloat);
  h.sum = num('sum', false);
  h.schema = num('schema', true);
  h.zeroThreshold = num('zero_threshold', false);
  h.negativeSpans = spans(o.negative_spans, 'histogram.negative_spans');
  h.positiveSpans = spans(o.positive_spans, 'histogram.positive_spans');
  if (h.isFloat) {
    h.negativeCounts = numArray(o.negative_counts, 'histogram.negative_counts', false);
    h.positiveCounts = numArray(o.positive_counts, 'histogram.positive_counts', false);
  } else {
    h.negativeDeltas = numArray(o.negative_deltas, 'histogram.negative_deltas', true);
    h.positiveDeltas = numArray(o.positive_deltas, 'histogram.positive_deltas', true);
  }
  h.customValues = numArray(o.custom_values, 'histogram.custom_values', false);
  if (o.reset_hint !== undefined) {
    const hint = String(o.reset_hint).toLowerCase() as ResetHint;
    if (!RESET_HINTS.includes(hint)) throw new WireError(`histogram.reset_hint "${String(o.reset_hint)}" is not one of unknown, yes, no, gauge`);
    h.resetHint = hint;
  }
  return h;
}

/** Parse one ndjson line (already JSON-parsed). Throws WireError with a reason. */
export function parseNdjsonLine(v: unknown): NdjsonLine {
  const o = obj(v, 'line');
  let tenant: string | null = null;
  if (o.tenant !== undefined && o.tenant !== null) {
    if (typeof o.tenant !== 'string') throw new WireError('tenant is not a string');
    tenant = o.tenant === '' ? null : o.tenant;
  }
  const receivedAtMs = o.received_at_ms === undefined || o.received_at_ms === null ? null : parseTime(o.received_at_ms, 'received_at_ms');
  if (o.metadata !== undefined) {
    const m = obj(o.metadata, 'metadata');
    const type = (m.type === undefined ? 'unknown' : String(m.type).toLowerCase()) as MetricType;
    if (!METRIC_TYPES.includes(type)) throw new WireError(`metadata.type "${String(m.type)}" is not a metric type`);
    const str = (k: string) => {
      const x = m[k];
      if (x === undefined || x === null) return '';
      if (typeof x !== 'string') throw new WireError(`metadata.${k} is not a string`);
      return x;
    };
    return { tenant, receivedAtMs, item: { kind: 'metadata', metadata: { type, metricFamilyName: str('metric_family_name'), help: str('help'), unit: str('unit') } } };
  }
  if (o.labels === undefined) throw new WireError('line has no "labels" (and is not a metadata line)');
  const labels = parseLabels(o.labels, 'labels');
  if (o.exemplar !== undefined) {
    const e = obj(o.exemplar, 'exemplar');
    const exemplar: Exemplar = {
      labels: e.labels === undefined ? [] : parseLabels(e.labels, 'exemplar.labels'),
      value: e.value === undefined ? 0 : parseValue(e.value, 'exemplar.value'),
      timestamp: e.timestamp === undefined ? 0 : parseTime(e.timestamp, 'exemplar.timestamp'),
    };
    return { tenant, receivedAtMs, item: { kind: 'exemplar', labels, exemplar } };
  }
  if (o.timestamp === undefined) throw new WireError('line has no "timestamp"');
  const timestamp = parseTime(o.timestamp, 'timestamp');
  if (o.histogram !== undefined) {
    return { tenant, receivedAtMs, item: { kind: 'histogram', labels, histogram: parseHistogram(o.histogram, timestamp) } };
  }
  if (o.value === undefined) throw new WireError('line has no "value", "histogram", "exemplar" or "metadata"');
  return { tenant, receivedAtMs, item: { kind: 'sample', labels, value: parseValue(o.value, 'value'), timestamp } };
}

/** One request assembled from consecutive lines. */
export interface AssembledRequest {
  tenant: string | null;
  receivedAtMs: number | null;
  write: WriteRequest;
  /** Line number (1-based) and byte offset of its first line. */
  firstLine: number;
  offset: number;
  /** Bytes of its lines (for inspect). */
  bytes: number;
}

/** Groups parsed lines into requests per the rules above. */
export class NdjsonAssembler {
  private cur: AssembledRequest & { lastKey: string | null } | null = null;
  /** Whether the last add() split a request that went on past maxBytes (the completed part is what it returned). */
  split = false;

  /** maxBytes: the line bytes one request may hold; past them it is split (memory stays bounded). */
  constructor(private readonly maxBytes = Infinity) {}

  /** Add a line; returns the request it completed, if the line starts a new one. */
  add(line: NdjsonLine, lineNo: number, offset: number, bytes = 0): AssembledRequest | null {
    let done = null;
    const c = this.cur;
    const same = c !== null && c.receivedAtMs !== null && line.receivedAtMs !== null && c.receivedAtMs === line.receivedAtMs && c.tenant === line.tenant;
    this.split = same && c.bytes > 0 && c.bytes + bytes > this.maxBytes;
    if (!same || this.split) {
      done = c;
      this.cur = { tenant: line.tenant, receivedAtMs: line.receivedAtMs, write: { timeseries: [], metadata: [] }, lastKey: null, firstLine: lineNo, offset, bytes: 0 };
    }
    const r = this.cur!;
    r.bytes += bytes;
    const it = line.item;
    if (it.kind === 'metadata') {
      r.write.metadata.push(it.metadata);
      return done;
    }
    const key = labelsKey(it.labels);
    let ts: TimeSeries;
    if (r.lastKey === key && r.write.timeseries.length > 0) ts = r.write.timeseries[r.write.timeseries.length - 1]!;
    else {
      checkDuplicateNames(it.labels);
      ts = { labels: it.labels, samples: [], exemplars: [], histograms: [] };
      r.write.timeseries.push(ts);
      r.lastKey = key;
    }
    if (it.kind === 'sample') ts.samples.push({ value: it.value, timestamp: it.timestamp });
    else if (it.kind === 'histogram') ts.histograms.push(it.histogram);
    else ts.exemplars.push(it.exemplar);
    return done;
  }

  /** The last request at end of input. */
  flush(): AssembledRequest | null {
    const c = this.cur;
    this.cur = null;
    return c;
  }
}

function checkDuplicateNames(labels: Label[]): void {
  // JSON.parse keeps the last of duplicate keys, so duplicates cannot reach here; kept for safety.
  if (labels.length < 2) return;
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l.name)) throw new WireError(`duplicate label name "${l.name}"`);
    seen.add(l.name);
  }
}

// ---- encoding ----

function numList(xs: readonly number[]): string {
  let s = '[';
  for (let i = 0; i < xs.length; i++) s += (i > 0 ? ',' : '') + valueJSON(xs[i]!);
  return s + ']';
}

function intList(xs: readonly number[]): string {
  return '[' + xs.join(',') + ']';
}

function spanList(ss: readonly BucketSpan[]): string {
  let s = '[';
  for (let i = 0; i < ss.length; i++) s += (i > 0 ? ',' : '') + '{"offset":' + ss[i]!.offset + ',"length":' + ss[i]!.length + '}';
  return s + ']';
}

/** The "histogram" object of an ndjson line (keys in a fixed order). */
export function histogramJSON(h: Histogram): string {
  let s = '{"schema":' + h.schema + ',"zero_threshold":' + valueJSON(h.zeroThreshold);
  s += ',"zero_count":' + (h.isFloat ? valueJSON(h.zeroCount) : String(h.zeroCount));
  s += ',"count":' + (h.isFloat ? valueJSON(h.count) : String(h.count));
  s += ',"sum":' + valueJSON(h.sum);
  s += ',"positive_spans":' + spanList(h.positiveSpans) + ',"negative_spans":' + spanList(h.negativeSpans);
  if (h.isFloat) s += ',"positive_counts":' + numList(h.positiveCounts) + ',"negative_counts":' + numList(h.negativeCounts);
  else s += ',"positive_deltas":' + intList(h.positiveDeltas) + ',"negative_deltas":' + intList(h.negativeDeltas);
  s += ',"reset_hint":"' + h.resetHint + '"';
  if (h.customValues.length > 0) s += ',"custom_values":' + numList(h.customValues);
  return s + '}';
}

/** The leading `{"tenant":..,"received_at_ms":..,` part shared by every line of a request. */
export function linePrefix(tenant: string | null, receivedAtMs: number | null): string {
  let p = '{';
  if (tenant !== null) p += '"tenant":' + quote(tenant) + ',';
  if (receivedAtMs !== null) p += '"received_at_ms":' + receivedAtMs + ',';
  return p;
}

/** All lines of one request, each ending in "\n": per series its samples, histograms, exemplars; then metadata. */
export function encodeNdjsonRequest(prefix: string, series: readonly TimeSeries[], metadata: readonly Metadata[], labelsJson: (ts: TimeSeries) => string = (ts) => labelsJSON(ts.labels)): string {
  let out = '';
  for (let i = 0; i < series.length; i++) {
    const ts = series[i]!;
    const lp = prefix + '"labels":' + labelsJson(ts) + ',"timestamp":';
    const samples = ts.samples;
    for (let j = 0; j < samples.length; j++) {
      const s = samples[j]!;
      out += lp + s.timestamp + ',"value":' + valueJSON(s.value) + '}\n';
    }
    for (const h of ts.histograms) out += lp + h.timestamp + ',"histogram":' + histogramJSON(h) + '}\n';
    if (ts.exemplars.length > 0) {
      const ep = prefix + '"labels":' + labelsJson(ts) + ',"exemplar":';
      for (const e of ts.exemplars) {
        out += ep + '{"labels":' + labelsJSON(e.labels) + ',"value":' + valueJSON(e.value) + ',"timestamp":' + e.timestamp + '}}\n';
      }
    }
  }
  for (const m of metadata) out += prefix + metadataLineRest(m);
  return out;
}

/** A metadata line after its prefix: `"metadata":{...}}` and the newline. */
export function metadataLineRest(m: Metadata): string {
  return '"metadata":{"type":"' + m.type + '","metric_family_name":' + quote(m.metricFamilyName) + ',"help":' + quote(m.help) + ',"unit":' + quote(m.unit) + '}}\n';
}
