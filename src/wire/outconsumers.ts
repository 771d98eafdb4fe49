// Output writers as Consumers of a lane's events (SPEC 8): ndjson, vm-json, rwcap, rwcap-json,
// none. From each request event they write what round 1's writers (writers.ts) write, byte for
// byte: the series whose outcome is accepted, non_ha or passthrough, an accepted series without
// the tenant's replica label, the metadata with them (or alone, for a metadata-only request).
// Everything a writer caches per series (the stripped labels' bytes, its JSON) is keyed by
// SeriesId in arrays the writer owns; the decoded request is only read, never changed.
//
// One difference from round 1, which never shows on Prometheus traffic: a label set is one
// SeriesId in any order, so a re-encoded rwcap body lists a series' labels in the order the
// run first decoded them (round 1: in the order of that request). Prometheus sends them sorted.
import type { Consumer, DecodedRequest, EndEvent, Label, Metadata, OutputFormat, RequestEvent, RunStart, SeriesCatalog } from '../model/index.js';
import type { CapturedRequest } from '../model/index.js';
import { OUTCOME_ACCEPTED, OUTCOME_DEDUPED, OUTCOME_REJECTED, STALE_NAN_HI, STALE_NAN_LO, NORMAL_NAN_HI, NORMAL_NAN_LO } from '../model/index.js';
import { crc32 } from './crc32.js';
import { histogramJSON, linePrefix, metadataLineRest } from './ndjson.js';
import { labelsJSON, numberText, valueJSON } from './jsonvalues.js';
import { writeInteger, writeShortestDecimal } from './numfmt.js';
import { PbWriter } from './pbwriter.js';
import { isPositiveZero, writeDoubleField, writeHistogram, writeLabels, writeMetadata } from './prompb.js';
import { RWCAP_MAGIC, encodeRecordInto } from './rwcap.js';
import { encodeRwcapJsonLine } from './rwcapjson.js';
import { snappyCompressInto } from './snappy.js';
import { vmValue } from './vmjson.js';
import { ByteOutput, type WriterOptions } from './writers.js';

/** A writer of one output format: a Consumer that also tells how many samples it wrote. */
export interface OutputConsumer extends Consumer {
  begin(ctx: RunStart): void;
  request(ev: RequestEvent): Promise<void> | undefined;
  /** Flush everything buffered and emit the once-per-run warnings. Does not end the sink. */
  end(ev?: EndEvent): Promise<void>;
  /** Hand everything buffered to the sink and wait until it took every write (a --db commits after it; issue 13.5). */
  sync(): Promise<void>;
  /** Samples (floats + histograms) of the series handed out so far (what round 1's replay returned). */
  readonly writtenSamples: number;
}

const NO_METADATA: readonly Metadata[] = [];

/** Whether the float at values[j] has the stale marker's bits (read from the column, not a JS number). */
function staleAt(values: Float64Array, j: number): boolean {
  const v = new DataView(values.buffer, values.byteOffset + j * 8, 8);
  return v.getUint32(0, true) === STALE_NAN_LO && v.getUint32(4, true) === STALE_NAN_HI;
}

/**
 * Which series of a request go out and which lose the replica label, and the per-SeriesId
 * knowledge behind it (whether a series carries a given label name), owned by one writer.
 */
class Selection {
  catalog!: SeriesCatalog;
  /** Indexes (wire order) of the series to write, count of them, and per kept series 1 = strip the replica label. */
  kept = new Int32Array(256);
  strip = new Uint8Array(256);
  count = 0;
  /** Whether the output differs from the request (a series dropped or stripped, metadata dropped). */
  changed = false;
  metadata: readonly Metadata[] = NO_METADATA;
  /** The replica label name of the current request. */
  replicaLabel = '';
  /** Kept samples over the run. */
  written = 0;
  /** Per SeriesId: the label name last asked about, and whether the series has it. */
  private readonly hasName: (string | undefined)[] = [];
  private has = new Uint8Array(1024);

  private hasLabel(id: number, name: string): boolean {
    const names = this.hasName;
    while (names.length <= id) names.push(undefined);
    if (names[id] === name) return this.has[id] === 1;
    const labels = this.catalog.labels(id);
    let found = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i]!.name === name) found = 1;
    if (id >= this.has.length) {
      const next = new Uint8Array(Math.max(id + 1, this.has.length * 2));
      next.set(this.has);
      this.has = next;
    }
    this.has[id] = found;
    names[id] = name;
    return found === 1;
  }

  /** The labels of `id` as written: without `replicaLabel` when `strip`. */
  labels(id: number, strip: boolean): readonly Label[] {
    const ls = this.catalog.labels(id);
    if (!strip) return ls;
    const name = this.replicaLabel;
    return ls.filter((l) => l.name !== name);
  }

  /** Select the series of `ev` to write; false when nothing is to be written. */
  select(ev: RequestEvent): boolean {
    const r = ev.request;
    const n = r.seriesCount;
    if (this.kept.length < n) {
      this.kept = new Int32Array(Math.max(n, this.kept.length * 2));
      this.strip = new Uint8Array(this.kept.length);
    }
    const d = ev.decision;
    const kept = this.kept;
    const strip = this.strip;
    const ss = r.sampleStart;
    const hs = r.histogramStart;
    const ids = r.ids;
    let k = 0;
    let changed = false;
    let samples = 0;
    if (d === null) {
      // a lane without a tracker keeps everything as it came
      for (let i = 0; i < n; i++) {
        kept[k] = i;
        strip[k++] = 0;
      }
      samples = r.timestamps.length + r.histograms.length;
    } else {
      const outcomes = d.outcomes;
      const name = d.replicaLabel;
      this.replicaLabel = name;
      for (let i = 0; i < n; i++) {
        const o = outcomes[i]!;
        if (o === OUTCOME_DEDUPED || o === OUTCOME_REJECTED) {
          changed = true;
          continue;
        }
        samples += ss[i + 1]! - ss[i]!;
        if (hs !== null) samples += hs[i + 1]! - hs[i]!;
        let s = 0;
        if (o === OUTCOME_ACCEPTED && this.hasLabel(ids[i]!, name)) {
          s = 1;
          changed = true;
        }
        kept[k] = i;
        strip[k++] = s;
      }
    }
    this.count = k;
    const metadata = n === 0 || k > 0 ? r.metadata : NO_METADATA;
    if (metadata !== r.metadata) changed = true;
    this.metadata = metadata;
    this.changed = changed;
    if (k === 0 && metadata.length === 0) return false;
    this.written += samples;
    return true;
  }
}

/**
 * One value per (SeriesId, form): as sent, or without the replica label (cached with the label
 * name it was made for). `make` turns labels into the writer's cached form (bytes, JSON text).
 */
class SeriesForms<T> {
  private readonly plain: (T | undefined)[] = [];
  private readonly stripped: (T | undefined)[] = [];
  private readonly strippedName: (string | undefined)[] = [];
  constructor(private readonly make: (labels: readonly Label[]) => T) {}

  get(sel: Selection, id: number, strip: boolean): T {
    if (!strip) {
      const v = this.plain[id];
      if (v !== undefined) return v;
    } else if (this.strippedName[id] === sel.replicaLabel) {
      return this.stripped[id]!;
    }
    const made = this.make(sel.labels(id, strip));
    const arr = strip ? this.stripped : this.plain;
    while (arr.length <= id) arr.push(undefined);
    arr[id] = made;
    if (strip) {
      const names = this.strippedName;
      while (names.length <= id) names.push(undefined);
      names[id] = sel.replicaLabel;
    }
    return made;
  }
}

const VALUE_KEY = Buffer.from(',"value":');
const TIMESTAMPS_KEY = Buffer.from('],"timestamps":[');
const STALE_TEXT = '"stale"';

/** ndjson, the hot output (SPEC 11): per sample the cached prefix and labels bytes, then the numbers. */
class NdjsonConsumer extends ByteOutput implements OutputConsumer {
  private readonly sel = new Selection();
  /** `"labels":{...sorted...},"timestamp":` per series form. */
  private readonly labelsPart = new SeriesForms((ls) => Buffer.from('"labels":' + labelsJSON(ls) + ',"timestamp":'));
  private readonly metadataPart = new Map<Metadata, Buffer>();

  get writtenSamples(): number {
    return this.sel.written;
  }

  begin(ctx: RunStart): void {
    this.sel.catalog = ctx.catalog;
  }

  /** A timestamp or value as valueJSON spells it. */
  private number(v: number): void {
    this.room(26);
    let end = writeInteger(this.buf, this.pos, v);
    if (end < 0) end = writeShortestDecimal(this.buf, this.pos, v);
    if (end >= 0) {
      this.pos = end;
      return;
    }
    this.ascii(valueJSON(v));
  }

  private ascii(s: string): void {
    this.room(s.length);
    const out = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  request(ev: RequestEvent): Promise<void> | undefined {
    const sel = this.sel;
    if (!sel.select(ev)) return undefined;
    const r = ev.request;
    const prefix = linePrefix(ev.tenant, r.receivedAtMs);
    const prefixBytes = Buffer.from(prefix);
    const ids = r.ids;
    const ss = r.sampleStart;
    const stamps = r.timestamps;
    const values = r.values;
    const hs = r.histogramStart;
    const es = r.exemplarStart;
    for (let q = 0; q < sel.count; q++) {
      const i = sel.kept[q]!;
      const strip = sel.strip[q] === 1;
      const f0 = ss[i]!;
      const f1 = ss[i + 1]!;
      if (f1 > f0) {
        const lb = this.labelsPart.get(sel, ids[i]!, strip);
        for (let j = f0; j < f1; j++) {
          this.bytes(prefixBytes);
          this.bytes(lb);
          this.number(stamps[j]!);
          this.bytes(VALUE_KEY);
          const v = values[j]!;
          if (v === v) this.number(v);
          else this.ascii(staleAt(values, j) ? STALE_TEXT : '"NaN"');
          this.buf[this.pos++] = 0x7d; // }
          this.buf[this.pos++] = 0x0a; // \n
        }
      }
      const h0 = hs === null ? 0 : hs[i]!;
      const h1 = hs === null ? 0 : hs[i + 1]!;
      const e0 = es === null ? 0 : es[i]!;
      const e1 = es === null ? 0 : es[i + 1]!;
      if (h1 > h0 || e1 > e0) this.rest(r, prefix, sel.labels(ids[i]!, strip), h0, h1, e0, e1);
    }
    const metadata = sel.metadata;
    for (let i = 0; i < metadata.length; i++) {
      this.bytes(prefixBytes);
      this.bytes(this.metadataBytes(metadata[i]!));
    }
    return this.done();
  }

  /** The histogram and exemplar lines of one series (rare: spelled through strings). */
  private rest(r: DecodedRequest, prefix: string, labels: readonly Label[], h0: number, h1: number, e0: number, e1: number): void {
    const lj = labelsJSON(labels);
    let out = '';
    const lp = prefix + '"labels":' + lj + ',"timestamp":';
    for (let j = h0; j < h1; j++) {
      const h = r.histograms[j]!;
      out += lp + h.timestamp + ',"histogram":' + histogramJSON(h) + '}\n';
    }
    const ep = prefix + '"labels":' + lj + ',"exemplar":';
    for (let j = e0; j < e1; j++) {
      const e = r.exemplars[j]!;
      out += ep + '{"labels":' + labelsJSON(e.labels) + ',"value":' + valueJSON(e.value) + ',"timestamp":' + e.timestamp + '}}\n';
    }
    this.text(out);
  }

  /** `"metadata":{...}}\n` per Metadata object (decoders share one per distinct entry). */
  private metadataBytes(m: Metadata): Buffer {
    let b = this.metadataPart.get(m);
    if (b === undefined) {
      b = Buffer.from(metadataLineRest(m));
      if (this.metadataPart.size >= 100_000) this.metadataPart.clear();
      this.metadataPart.set(m, b);
    }
    return b;
  }
}

class VmJsonConsumer extends ByteOutput implements OutputConsumer {
  private readonly sel = new Selection();
  /** `{"metric":{...},"values":[` per series form, as bytes. */
  private readonly metric = new SeriesForms((ls) => Buffer.from('{"metric":' + labelsJSON(ls) + ',"values":['));
  private nan = 0;
  private histograms = 0;
  private exemplars = 0;
  private metadata = 0;
  constructor(
    sink: NodeJS.WritableStream,
    private readonly opts: WriterOptions,
  ) {
    super(sink);
  }

  get writtenSamples(): number {
    return this.sel.written;
  }

  begin(ctx: RunStart): void {
    this.sel.catalog = ctx.catalog;
  }

  request(ev: RequestEvent): Promise<void> | undefined {
    const sel = this.sel;
    if (!sel.select(ev)) return undefined;
    const r = ev.request;
    const ss = r.sampleStart;
    const stamps = r.timestamps;
    const values = r.values;
    const hs = r.histogramStart;
    const es = r.exemplarStart;
    for (let q = 0; q < sel.count; q++) {
      const i = sel.kept[q]!;
      if (hs !== null) this.histograms += hs[i + 1]! - hs[i]!;
      if (es !== null) this.exemplars += es[i + 1]! - es[i]!;
      const f0 = ss[i]!;
      const f1 = ss[i + 1]!;
      let n = 0;
      for (let j = f0; j < f1; j++) if (values[j] === values[j]) n++;
      this.nan += f1 - f0 - n;
      if (n === 0) continue;
      // {"metric":{...},"values":[v,...],"timestamps":[t,...]}\n, written as bytes
      this.bytes(this.metric.get(sel, r.ids[i]!, sel.strip[q] === 1));
      let first = true;
      for (let j = f0; j < f1; j++) {
        const v = values[j]!;
        if (v !== v) continue;
        if (!first) {
          this.room(1);
          this.buf[this.pos++] = 0x2c; // ,
        }
        first = false;
        this.value(v);
      }
      this.bytes(TIMESTAMPS_KEY);
      first = true;
      for (let j = f0; j < f1; j++) {
        if (values[j] !== values[j]) continue;
        if (!first) {
          this.room(1);
          this.buf[this.pos++] = 0x2c;
        }
        first = false;
        this.number(stamps[j]!);
      }
      this.room(3);
      this.buf[this.pos++] = 0x5d; // ]
      this.buf[this.pos++] = 0x7d; // }
      this.buf[this.pos++] = 0x0a; // \n
    }
    this.metadata += sel.metadata.length;
    return this.done();
  }

  /** A finite number or timestamp as numberText spells it (JSON.stringify), -0 as "-0" (vmValue). */
  private number(v: number): void {
    this.room(26);
    let end = writeInteger(this.buf, this.pos, v);
    if (end < 0) end = writeShortestDecimal(this.buf, this.pos, v);
    if (end >= 0) {
      this.pos = end;
      return;
    }
    this.text(vmValue(v));
  }

  /** A value as vmValue spells it (never NaN here). */
  private value(v: number): void {
    if (v - v === 0) this.number(v);
    else this.text(vmValue(v));
  }

  protected override finish(): void {
    if (this.nan > 0) {
      this.opts.onWarning(`vm-json: left out ${this.nan} NaN value(s) (stale markers included): VictoriaMetrics drops NaN on import and has no stale marker`);
    }
    if (this.histograms + this.exemplars + this.metadata > 0) {
      this.opts.onWarning(
        `vm-json: left out ${this.histograms} histogram sample(s), ${this.exemplars} exemplar(s) and ${this.metadata} metadata entr${this.metadata === 1 ? 'y' : 'ies'}: the format has no form for them`,
      );
    }
  }
}

/**
 * The capture record of a request as rwcap and rwcap-json write it: the original when nothing
 * changed, else the kept series re-encoded as Remote-Write 1.0 (snappy) from the columns. The
 * protobuf writer, the per-series label bytes and the snappy buffer belong to the writer; the
 * re-encoded body is valid until the next call.
 */
class CaptureRecords {
  private readonly pb = new PbWriter(1 << 16);
  private readonly scratch = new PbWriter(4096);
  private readonly snappy = { buf: new Uint8Array(1 << 16) };
  /** The encoded label fields of a TimeSeries, per series form. */
  private readonly labelBytes = new SeriesForms((ls) => {
    const w = this.scratch;
    w.reset();
    writeLabels(w, 1, ls);
    return w.finish();
  });

  record(ev: RequestEvent, sel: Selection): CapturedRequest {
    const r = ev.request;
    const cap = r.captured;
    if (cap !== null && !sel.changed && sel.count === r.seriesCount && sel.metadata.length === r.metadata.length) {
      return cap.bodyCrc32 === 0 ? { ...cap, bodyCrc32: crc32(cap.body) } : cap;
    }
    const body = snappyCompressInto(this.encode(r, sel), this.snappy);
    const headers: Record<string, string> = cap ? { ...cap.headers } : {};
    if (cap && 'x-prometheus-remote-write-version' in headers) headers['x-prometheus-remote-write-version'] = '0.1.0';
    return {
      receivedAtMs: r.receivedAtMs ?? 0,
      // a capture without a tenant stays without one; other inputs get the effective tenant
      tenant: r.tenant ?? (cap ? '' : ev.tenant),
      contentType: 'application/x-protobuf',
      contentEncoding: 'snappy',
      body,
      headers,
      remoteAddr: cap?.remoteAddr ?? '',
      path: cap?.path ?? '',
      bodyCrc32: crc32(body),
    };
  }

  /** The RW 1.0 WriteRequest of the kept series and the metadata (valid until the next call). */
  private encode(r: DecodedRequest, sel: Selection): Uint8Array {
    const w = this.pb;
    w.reset();
    const ids = r.ids;
    const ss = r.sampleStart;
    const stamps = r.timestamps;
    const values = r.values;
    const hs = r.histogramStart;
    const es = r.exemplarStart;
    for (let q = 0; q < sel.count; q++) {
      const i = sel.kept[q]!;
      w.ensure(1);
      w.buf[w.pos++] = 10;
      const m = w.beginMessage();
      w.raw(this.labelBytes.get(sel, ids[i]!, sel.strip[q] === 1));
      for (let j = ss[i]!, f1 = ss[i + 1]!; j < f1; j++) {
        const v = values[j]!;
        const t = stamps[j]!;
        w.ensure(1 + 1 + 9 + 11);
        w.buf[w.pos++] = 18;
        const sm = w.beginMessage();
        if (v !== v) {
          // NaN: the stale marker keeps its bits, any other NaN gets Prometheus's own
          const stale = staleAt(values, j);
          w.buf[w.pos++] = 9;
          w.view.setUint32(w.pos, stale ? STALE_NAN_LO : NORMAL_NAN_LO, true);
          w.view.setUint32(w.pos + 4, stale ? STALE_NAN_HI : NORMAL_NAN_HI, true);
          w.pos += 8;
        } else if (!isPositiveZero(v)) writeDoubleField(w, 9, v);
        if (t !== 0) {
          w.buf[w.pos++] = 16;
          w.int64(t);
        }
        w.endMessage(sm);
      }
      if (es !== null) {
        for (let j = es[i]!, e1 = es[i + 1]!; j < e1; j++) {
          const e = r.exemplars[j]!;
          w.tag(3, 2);
          const em = w.beginMessage();
          writeLabels(w, 1, e.labels);
          if (!isPositiveZero(e.value)) writeDoubleField(w, 17, e.value);
          if (e.timestamp !== 0) {
            w.tag(3, 0);
            w.int64(e.timestamp);
          }
          w.endMessage(em);
        }
      }
      if (hs !== null) {
        for (let j = hs[i]!, h1 = hs[i + 1]!; j < h1; j++) {
          w.tag(4, 2);
          const hm = w.beginMessage();
          writeHistogram(w, r.histograms[j]!);
          w.endMessage(hm);
        }
      }
      w.endMessage(m);
    }
    for (const md of sel.metadata) {
      w.tag(3, 2);
      const m = w.beginMessage();
      writeMetadata(w, md);
      w.endMessage(m);
    }
    return w.buf.subarray(0, w.pos);
  }
}

class RwcapConsumer extends ByteOutput implements OutputConsumer {
  private readonly sel = new Selection();
  private readonly records = new CaptureRecords();
  private readonly framed = new PbWriter(1 << 16);
  constructor(sink: NodeJS.WritableStream) {
    super(sink);
    this.bytes(RWCAP_MAGIC);
  }

  get writtenSamples(): number {
    return this.sel.written;
  }

  begin(ctx: RunStart): void {
    this.sel.catalog = ctx.catalog;
  }

  request(ev: RequestEvent): Promise<void> | undefined {
    if (!this.sel.select(ev)) return undefined;
    const w = this.framed;
    w.reset();
    encodeRecordInto(w, this.records.record(ev, this.sel));
    this.bytes(w.buf.subarray(0, w.pos));
    return this.done();
  }
}

class RwcapJsonConsumer extends ByteOutput implements OutputConsumer {
  private readonly sel = new Selection();
  private readonly records = new CaptureRecords();

  get writtenSamples(): number {
    return this.sel.written;
  }

  begin(ctx: RunStart): void {
    this.sel.catalog = ctx.catalog;
  }

  request(ev: RequestEvent): Promise<void> | undefined {
    if (!this.sel.select(ev)) return undefined;
    this.text(encodeRwcapJsonLine(this.records.record(ev, this.sel)) + '\n');
    return this.done();
  }
}

/** `none`: writes nothing, counts what would have been written. */
class NoneConsumer implements OutputConsumer {
  private written = 0;

  get writtenSamples(): number {
    return this.written;
  }

  begin(): void {}

  /** The samples a writer would write (Selection.select's count, without asking which series lose a label). */
  request(ev: RequestEvent): undefined {
    const r = ev.request;
    const d = ev.decision;
    if (d === null) {
      this.written += r.timestamps.length + r.histograms.length;
      return undefined;
    }
    const n = r.seriesCount;
    const outcomes = d.outcomes;
    const ss = r.sampleStart;
    const hs = r.histogramStart;
    let samples = 0;
    for (let i = 0; i < n; i++) {
      const o = outcomes[i]!;
      if (o === OUTCOME_DEDUPED || o === OUTCOME_REJECTED) continue;
      samples += ss[i + 1]! - ss[i]!;
      if (hs !== null) samples += hs[i + 1]! - hs[i]!;
    }
    this.written += samples;
    return undefined;
  }

  async end(): Promise<void> {}
  async sync(): Promise<void> {}
}

/** The output consumer of `format` onto `sink` (the caller owns and ends the sink; `none` ignores it). */
export function createOutputConsumer(format: OutputFormat, sink: NodeJS.WritableStream | null, opts: WriterOptions): OutputConsumer {
  if (format === 'none' || sink === null) return new NoneConsumer();
  switch (format) {
    case 'ndjson':
      return new NdjsonConsumer(sink);
    case 'vm-json':
      return new VmJsonConsumer(sink, opts);
    case 'rwcap':
      return new RwcapConsumer(sink);
    case 'rwcap-json':
      return new RwcapJsonConsumer(sink);
  }
}
