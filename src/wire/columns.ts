// Requests as the pipeline carries them (DecodedRequest: series as SeriesIds, samples as
// columns; src/model/decoded.ts). The engine's readers decode Remote-Write 1.0 straight into
// columns (ColumnsCodec, prompb.ts Rw1ColumnsDecoder); other formats decode to round-1 objects,
// converted here (toSeries). Every request gets arrays of its own.
import type { CapturedRequest, DecodedRequest, DecodedSeries, Exemplar, Histogram, Label, RemoteWriteVersion, Request, Sample, TimeSeries, WriteRequest } from '../model/index.js';
import { decodeContentEncoding, remoteWriteVersion } from './body.js';
import { Rw1ColumnsDecoder } from './prompb.js';
import { decodeWriteRequestV2 } from './rw2.js';
import type { SeriesRegistry } from './series.js';
import { SnappyCodec, type SnappyOptions } from './snappy.js';

export interface EnvelopeFacts {
  protocol: RemoteWriteVersion | null;
  wireBytes: number;
  decodedBytes: number;
}

/** A request of round-1 objects as columns, its series registered in `registry`. */
function toSeries(write: WriteRequest, registry: SeriesRegistry): DecodedSeries {
  const series = write.timeseries;
  const n = series.length;
  const ids = new Int32Array(n);
  const sampleStart = new Int32Array(n + 1);
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    samples += s.samples.length;
    histograms += s.histograms.length;
    exemplars += s.exemplars.length;
  }
  const timestamps = new Float64Array(samples);
  const values = new Float64Array(samples);
  const histogramStart = histograms > 0 ? new Int32Array(n + 1) : null;
  const hs: Histogram[] = histograms > 0 ? new Array<Histogram>(histograms) : [];
  const exemplarStart = exemplars > 0 ? new Int32Array(n + 1) : null;
  const es: Exemplar[] = exemplars > 0 ? new Array<Exemplar>(exemplars) : [];
  let k = 0;
  let h = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    ids[i] = registry.idOf(s.labels);
    sampleStart[i] = k;
    const ss = s.samples;
    for (let j = 0; j < ss.length; j++, k++) {
      const x = ss[j]!;
      timestamps[k] = x.timestamp;
      values[k] = x.value;
    }
    if (histogramStart !== null) {
      histogramStart[i] = h;
      for (const x of s.histograms) hs[h++] = x;
    }
    if (exemplarStart !== null) {
      exemplarStart[i] = e;
      for (const x of s.exemplars) es[e++] = x;
    }
  }
  sampleStart[n] = k;
  if (histogramStart !== null) histogramStart[n] = h;
  if (exemplarStart !== null) exemplarStart[n] = e;
  return { seriesCount: n, ids, sampleStart, timestamps, values, histogramStart, histograms: hs, exemplarStart, exemplars: es, metadata: write.metadata };
}

/** A request as the pipeline's DecodedRequest: its columns when the reader made them, else converted from its objects. */
export function toDecoded(req: Request, registry: SeriesRegistry, facts: EnvelopeFacts): DecodedRequest {
  const s = req.series ?? toSeries(req.write, registry);
  return {
    inputIndex: req.inputIndex,
    recordIndex: req.recordIndex,
    offset: req.offset,
    tenant: req.tenant,
    receivedAtMs: req.receivedAtMs,
    protocol: facts.protocol,
    captured: req.captured ?? null,
    wireBytes: facts.wireBytes,
    decodedBytes: facts.decodedBytes,
    seriesCount: s.seriesCount,
    ids: s.ids,
    sampleStart: s.sampleStart,
    timestamps: s.timestamps,
    values: s.values,
    histogramStart: s.histogramStart,
    histograms: s.histograms,
    exemplarStart: s.exemplarStart,
    exemplars: s.exemplars,
    metadata: s.metadata,
  };
}

/** Columns back to round-1 objects (the labels from the catalog). */
function toWrite(s: DecodedSeries, registry: SeriesRegistry): WriteRequest {
  const timeseries: TimeSeries[] = [];
  for (let i = 0; i < s.seriesCount; i++) {
    const samples: Sample[] = [];
    for (let j = s.sampleStart[i]!; j < s.sampleStart[i + 1]!; j++) samples.push({ value: s.values[j]!, timestamp: s.timestamps[j]! });
    const histograms = s.histogramStart === null ? [] : s.histograms.slice(s.histogramStart[i]!, s.histogramStart[i + 1]!);
    const exemplars = s.exemplarStart === null ? [] : s.exemplars.slice(s.exemplarStart[i]!, s.exemplarStart[i + 1]!);
    timeseries.push({ labels: registry.labels(s.ids[i]!) as Label[], samples, exemplars, histograms });
  }
  return { timeseries, metadata: s.metadata as WriteRequest['metadata'] };
}

/** A request whose body was decoded into columns; `write` is built from them when first read. */
export class ColumnsRequest implements Request {
  private built: WriteRequest | undefined;
  captured?: CapturedRequest;
  constructor(
    public inputIndex: number,
    public recordIndex: number,
    public offset: number,
    public tenant: string | null,
    public receivedAtMs: number | null,
    readonly series: DecodedSeries,
    private readonly registry: SeriesRegistry,
    captured: CapturedRequest | undefined,
  ) {
    if (captured !== undefined) this.captured = captured;
  }
  get write(): WriteRequest {
    return (this.built ??= toWrite(this.series, this.registry));
  }
  set write(w: WriteRequest) {
    this.built = w;
  }
}

/**
 * The run's body decoder into columns (the engine hands one to its readers): Remote-Write 1.0
 * through the registry by label bytes, 2.0 decoded to objects then registered.
 */
export class ColumnsCodec {
  private readonly rw1: Rw1ColumnsDecoder;
  readonly snappy: SnappyCodec;
  constructor(
    readonly registry: SeriesRegistry,
    snappy: SnappyOptions = {},
  ) {
    this.rw1 = new Rw1ColumnsDecoder(registry);
    this.snappy = new SnappyCodec(snappy);
  }

  proto(bytes: Uint8Array, version: RemoteWriteVersion): DecodedSeries {
    return version === 'rw2' ? toSeries(decodeWriteRequestV2(bytes), this.registry) : this.rw1.decode(bytes);
  }

  /** decodeCapturedBody (body.ts) into columns. */
  capturedBody(body: Uint8Array, contentType: string, contentEncoding: string, maxDecodedSize: number): { series: DecodedSeries; decodedBytes: number } {
    const version = remoteWriteVersion(contentType);
    const enc = contentEncoding.trim().toLowerCase();
    const raw = enc === 'snappy' ? this.snappy.decompressTransient(body, maxDecodedSize) : decodeContentEncoding(body, contentEncoding, maxDecodedSize, true);
    return { series: this.proto(raw, version), decodedBytes: raw.length };
  }

  /** decodeRawBody (body.ts) into columns: a snappy block, or an uncompressed body when it is not valid snappy. */
  rawBody(body: Uint8Array, version: RemoteWriteVersion, maxDecodedSize: number): { series: DecodedSeries; decodedBytes: number } {
    let raw: Uint8Array;
    try {
      raw = this.snappy.decompressTransient(body, maxDecodedSize);
    } catch (snappyErr) {
      if (body.length <= maxDecodedSize) {
        try {
          return { series: this.proto(body, version), decodedBytes: body.length };
        } catch {
          // fall through: report the snappy error
        }
      }
      throw snappyErr;
    }
    try {
      return { series: this.proto(raw, version), decodedBytes: raw.length };
    } catch (protoErr) {
      try {
        return { series: this.proto(body, version), decodedBytes: body.length };
      } catch {
        throw protoErr;
      }
    }
  }
}
