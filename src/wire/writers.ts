// Output writers (SPEC 8): ndjson, vm-json, rwcap, rwcap-json, none. Output is buffered into
// large chunks and honours backpressure: write() returns a promise when the sink's buffer is
// full (await it before writing more); end() flushes and emits the vm-json warnings once.
// The same input gives byte-identical output.
import type { CapturedRequest, Label, Metadata, OutputFormat, Request, TimeSeries } from '../model/index.js';
import { crc32 } from './crc32.js';
import { encodeNdjsonRequest, linePrefix, metadataLineRest } from './ndjson.js';
import { labelsJSON, valueJSON } from './jsonvalues.js';
import { writeInteger, writeShortestDecimal } from './numfmt.js';
import { encodeWriteRequestTransient } from './prompb.js';
import { RWCAP_MAGIC, encodeCaptureRecordTransient } from './rwcap.js';
import { encodeRwcapJsonLine } from './rwcapjson.js';
import { snappyCompressTransient } from './snappy.js';
import { encodeVmJsonSeries } from './vmjson.js';

export { withoutLabelShared } from './labelcache.js';

export interface OutputWriter {
  /**
   * Emit one request for `tenant` (null: write none, e.g. convert of a record without one).
   * `series` is what to emit (replica labels already removed by the caller);
   * `labelsChanged` false with every series and metadata entry kept lets rwcap/rwcap-json keep the
   * captured body byte for byte. `series` and its objects are read during the call only (the
   * caller may reuse them). Returns a promise when the caller must wait (backpressure).
   */
  write(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined;
  /** Flush everything buffered and emit the once-per-run warnings. Does not end the sink. */
  end(): Promise<void>;
  /**
   * Hand everything buffered to the sink and wait until the sink has taken every write (for a
   * file: the kernel has the bytes), without ending the run: a --db commits after it (issue 13.5).
   */
  sync(): Promise<void>;
}

export interface WriterOptions {
  /** One warning (without the "ha-dedup: warning: " prefix). */
  onWarning(msg: string): void;
}

const FLUSH_AT = 256 * 1024;

/**
 * Writes a writer lets be in flight (~2 MiB): enough to keep decoding and the kernel's copy (a
 * libuv thread) going at once; a writer with this many out waits (the backpressure).
 */
const BUFFERS = 8;

/** Room for one request's output past FLUSH_AT (room() grows the buffer when a request needs more). */
const BUF_SIZE = FLUSH_AT + (64 << 10);

/**
 * Output gathered in a byte buffer and handed to the sink in ~256 KiB writes, at most BUFFERS in
 * flight; write() returns a promise when that many are out.
 *
 * A sink with a file descriptor (a file stream, process.stdout on a file, pipe or terminal) has
 * the bytes in the kernel when it calls a write's callback, so the buffer goes back to a pool
 * and is filled again (docs/perf.md: a fresh buffer per flush lived until its write completed,
 * survived scavenges, and its memory waited for a full GC). Any other stream may still hold the
 * chunk after the callback (a PassThrough queues it for its reader): it gets a fresh buffer
 * every time.
 */
export abstract class ByteOutput {
  protected buf: Buffer = Buffer.allocUnsafe(BUF_SIZE);
  protected pos = 0;
  /** Buffers back from an fd sink, ready to fill. */
  private readonly free: Buffer[] = [];
  private readonly reuse: boolean;
  /** Woken when a write completes (or the sink fails). */
  private waiter: { resolve(): void; reject(e: Error): void } | null = null;
  private failed: Error | null = null;
  private inFlight = 0;

  constructor(private readonly sink: NodeJS.WritableStream) {
    this.reuse = typeof (sink as { fd?: unknown }).fd === 'number';
    sink.on('error', (e: Error) => {
      this.failed ??= e;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    if (w === null) return;
    if (this.failed !== null) w.reject(this.failed);
    else w.resolve();
  }

  /** Make room for n more bytes. */
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  protected bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    if (n < 8) {
      const out = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) out[p++] = b[i]!;
      this.pos = p;
    } else {
      // TypedArray set (a builtin) beats a byte loop from ~10 bytes and Buffer.copy at every size
      this.buf.set(b, this.pos);
      this.pos += n;
    }
  }

  protected text(s: string): void {
    this.room(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos);
  }

  /** Flush when FLUSH_AT is reached; what write() returns. */
  protected done(): Promise<void> | undefined {
    return this.pos >= FLUSH_AT ? this.flush() : undefined;
  }

  private flush(): Promise<void> | undefined {
    if (this.pos === 0) return undefined;
    const full = this.buf;
    this.inFlight++;
    this.sink.write(full.subarray(0, this.pos), () => {
      this.inFlight--;
      if (this.reuse) this.free.push(full);
      this.wake();
    });
    this.pos = 0;
    if (this.inFlight < BUFFERS) {
      this.buf = this.free.pop() ?? Buffer.allocUnsafe(BUF_SIZE);
      return undefined;
    }
    return this.until(() => this.inFlight < BUFFERS).then(() => {
      this.buf = this.free.pop() ?? Buffer.allocUnsafe(BUF_SIZE);
    });
  }

  /** Resolves once `ready()` holds, checked each time a buffer comes back; rejects when the sink fails. */
  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.failed !== null) throw this.failed;
      await new Promise<void>((resolve, reject) => {
        this.waiter = { resolve, reject };
      });
    }
    if (this.failed !== null) throw this.failed;
  }

  /** Flush what is buffered and wait until the sink has taken every write. */
  async end(): Promise<void> {
    await this.sync();
    this.finish();
  }

  async sync(): Promise<void> {
    const p = this.flush();
    if (p) await p;
    await this.until(() => this.inFlight === 0);
  }

  /** Once-per-run work after the last flush (warnings). */
  protected finish(): void {}
}

/**
 * Bytes of `"labels":{...sorted...},"timestamp":`, cached on the labels array itself under a symbol
 * (non-enumerable: deep equality, JSON and iteration ignore it). Decoders and withoutLabelShared
 * give one array per distinct series, and a property read is cheaper than a WeakMap lookup.
 */
const LABELS_PART = Symbol('ha-dedup.ndjsonLabelsPart');
type WithLabelsPart = { [LABELS_PART]?: Buffer };
function labelsPart(labels: readonly Label[]): Buffer {
  const cached = (labels as WithLabelsPart)[LABELS_PART];
  if (cached !== undefined) return cached;
  const b = Buffer.from('"labels":' + labelsJSON(labels) + ',"timestamp":');
  if (Object.isExtensible(labels)) Object.defineProperty(labels, LABELS_PART, { value: b, enumerable: false });
  return b;
}

/** Bytes of `"metadata":{...}}\n`, cached on the Metadata object (decoders share one per distinct entry). */
const METADATA_PART = Symbol('ha-dedup.ndjsonMetadataPart');
type WithMetadataPart = { [METADATA_PART]?: Buffer };
function metadataPart(m: Metadata): Buffer {
  const cached = (m as WithMetadataPart)[METADATA_PART];
  if (cached !== undefined) return cached;
  const b = Buffer.from(metadataLineRest(m));
  if (Object.isExtensible(m)) Object.defineProperty(m, METADATA_PART, { value: b, enumerable: false });
  return b;
}

const VALUE_KEY = Buffer.from(',"value":');

/**
 * ndjson is the hot output (SPEC 11: >= 400,000 samples/s), so it is written straight into the
 * byte buffer: per sample the cached prefix and labels bytes are copied and only the timestamp
 * and value are formatted.
 */
class NdjsonWriter extends ByteOutput {
  /** A timestamp or value as valueJSON spells it: integers and short decimals without a string. */
  private number(v: number): void {
    this.room(26); // numfmt needs 24, and "}\n" follows a value
    let end = writeInteger(this.buf, this.pos, v);
    if (end < 0) end = writeShortestDecimal(this.buf, this.pos, v);
    if (end >= 0) {
      this.pos = end;
      return;
    }
    const s = valueJSON(v);
    const out = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i); // ASCII: digits, "e", quoted specials
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
          this.number(smp.timestamp);
          this.bytes(VALUE_KEY);
          this.number(smp.value);
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
    for (let i = 0; i < metadata.length; i++) {
      this.bytes(prefixBytes);
      this.bytes(metadataPart(metadata[i]!));
    }
    return this.done();
  }
}

class VmJsonWriter extends ByteOutput {
  private dropped = { nan: 0 };
  /** Each series' metric prefix, per labels array, for this writer's run. */
  private readonly metricCache = new WeakMap<readonly Label[], string>();
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
      const line = encodeVmJsonSeries(ts, this.dropped, this.metricCache);
      if (line !== null) out += line + '\n';
    }
    this.metadata += metadata.length;
    if (out !== '') this.text(out);
    return this.done();
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

/**
 * The capture record to emit: the original when nothing changed, else a RW 1.0 snappy re-encoding
 * whose body is transient (valid until the next call: encode it at once).
 */
function outputRecord(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): CapturedRequest {
  const cap = req.captured;
  const unchanged =
    cap !== undefined &&
    !labelsChanged &&
    series.length === req.write.timeseries.length &&
    metadata.length === req.write.metadata.length;
  if (unchanged) return cap.bodyCrc32 === 0 ? { ...cap, bodyCrc32: crc32(cap.body) } : cap;
  const body = snappyCompressTransient(encodeWriteRequestTransient({ timeseries: series, metadata }));
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

class RwcapWriter extends ByteOutput {
  constructor(sink: NodeJS.WritableStream) {
    super(sink);
    this.bytes(RWCAP_MAGIC);
  }
  write(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined {
    this.bytes(encodeCaptureRecordTransient(outputRecord(req, tenant, series, labelsChanged, metadata)));
    return this.done();
  }
}

class RwcapJsonWriter extends ByteOutput {
  write(req: Request, tenant: string | null, series: TimeSeries[], labelsChanged: boolean, metadata: Metadata[]): Promise<void> | undefined {
    this.text(encodeRwcapJsonLine(outputRecord(req, tenant, series, labelsChanged, metadata)) + '\n');
    return this.done();
  }
}

class NoneWriter implements OutputWriter {
  write(): undefined {
    return undefined;
  }
  async end(): Promise<void> {}
  async sync(): Promise<void> {}
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
