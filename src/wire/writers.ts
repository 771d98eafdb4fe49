// Output writers (SPEC 8): ndjson, vm-json, rwcap, rwcap-json, none. Output is buffered into
// large chunks and honours backpressure: write() returns a promise when the sink's buffer is
// full (await it before writing more); end() flushes and emits the vm-json warnings once.
// The same input gives byte-identical output.
import type { CapturedRequest, Label, Metadata, OutputFormat, Request, TimeSeries } from '../model/index.js';
import { crc32 } from './crc32.js';
import { encodeNdjsonRequest, linePrefix } from './ndjson.js';
import { labelsJSON, valueJSON } from './jsonvalues.js';
import { encodeWriteRequest } from './prompb.js';
import { RWCAP_MAGIC, encodeCaptureRecord } from './rwcap.js';
import { encodeRwcapJsonLine } from './rwcapjson.js';
import { snappyCompress } from './snappy.js';
import { encodeVmJsonSeries } from './vmjson.js';

export { withoutLabelShared } from './labelcache.js';

export interface OutputWriter {
  /**
   * Emit one request for `tenant` (null: write none, e.g. convert of a record without one).
   * `series` is what to emit (replica labels already removed by the caller);
   * `labelsChanged` false with every series and metadata entry kept lets rwcap/rwcap-json keep the
   * captured body byte for byte. Returns a promise when the caller must wait (backpressure).
   */
  write(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined;
  /** Flush everything buffered and emit the once-per-run warnings. Does not end the sink. */
  end(): Promise<void>;
}

export interface WriterOptions {
  /** One warning (without the "ha-dedup: warning: " prefix). */
  onWarning(msg: string): void;
}

const FLUSH_AT = 256 * 1024;

/** Resolves at the sink's next 'drain' (rejects on its 'error'). */
function drained(sink: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      sink.off('error', onError);
      resolve();
    };
    const onError = (e: Error) => {
      sink.off('drain', onDrain);
      reject(e);
    };
    sink.once('drain', onDrain);
    sink.once('error', onError);
  });
}

abstract class Buffered {
  private parts: (string | Uint8Array)[] = [];
  private size = 0;
  constructor(protected readonly sink: NodeJS.WritableStream) {}

  protected push(chunk: string | Uint8Array): Promise<void> | undefined {
    this.parts.push(chunk);
    this.size += chunk.length;
    return this.size >= FLUSH_AT ? this.flush() : undefined;
  }

  protected flush(): Promise<void> | undefined {
    if (this.parts.length === 0) return undefined;
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    let data: string | Buffer;
    if (parts.every((p) => typeof p === 'string')) data = (parts as string[]).join('');
    else data = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const ok = this.sink.write(data);
    if (ok) return undefined;
    return drained(this.sink);
  }

  async end(): Promise<void> {
    const p = this.flush();
    if (p) await p;
    this.finish();
  }

  protected finish(): void {}
}

/**
 * Bytes of `"labels":{...sorted...},`, cached on the labels array itself under a symbol
 * (non-enumerable: deep equality, JSON and iteration ignore it). Decoders and withoutLabelShared
 * give one array per distinct series, and a property read is cheaper than a WeakMap lookup.
 */
const LABELS_PART = Symbol('ha-dedup.ndjsonLabelsPart');
type WithLabelsPart = { [LABELS_PART]?: Buffer };
function labelsPart(labels: readonly Label[]): Buffer {
  const cached = (labels as WithLabelsPart)[LABELS_PART];
  if (cached !== undefined) return cached;
  const b = Buffer.from('"labels":' + labelsJSON(labels) + ',');
  if (Object.isExtensible(labels)) Object.defineProperty(labels, LABELS_PART, { value: b, enumerable: false });
  return b;
}

const TIMESTAMP_KEY = Buffer.from('"timestamp":');
const VALUE_KEY = Buffer.from(',"value":');

/**
 * ndjson is the hot output (SPEC 11: >= 400,000 samples/s), so it is written straight into a
 * large byte buffer: per sample the cached prefix and labels bytes are copied and only the
 * timestamp and value are formatted.
 */
const NDJSON_BUF = FLUSH_AT + (64 << 10); // a request's lines rarely pass FLUSH_AT by more; room() grows it if they do

/**
 * How much written data the ndjson writer lets the sink queue before it waits for 'drain':
 * PENDING_FACTOR times the sink's highWaterMark, at most MAX_PENDING. Waiting at the sink's own
 * small highWaterMark (16 KiB for a file or pipe) stopped decoding at every 256 KiB flush until
 * the write had reached the kernel; ~1 MiB in flight keeps both going.
 */
const PENDING_FACTOR = 64;
const MAX_PENDING = 4 << 20;

class NdjsonWriter {
  private buf = Buffer.allocUnsafe(NDJSON_BUF);
  private pos = 0;
  constructor(private readonly sink: NodeJS.WritableStream) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private bytes(b: Buffer): void {
    const n = b.length;
    this.room(n);
    if (n < 48) {
      const out = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) out[p++] = b[i]!;
      this.pos = p;
    } else {
      b.copy(this.buf, this.pos);
      this.pos += n;
    }
  }

  private lastTs = NaN;
  private lastTsText = '';

  /** A safe integer below 1e15 in decimal (what String() gives), with room for "}\\n" after it. */
  private int(v: number): void {
    this.room(20);
    const out = this.buf;
    if (v === 0) {
      if (1 / v < 0) out[this.pos++] = 0x2d; // -0 keeps its sign, as valueJSON writes it
      out[this.pos++] = 0x30;
      return;
    }
    if (v < 0) {
      out[this.pos++] = 0x2d;
      v = -v;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 10) {
      const q = Math.floor(v / 10);
      out[--p] = 0x30 + (v - q * 10);
      v = q;
    }
    out[--p] = 0x30 + v;
  }

  /** An ASCII-only string (numbers, quoted specials). */
  private ascii(s: string): void {
    const n = s.length;
    this.room(n + 2); // and "}\\n" after a value
    const out = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) out[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  write(req: Request, tenant: string | null, series: TimeSeries[], _labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined {
    const prefix = linePrefix(tenant, req.receivedAtMs);
    const prefixBytes = Buffer.from(prefix);
    let rest: TimeSeries[] | null = null;
    for (let i = 0; i < series.length; i++) {
      const ts = series[i]!;
      const samples = ts.samples;
      if (samples.length > 0) {
        const lb = labelsPart(ts.labels);
        for (let j = 0; j < samples.length; j++) {
          const smp = samples[j]!;
          this.bytes(prefixBytes);
          this.bytes(lb);
          this.bytes(TIMESTAMP_KEY);
          const t = smp.timestamp;
          if (t !== this.lastTs) {
            this.lastTs = t;
            this.lastTsText = String(t);
          }
          this.ascii(this.lastTsText);
          this.bytes(VALUE_KEY);
          const v = smp.value;
          if (Number.isSafeInteger(v) && v > -1e15 && v < 1e15) this.int(v);
          else this.ascii(valueJSON(v));
          this.buf[this.pos++] = 0x7d; // }
          this.buf[this.pos++] = 0x0a; // \n
        }
      }
      if (ts.histograms.length > 0 || ts.exemplars.length > 0) {
        (rest ??= []).push({ labels: ts.labels, samples: [], histograms: ts.histograms, exemplars: ts.exemplars });
      }
      if (rest !== null && rest.length > 0 && (i === series.length - 1 || series[i + 1]!.samples.length > 0)) {
        this.text(encodeNdjsonRequest(prefix, rest, []));
        rest.length = 0;
      }
    }
    if (metadata.length > 0) this.text(encodeNdjsonRequest(prefix, [], metadata));
    return this.pos >= FLUSH_AT ? this.flush() : undefined;
  }

  private text(s: string): void {
    const n = Buffer.byteLength(s);
    this.room(n);
    this.pos += this.buf.write(s, this.pos);
  }

  private flush(): Promise<void> | undefined {
    if (this.pos === 0) return undefined;
    // hand the filled buffer to the sink and start a fresh one (no copy)
    const data = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(NDJSON_BUF);
    this.pos = 0;
    if (this.sink.write(data)) return undefined;
    const { writableLength, writableHighWaterMark } = this.sink as { writableLength?: number; writableHighWaterMark?: number };
    // 'drain' still comes later: this write returned false
    if (writableLength !== undefined && writableHighWaterMark !== undefined && writableLength < Math.min(MAX_PENDING, writableHighWaterMark * PENDING_FACTOR)) return undefined;
    return drained(this.sink);
  }

  async end(): Promise<void> {
    const p = this.flush();
    if (p) await p;
    else if ((this.sink as { writableNeedDrain?: boolean }).writableNeedDrain) await drained(this.sink); // what flush() let queue
  }
}

class VmJsonWriter extends Buffered {
  private dropped = { nan: 0 };
  private histograms = 0;
  private exemplars = 0;
  private metadata = 0;
  constructor(sink: NodeJS.WritableStream, private readonly opts: WriterOptions) {
    super(sink);
  }
  write(_req: Request, _tenant: string | null, series: TimeSeries[], _labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined {
    let out = '';
    for (const ts of series) {
      this.histograms += ts.histograms.length;
      this.exemplars += ts.exemplars.length;
      const line = encodeVmJsonSeries(ts, this.dropped);
      if (line !== null) out += line + '\n';
    }
    this.metadata += metadata.length;
    return out === '' ? undefined : this.push(out);
  }
  protected override finish(): void {
    if (this.dropped.nan > 0) {
      this.opts.onWarning(`vm-json: left out ${this.dropped.nan} NaN value(s) (stale markers included): VictoriaMetrics drops NaN on import and has no stale marker`);
    }
    if (this.histograms + this.exemplars + this.metadata > 0) {
      this.opts.onWarning(
        `vm-json: left out ${this.histograms} histogram sample(s), ${this.exemplars} exemplar(s) and ${this.metadata} metadata entr${this.metadata === 1 ? 'y' : 'ies'}: the format has no form for them`,
      );
    }
  }
}

/** The capture record to emit: the original when nothing changed, else a RW 1.0 snappy re-encoding. */
function outputRecord(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): CapturedRequest {
  const cap = req.captured;
  const unchanged =
    cap !== undefined &&
    !labelsChanged &&
    series.length === req.write.timeseries.length &&
    metadata.length === req.write.metadata.length;
  if (unchanged) return cap.bodyCrc32 === 0 ? { ...cap, bodyCrc32: crc32(cap.body) } : cap;
  const body = snappyCompress(encodeWriteRequest({ timeseries: series, metadata }));
  const headers: Record<string, string> = cap ? { ...cap.headers } : {};
  if (cap && 'x-prometheus-remote-write-version' in headers) headers['x-prometheus-remote-write-version'] = '0.1.0';
  return {
    receivedAtMs: req.receivedAtMs ?? 0,
    // a capture without a tenant stays without one; other inputs get the effective tenant
    tenant: req.tenant ?? (cap ? '' : (tenant ?? '')),
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    body,
    headers,
    remoteAddr: cap?.remoteAddr ?? '',
    path: cap?.path ?? '',
    bodyCrc32: crc32(body),
  };
}

class RwcapWriter extends Buffered {
  constructor(sink: NodeJS.WritableStream) {
    super(sink);
    void this.push(RWCAP_MAGIC);
  }
  write(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined {
    return this.push(encodeCaptureRecord(outputRecord(req, tenant, series, labelsChanged, metadata)));
  }
}

class RwcapJsonWriter extends Buffered {
  write(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined {
    return this.push(encodeRwcapJsonLine(outputRecord(req, tenant, series, labelsChanged, metadata)) + '\n');
  }
}

class NoneWriter implements OutputWriter {
  write(): undefined {
    return undefined;
  }
  async end(): Promise<void> {}
}

/** A writer for the output format onto `sink` (the caller owns and ends the sink). */
export function createOutputWriter(format: OutputFormat, sink: NodeJS.WritableStream, opts: WriterOptions): OutputWriter {
  switch (format) {
    case 'ndjson':
      return new NdjsonWriter(sink);
    case 'vm-json':
      return new VmJsonWriter(sink, opts);
    case 'rwcap':
      return new RwcapWriter(sink);
    case 'rwcap-json':
      return new RwcapJsonWriter(sink);
    case 'none':
      return new NoneWriter();
  }
}
