// Remote-Write 2.0 `io.prometheus.write.v2.Request`, decoded into the same WriteRequest shape as 1.0.
// Field numbers (prometheus/prometheus prompb/io/prometheus/write/v2/types.proto):
//
//   Request    { reserved 1 to 3; repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
//   TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2;
//                repeated Histogram histograms = 3; repeated Exemplar exemplars = 4;
//                Metadata metadata = 5; int64 created_timestamp = 6 (Prometheus 2.54 to 3.7); }
//   Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
//   Exemplar   { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
//   Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
//   Histogram  same field numbers as 1.0 (start_timestamp, when present, is skipped).
//
// Symbols index 0 is "". Labels are resolved through the symbols table; per-series metadata
// becomes a request-level Metadata entry named after the series' __name__ (deduplicated).
// start_timestamp / created_timestamp are read and dropped: the model has no place for them and
// the HA decision does not use them.
import type { Exemplar, Histogram, Label, Metadata, MetricType, Sample, TimeSeries, WriteRequest } from '../model/index.js';
import { WireError } from './errors.js';
import { PbReader, fieldBits, skipUnknown } from './pbreader.js';
import { METRIC_TYPES, decodeHistogram, readDouble, writeDoubleField, writeHistogram } from './prompb.js';
import { PbWriter } from './pbwriter.js';
import { StringInterner } from './utf8.js';

const interner = new StringInterner();

// The fields each message knows: one of them with another wire type is an error (skipUnknown).
const REQUEST_FIELDS = fieldBits(4, 5);
const SERIES_FIELDS = fieldBits(1, 2, 3, 4, 5, 6);
const SAMPLE_FIELDS = fieldBits(1, 2, 3);
const EXEMPLAR_FIELDS = fieldBits(1, 2, 3);
const METADATA_FIELDS = fieldBits(1, 3, 4);

function readRefs(r: PbReader, wt: number, out: number[]): void {
  if (wt === 0) {
    out.push(r.uint32());
    return;
  }
  if (wt !== 2) throw new WireError(`protobuf: bad wire type ${wt} for labels_refs`);
  const s = r.delimited();
  const e = r.fieldEnd;
  const save = r.end;
  r.pos = s;
  r.end = e;
  while (r.pos < e) out.push(r.uint32());
  r.end = save;
}

function resolveLabels(refs: number[], symbols: string[], what: string): Label[] {
  if (refs.length % 2 !== 0) throw new WireError(`remote-write 2.0: odd number of labels_refs in ${what}`);
  const labels: Label[] = [];
  for (let i = 0; i < refs.length; i += 2) {
    const n = refs[i]!;
    const v = refs[i + 1]!;
    if (n >= symbols.length || v >= symbols.length) {
      throw new WireError(`remote-write 2.0: label ref ${Math.max(n, v)} is outside the symbols table (${symbols.length} entries)`);
    }
    const name = symbols[n]!;
    if (name === '') throw new WireError(`empty label name in ${what}`);
    labels.push({ name, value: symbols[v]! });
  }
  if (labels.length > 1) {
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l.name)) throw new WireError(`duplicate label name "${l.name}" in ${what}`);
      seen.add(l.name);
    }
  }
  return labels;
}

function symbol(symbols: string[], ref: number): string {
  if (ref >= symbols.length) throw new WireError(`remote-write 2.0: symbol ref ${ref} is outside the symbols table (${symbols.length} entries)`);
  return symbols[ref]!;
}

/** Decode a (decompressed) Remote-Write 2.0 Request. Throws WireError with a reason. */
export function decodeWriteRequestV2(bytes: Uint8Array): WriteRequest {
  // pass 1: the symbols table (it may in principle follow the series)
  const symbols: string[] = [];
  let v1Fields = false;
  const r = new PbReader(bytes);
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 34) {
      const s = r.delimited();
      symbols.push(interner.decode(bytes, s, r.fieldEnd, 'remote-write 2.0 symbol'));
    } else if (tag === 42) r.delimited();
    else {
      const f = tag >>> 3;
      if ((f === 1 || f === 3) && (tag & 7) === 2) v1Fields = true;
      skipUnknown(r, tag, REQUEST_FIELDS, 'Request');
    }
  }
  // pass 2: series
  const timeseries: TimeSeries[] = [];
  const metadata: Metadata[] = [];
  const mdSeen = new Set<string>();
  r.pos = 0;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag !== 42) {
      r.skip(tag & 7); // checked in pass 1
      continue;
    }
    const s = r.delimited();
    const e = r.fieldEnd;
    r.pos = s;
    const save = r.end;
    r.end = e;
    const refs: number[] = [];
    const samples: Sample[] = [];
    const histograms: Histogram[] = [];
    const exemplars: Exemplar[] = [];
    let mdType: MetricType | null = null;
    let helpRef = 0;
    let unitRef = 0;
    while (r.pos < e) {
      const t = r.uint32();
      const f = t >>> 3;
      const wt = t & 7;
      if (f === 1) {
        readRefs(r, wt, refs);
        continue;
      }
      if (wt === 2 && f >= 2 && f <= 5) {
        const ss = r.delimited();
        const se = r.fieldEnd;
        r.pos = ss;
        const save2 = r.end;
        r.end = se;
        if (f === 2) {
          let value = 0;
          let timestamp = 0;
          while (r.pos < se) {
            const st = r.uint32();
            if (st === 9) value = readDouble(r);
            else if (st === 16) timestamp = r.time('sample timestamp');
            else if (st === 24) r.int64(); // start_timestamp
            else skipUnknown(r, st, SAMPLE_FIELDS, 'Sample');
          }
          samples.push({ value, timestamp });
        } else if (f === 3) {
          histograms.push(decodeHistogram(r, se));
        } else if (f === 4) {
          const erefs: number[] = [];
          let value = 0;
          let timestamp = 0;
          while (r.pos < se) {
            const st = r.uint32();
            if (st >>> 3 === 1) readRefs(r, st & 7, erefs);
            else if (st === 17) value = readDouble(r);
            else if (st === 24) timestamp = r.time('exemplar timestamp');
            else skipUnknown(r, st, EXEMPLAR_FIELDS, 'Exemplar');
          }
          exemplars.push({ labels: resolveLabels(erefs, symbols, 'exemplar'), value, timestamp });
        } else {
          mdType = 'unknown';
          while (r.pos < se) {
            const st = r.uint32();
            if (st === 8) mdType = METRIC_TYPES[r.uint32()] ?? 'unknown';
            else if (st === 24) helpRef = r.uint32();
            else if (st === 32) unitRef = r.uint32();
            else skipUnknown(r, st, METADATA_FIELDS, 'Metadata');
          }
        }
        r.end = save2;
        r.pos = se;
        continue;
      }
      if (t === 48) r.int64(); // created_timestamp (6), read and dropped
      else skipUnknown(r, t, SERIES_FIELDS, 'TimeSeries');
    }
    r.end = save;
    r.pos = e;
    const labels = resolveLabels(refs, symbols, 'series');
    timeseries.push({ labels, samples, exemplars, histograms });
    if (mdType !== null) {
      const help = symbol(symbols, helpRef);
      const unit = symbol(symbols, unitRef);
      if (mdType !== 'unknown' || help !== '' || unit !== '') {
        let name = '';
        for (const l of labels) if (l.name === '__name__') name = l.value;
        const key = `${name}\xff${mdType}\xff${help}\xff${unit}`;
        if (!mdSeen.has(key)) {
          mdSeen.add(key);
          metadata.push({ type: mdType, metricFamilyName: name, help, unit });
        }
      }
    }
  }
  if (timeseries.length === 0 && v1Fields) {
    throw new WireError('remote-write 2.0 request with no series but the series and metadata fields (1, 3) of a 1.0 WriteRequest: a 1.0 body under the 2.0 content type?');
  }
  return { timeseries, metadata };
}

// ---- encoding (used by tests and by anyone who needs to produce 2.0 bodies) ----

/**
 * Encode a WriteRequest as a Remote-Write 2.0 Request. Metadata entries are attached to every
 * series whose __name__ equals their metric_family_name (2.0 has no request-level metadata).
 */
export function encodeWriteRequestV2(wr: WriteRequest): Uint8Array {
  const symbols: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const mdByName = new Map<string, Metadata>();
  for (const m of wr.metadata) mdByName.set(m.metricFamilyName, m);
  const series = new PbWriter(4096);
  for (const ts of wr.timeseries) {
    series.tag(5, 2);
    const m = series.beginMessage();
    if (ts.labels.length > 0) {
      series.tag(1, 2);
      const lm = series.beginMessage();
      for (const l of ts.labels) {
        series.uvarint(ref(l.name));
        series.uvarint(ref(l.value));
      }
      series.endMessage(lm);
    }
    for (const s of ts.samples) {
      series.tag(2, 2);
      const sm = series.beginMessage();
      writeDoubleField(series, 9, s.value);
      series.tag(2, 0);
      series.int64(s.timestamp);
      series.endMessage(sm);
    }
    for (const h of ts.histograms) {
      series.tag(3, 2);
      const hm = series.beginMessage();
      writeHistogram(series, h);
      series.endMessage(hm);
    }
    for (const e of ts.exemplars) {
      series.tag(4, 2);
      const em = series.beginMessage();
      if (e.labels.length > 0) {
        series.tag(1, 2);
        const lm = series.beginMessage();
        for (const l of e.labels) {
          series.uvarint(ref(l.name));
          series.uvarint(ref(l.value));
        }
        series.endMessage(lm);
      }
      writeDoubleField(series, 17, e.value);
      series.tag(3, 0);
      series.int64(e.timestamp);
      series.endMessage(em);
    }
    const name = ts.labels.find((l) => l.name === '__name__')?.value;
    const md = name === undefined ? undefined : mdByName.get(name);
    if (md !== undefined) {
      series.tag(5, 2);
      const mm = series.beginMessage();
      series.tag(1, 0);
      series.uvarint(Math.max(0, METRIC_TYPES.indexOf(md.type)));
      series.tag(3, 0);
      series.uvarint(ref(md.help));
      series.tag(4, 0);
      series.uvarint(ref(md.unit));
      series.endMessage(mm);
    }
    series.endMessage(m);
  }
  const w = new PbWriter(series.pos + 1024);
  for (const s of symbols) {
    w.tag(4, 2);
    w.string(s);
  }
  w.raw(series.buf.subarray(0, series.pos));
  return w.finish();
}
