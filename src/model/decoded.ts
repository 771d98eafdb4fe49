// A decoded request as the pipeline carries it: the envelope, and its series as columns.
//
// Every input format decodes into this one shape (src/wire/): one request of Remote-Write (1.0
// or 2.0, from a capture or a bare body), one NDJSON request (lines sharing tenant and
// received_at_ms), one vm-json line, one rwcap-json line. Series are not objects: each series of
// the request is a per-run id (SeriesId, see SeriesCatalog) plus a range of the sample columns.
// Columns make a request cheap to build, to hand from a decode worker to the main thread, and to
// read for every consumer (report, writers, doctor, timeline, send), none of which needs one
// object per sample.
//
// Ownership: a DecodedRequest and its arrays belong to the pipeline; consumers read them during
// the call they are given them in (and until a promise they return resolves) and never mutate
// them. What a consumer keeps, it copies. Decoders give each request arrays of its own (no
// scratch buffer reused under a request still in flight).
import type { CapturedRequest, Exemplar, Histogram, Label, Metadata } from './types.js';

/**
 * Per-run identity of a distinct label set, exactly as sent (the replica label included, so the
 * twins of a series from two replicas have two ids). Dense: ids are handed out 0, 1, 2, ... in
 * order of first appearance in the run, so consumers keep per-series state in arrays indexed by
 * id. Two requests carrying equal label sets (same names and values, in any order, in any input
 * format) carry the same id.
 */
export type SeriesId = number;

/** The run's label sets, by id (src/wire/ owns the implementation; one per run). */
export interface SeriesCatalog {
  /** Ids handed out so far: every id seen by a consumer is < size. */
  readonly size: number;
  /**
   * The labels of `id`, in the order first decoded (Prometheus sends them sorted by name). The
   * array may be built on each call: a consumer that needs it per request keeps its own cache
   * keyed by id. Never mutate it.
   */
  labels(id: SeriesId): readonly Label[];
  /** The value of label `name` on series `id`, or "" when the series has no such label. */
  labelValue(id: SeriesId, name: string): string;
  /**
   * Optional: a number (dense per `drop`) equal for two ids exactly when their label sets are
   * equal but for label `drop` (a series' twins from two replicas), found without building
   * label objects. A consumer that keys state by it uses it for every id of the run.
   */
  twinId?(id: SeriesId, drop: string): number;
}

/** Which protocol a request's body used; null for sample formats (ndjson, vm-json). */
export type RemoteWriteVersion = 'rw1' | 'rw2';

export interface DecodedRequest {
  /** Which input (0-based, command-line order). */
  inputIndex: number;
  /** Record index (0-based) or line number (1-based, line formats) within the input. */
  recordIndex: number;
  /** Byte offset of the record within the (decompressed) input. */
  offset: number;
  /** Tenant the record carries; null when it carries none (the pipeline applies --tenant). */
  tenant: string | null;
  /** Receive time (Unix ms) when the input carries one, else null. */
  receivedAtMs: number | null;
  /** Protocol of the body (rwcap, rwcap-json, remote-write); null for ndjson and vm-json. */
  protocol: RemoteWriteVersion | null;
  /** The original envelope when the request came from a capture (rwcap, rwcap-json), body untouched. */
  captured: CapturedRequest | null;
  /** Body bytes on the wire and after decompression (inspect); for line formats, the line bytes. */
  wireBytes: number;
  decodedBytes: number;

  /** Number of series in the request (0 for a metadata-only request). */
  seriesCount: number;
  /** Per series, in wire order: its SeriesId. Length seriesCount. */
  ids: Int32Array;
  /**
   * Float samples of series i are timestamps[sampleStart[i] .. sampleStart[i + 1]) and the same
   * range of values, in wire order. Length seriesCount + 1; sampleStart[0] = 0.
   */
  sampleStart: Int32Array;
  /** Sample timestamps, Unix ms (safe integers). */
  timestamps: Float64Array;
  /**
   * Sample values, bit-exact: the Prometheus stale marker keeps its bits (0x7ff0000000000002)
   * and is told apart with isStaleNaN(); any other NaN reads as NaN and is written with
   * Prometheus's own NaN bits.
   */
  values: Float64Array;
  /**
   * Native histograms of series i are histograms[histogramStart[i] .. histogramStart[i + 1]).
   * null when the request holds no histogram (the usual case); histograms is then empty.
   * A histogram is a sample too: counted, deduplicated and reported like a float.
   */
  histogramStart: Int32Array | null;
  histograms: readonly Histogram[];
  /** Exemplars of series i, the same way; null when the request holds none. */
  exemplarStart: Int32Array | null;
  exemplars: readonly Exemplar[];
  /** Metric metadata entries of the request (shared, immutable objects). */
  metadata: readonly Metadata[];
}

/** Float samples + histograms of series i of `r`. */
export function seriesSampleCount(r: DecodedRequest, i: number): number {
  let n = r.sampleStart[i + 1]! - r.sampleStart[i]!;
  const h = r.histogramStart;
  if (h !== null) n += h[i + 1]! - h[i]!;
  return n;
}

/** Float samples + histograms of the whole request. */
export function requestSampleCount(r: DecodedRequest): number {
  return r.timestamps.length + r.histograms.length;
}

/** The series part of a DecodedRequest, as a decoder builds it (the envelope is the pipeline's). */
export type DecodedSeries = Pick<
  DecodedRequest,
  'seriesCount' | 'ids' | 'sampleStart' | 'timestamps' | 'values' | 'histogramStart' | 'histograms' | 'exemplarStart' | 'exemplars' | 'metadata'
>;
