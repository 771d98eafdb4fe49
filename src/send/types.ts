// The types of `ha-dedup send` (issue 17, SPEC 12): what the sender is given, what it posts,
// and what it reports.
//
//   input adapter (input.ts)        Batcher (batch.ts, pure)        Sender (sender.ts, I/O)
//   SourceRequest stream  ------->  Post stream (bodies encoded) --> HTTP, retries, pacing --> SendReport
//
// The sender knows nothing about input formats: it is given SourceRequests, one per request of
// the merged input stream in clock order (today from src/pipeline/inputs.ts through input.ts;
// with the event pipeline of issue 15, from a Consumer's request events).
import type { RemoteWriteVersion, WriteRequest } from '../model/index.js';

/** One request of the input, as the sender needs it. Never mutated by the sender. */
export interface SourceRequest {
  /** The tenant the record carries, or null (then --tenant, else no X-Scope-OrgID). */
  tenant: string | null;
  /** The record's clock time (receive time, else newest sample + 0), Unix ms: what --pace replays. */
  timeMs: number;
  /** Protocol of the recorded body; null for sample formats (ndjson, vm-json), which are batched. */
  protocol: RemoteWriteVersion | null;
  /** The decoded request: re-encoded when the body cannot be sent as recorded (read only then, when `counts` is given). */
  readonly write: WriteRequest;
  /** Its counts, when the source knows them without `write` (columns); else counted from `write`. */
  counts?: Counts;
  /** The recorded HTTP body (captures only): sent byte for byte when nothing has to change. */
  body: RecordedBody | null;
  /** Recorded request headers, lower-case names (captures only; sent with --keep-headers). */
  headers: Readonly<Record<string, string>>;
  /** Where it came from, for messages: input path and record index (or line number). */
  origin: Origin;
}

interface RecordedBody {
  bytes: Uint8Array;
  /** "snappy", or "" for an uncompressed protobuf body. */
  encoding: string;
}

export interface Origin {
  input: string;
  /** 'record' (0-based record index) or 'line' (1-based line number). */
  unit: 'record' | 'line';
  first: number;
  /** Last record/line folded into the same post (== first for a capture record). */
  last: number;
}

/** Floats + histograms (SPEC 6.1: "samples"), and exemplars, of a request. */
export interface Counts {
  samples: number;
  histograms: number;
  exemplars: number;
}

/** One HTTP request to post: everything is decided, the body is encoded and compressed. */
export interface Post {
  /** 0-based position in send order (the `index` of a refusal in the report). */
  index: number;
  /** X-Scope-OrgID, or null for none. */
  tenant: string | null;
  protocol: RemoteWriteVersion;
  /** Snappy-compressed protobuf. */
  body: Uint8Array;
  /** True when `body` is the recorded body byte for byte. */
  asRecorded: boolean;
  counts: Counts;
  /** Clock time of the post (its last source request's), Unix ms: what --pace waits for. */
  timeMs: number;
  /** Extra headers (--keep-headers), already filtered (never credentials or reserved names). */
  headers: Readonly<Record<string, string>>;
  origin: Origin;
}

/** One refused request in the report (SPEC 12): HTTP status (null: no answer), message, index. */
export interface Refusal {
  status: number | null;
  message: string;
  index: number;
}

/** SPEC 12's JSON report of `send`, exactly these keys. */
export interface SendReport {
  version: 1;
  /** Requests posted (each counted once, however many attempts it took). */
  requests: number;
  /** Samples (floats + histograms) in those requests. */
  samples: number;
  acknowledged_requests: number;
  /** Requests that needed at least one retry. */
  retried_requests: number;
  refused_requests: number;
  /** The first 100 refusals, in the order they happened. */
  refused: Refusal[];
  /** Body bytes put on the wire, every attempt counted. */
  bytes: number;
  wall_ms: number;
}
