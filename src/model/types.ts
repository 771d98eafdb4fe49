// Plain types shared by every part of ha-dedup. This module imports nothing but the columns type
// of decoded.ts (a type only).
import type { DecodedSeries } from './decoded.js';

/** One label pair. Label order is kept as on the wire; helpers in labels.ts sort when needed. */
export interface Label {
  name: string;
  value: string;
}

/**
 * One float sample. `value` may be NaN; the Prometheus stale marker is the NaN with bits
 * 0x7ff0000000000002 and is carried as the constant STALE_NAN (see values.ts). Decoders map a
 * stale NaN to STALE_NAN and every other NaN to the JS NaN; encoders write STALE_NAN's bits for
 * a stale marker and Prometheus's own NaN bits (0x7ff8000000000001) for any other NaN.
 */
export interface Sample {
  value: number;
  timestamp: number; // ms since epoch
}

export interface Exemplar {
  labels: Label[];
  value: number;
  timestamp: number;
}

export interface BucketSpan {
  offset: number;
  length: number;
}

export type ResetHint = 'unknown' | 'yes' | 'no' | 'gauge';

/**
 * A native histogram, Remote-Write 1.0 field names. An integer histogram has
 * `countInt`/`zeroCountInt` and positive/negative deltas; a float histogram has
 * `countFloat`/`zeroCountFloat` and positive/negative counts. `isFloat` tells which.
 */
export interface Histogram {
  isFloat: boolean;
  count: number; // count_int or count_float
  zeroCount: number; // zero_count_int or zero_count_float
  sum: number;
  schema: number;
  zeroThreshold: number;
  negativeSpans: BucketSpan[];
  negativeDeltas: number[]; // integer histograms (sint64)
  negativeCounts: number[]; // float histograms
  positiveSpans: BucketSpan[];
  positiveDeltas: number[];
  positiveCounts: number[];
  resetHint: ResetHint;
  timestamp: number;
  customValues: number[];
}

export type MetricType =
  | 'unknown'
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset';

export interface Metadata {
  type: MetricType;
  metricFamilyName: string;
  help: string;
  unit: string;
}

export interface TimeSeries {
  labels: Label[];
  samples: Sample[];
  exemplars: Exemplar[];
  histograms: Histogram[];
}

/** A decoded Remote-Write request (1.0 shape; 2.0 decodes into the same shape). */
export interface WriteRequest {
  timeseries: TimeSeries[];
  metadata: Metadata[];
}

/** How a request's body was carried on the wire, kept so it can be re-emitted byte for byte. */
export interface CapturedRequest {
  receivedAtMs: number; // 0 when unknown
  tenant: string; // "" if none
  contentType: string;
  contentEncoding: string; // "snappy" or ""
  body: Uint8Array; // exactly as received
  headers: Record<string, string>; // lower-case names
  remoteAddr: string;
  path: string;
  bodyCrc32: number; // 0 = not set
}

/**
 * One unit of replay: a request read from some input, decoded.
 * `receivedAtMs` is null when the input carries no receive time.
 */
export interface Request {
  inputIndex: number; // which input (0-based, command-line order)
  recordIndex: number; // record index (0-based) or line number (1-based) within the input
  offset: number; // byte offset of the record within the (decompressed) input
  tenant: string | null; // null: the record carries none (replay applies --tenant)
  receivedAtMs: number | null;
  write: WriteRequest;
  /** Present when the request came from a capture: the original envelope, body untouched. */
  captured?: CapturedRequest;
  /**
   * Present when the reader decoded the body straight into columns for the event pipeline
   * (src/wire/columns.ts, the engine's readers): `write` is then built from them on first use.
   */
  series?: DecodedSeries;
}

/** A record that could not be used, per SPEC section 10. */
export interface BadRecord {
  input: string; // path as given, or "-" for stdin
  index: number; // record index or line number
  offset: number; // byte offset
  reason: string;
}

export type Outcome =
  | 'accepted'
  | 'non_ha'
  | 'deduped'
  | 'rejected_too_many_clusters'
  | 'passthrough';

export const OUTCOME_STATUS: Record<Outcome, number> = {
  accepted: 200,
  non_ha: 200,
  deduped: 202,
  rejected_too_many_clusters: 400,
  passthrough: 200,
};

export type Semantics = 'cortex' | 'mimir';
export type ClockSource = 'received' | 'sample';

export type InputFormat = 'rwcap' | 'rwcap-json' | 'remote-write' | 'remote-write2' | 'ndjson' | 'vm-json';
export type OutputFormat = 'ndjson' | 'rwcap' | 'rwcap-json' | 'vm-json' | 'none';

/** Effective HA settings for one tenant (defaults merged with overrides). Times in ms. */
export interface HAConfig {
  acceptHaSamples: boolean;
  clusterLabel: string;
  replicaLabel: string;
  maxClusters: number; // 0 = no limit
  updateTimeoutMs: number;
  updateTimeoutJitterMaxMs: number;
  failoverTimeoutMs: number;
  sampleFailoverTimeoutMs: number; // mimir only; 0 = off
  perSample: boolean; // accept_mixed_ha_samples / ha_tracker_per_sample_dedupe
}

/** One persisted (tenant, cluster) record, as the KV store holds it (Mimir's ReplicaDesc). */
export interface ReplicaDesc {
  tenant: string;
  cluster: string;
  replica: string; // elected replica
  receivedAt: number; // ms, last time the KV entry was written for the elected replica
  deletedAt: number; // ms, 0 = not deleted
  electedAt: number; // ms, when the current replica was elected
  electedChanges: number; // how many times the elected replica changed (0 for the first)
}

/** One leader change made by the tracker. `from` is null for a cluster's first election. */
export interface Election {
  tenant: string;
  cluster: string;
  atMs: number;
  from: string | null;
  to: string;
}
