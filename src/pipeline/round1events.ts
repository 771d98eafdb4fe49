// TEMPORARY ROUND-1 ADAPTER (issue 16 on main before issue 15's engine runs replay): turns one
// request of round 1's loop (src/pipeline/replay.ts: a WriteRequest and the tracker's
// RequestDecision) into the RequestEvent a Consumer of the event pipeline reads, so that
// `replay --html` can feed the TimelineConsumer today. When replay runs on the engine
// (src/pipeline/engine.ts), replay's lane emits real RequestEvents to its consumers and this
// file goes away.
//
// Only `request` events are delivered (the timeline reads nothing else). The event is complete
// but for `request.ids` (round 1 has no series catalog: every id is -1), the byte counts (0),
// exemplars (none) and `ha.missing` (all 0: round 1 does not say why a series is not HA).
// It is built only when a consumer asks for events, so a replay without one pays nothing.
import type { Decision, DecodedRequest, HALabels, HAPair, Histogram, Request, RequestEvent } from '../model/index.js';
import { OUTCOMES } from '../model/index.js';
import type { RequestDecision } from '../tracker/api.js';

export interface Round1Request {
  seq: number;
  request: Request;
  /** The effective tenant (the record's, else --tenant). */
  tenant: string;
  decision: RequestDecision;
  /** The record's own time (before the clock's max) and the simulated now it was decided at. */
  recordTimeMs: number;
  nowMs: number;
}

const OUTCOME_CODE = new Map(OUTCOMES.map((o, i) => [o, i]));

/** The RequestEvent of one round-1 request (see the file comment for what it leaves out). */
export function requestEventOf(r: Round1Request): RequestEvent {
  const rq = r.request;
  const series = rq.write.timeseries;
  const d = r.decision;
  const n = series.length;
  const sampleStart = new Int32Array(n + 1);
  const histogramStart = new Int32Array(n + 1);
  const pairs: HAPair[] = [];
  const seriesPair = new Int32Array(n).fill(-1);
  const missing = new Uint8Array(n);
  const outcomes = new Uint8Array(n);
  const pairOf = new Int32Array(n).fill(-1);
  let samples = 0;
  let hists = 0;
  for (let i = 0; i < n; i++) {
    samples += series[i]!.samples.length;
    hists += series[i]!.histograms.length;
    sampleStart[i + 1] = samples;
    histogramStart[i + 1] = hists;
  }
  const timestamps = new Float64Array(samples);
  const values = new Float64Array(samples);
  const histograms: Histogram[] = [];
  for (let i = 0, k = 0; i < n; i++) {
    const s = series[i]!;
    for (const x of s.samples) {
      timestamps[k] = x.timestamp;
      values[k++] = x.value;
    }
    for (const h of s.histograms) histograms.push(h);
    const sd = d.series[i]!;
    outcomes[i] = OUTCOME_CODE.get(sd.outcome)!;
    if (sd.cluster !== null && sd.replica !== null) {
      let p = pairs.findIndex((x) => x.cluster === sd.cluster && x.replica === sd.replica);
      if (p < 0) p = pairs.push({ cluster: sd.cluster, replica: sd.replica }) - 1;
      pairOf[i] = p;
      seriesPair[i] = p;
    }
  }
  const request: DecodedRequest = {
    inputIndex: rq.inputIndex,
    recordIndex: rq.recordIndex,
    offset: rq.offset,
    tenant: rq.tenant,
    receivedAtMs: rq.receivedAtMs,
    protocol: null,
    captured: rq.captured ?? null,
    wireBytes: 0,
    decodedBytes: 0,
    seriesCount: n,
    ids: new Int32Array(n).fill(-1),
    sampleStart,
    timestamps,
    values,
    histogramStart: hists > 0 ? histogramStart : null,
    histograms,
    exemplarStart: null,
    exemplars: [],
    metadata: rq.write.metadata,
  };
  const ha: HALabels = { seriesPair, pairs, missing };
  const decision: Decision = { outcome: d.outcome, status: d.status, message: d.message ?? null, replicaLabel: d.replicaLabel, outcomes, pairOf };
  return { seq: r.seq, request, tenant: r.tenant, recordTimeMs: r.recordTimeMs, nowMs: r.nowMs, ha, decision };
}
