// Hand-made request events for the timeline consumer's tests (the idea of r2-pipeline's
// test/report/events.ts, kept to what the timeline reads): a request of plain series, its HA
// labels read the plain way (SPEC 6.2) and a decision giving each series an outcome; and
// hand-made Reports for the renderers.
import type { Decision, DecodedRequest, HALabels, HAPair, Outcome, RequestEvent } from '../../src/model/index.js';
import { OUTCOMES, OUTCOME_STATUS } from '../../src/model/index.js';
import type { ClusterReport, ElectionReport, Report } from '../../src/report/types.js';

export interface PlainSeries {
  labels: Record<string, string>;
  /** Float sample timestamps (the timeline counts them; values are 1). */
  ts?: number[];
  /** How many native histogram samples (counted like floats; their content is never read). */
  hist?: number;
}

/** A DecodedRequest of plain series; series ids are their index (the timeline never reads labels by id). */
export function decoded(series: PlainSeries[]): DecodedRequest {
  const n = series.length;
  const sampleStart = new Int32Array(n + 1);
  const ts: number[] = [];
  const hasHist = series.some((s) => (s.hist ?? 0) > 0);
  const histogramStart = hasHist ? new Int32Array(n + 1) : null;
  let hists = 0;
  series.forEach((s, i) => {
    ts.push(...(s.ts ?? []));
    sampleStart[i + 1] = ts.length;
    hists += s.hist ?? 0;
    if (histogramStart !== null) histogramStart[i + 1] = hists;
  });
  return {
    inputIndex: 0,
    recordIndex: 0,
    offset: 0,
    tenant: null,
    receivedAtMs: null,
    protocol: null,
    captured: null,
    wireBytes: 0,
    decodedBytes: 0,
    seriesCount: n,
    ids: Int32Array.from(series.map((_, i) => i)),
    sampleStart,
    timestamps: Float64Array.from(ts),
    values: new Float64Array(ts.length).fill(1),
    histogramStart,
    histograms: new Array(hists).fill(null),
    exemplarStart: null,
    exemplars: [],
    metadata: [],
  };
}

export function haLabels(series: PlainSeries[], clusterLabel = 'cluster', replicaLabel = '__replica__'): HALabels {
  const seriesPair = new Int32Array(series.length).fill(-1);
  const missing = new Uint8Array(series.length);
  const pairs: HAPair[] = [];
  series.forEach((s, i) => {
    const cluster = s.labels[clusterLabel] ?? '';
    const replica = s.labels[replicaLabel] ?? '';
    missing[i] = (cluster === '' ? 1 : 0) | (replica === '' ? 2 : 0);
    if (missing[i] !== 0) return;
    let p = pairs.findIndex((x) => x.cluster === cluster && x.replica === replica);
    if (p < 0) p = pairs.push({ cluster, replica }) - 1;
    seriesPair[i] = p;
  });
  return { seriesPair, pairs, missing };
}

/** Each series its own outcome (or all the same one), counted under its own pair. */
export function decision(ha: HALabels, outcome: Outcome | Outcome[]): Decision {
  const n = ha.seriesPair.length;
  const per = (i: number): Outcome => (Array.isArray(outcome) ? outcome[i]! : outcome);
  const first = n === 0 ? 'passthrough' : per(0);
  return {
    outcome: first,
    status: OUTCOME_STATUS[first],
    message: null,
    replicaLabel: '__replica__',
    outcomes: Uint8Array.from({ length: n }, (_, i) => OUTCOMES.indexOf(per(i))),
    pairOf: Int32Array.from(ha.seriesPair),
  };
}

let seq = 0;
/** A request event of `series` decided `outcome` at `nowMs`. */
export function requestAt(nowMs: number, series: PlainSeries[], outcome: Outcome | Outcome[], tenant = 't1'): RequestEvent {
  const request = decoded(series);
  const ha = haLabels(series);
  return { seq: seq++, request, tenant, recordTimeMs: nowMs, nowMs, ha, decision: decision(ha, outcome) };
}

/** One HA series of (cluster, replica) with `samples` samples. */
export function ha(cluster: string, replica: string, samples = 1, name = 'up'): PlainSeries {
  return { labels: { __name__: name, cluster, __replica__: replica }, ts: Array.from({ length: samples }, (_, i) => i) };
}

// ---- hand-made Reports (the renderers' other input) ----

/** A Report with the given clusters and elections, totals left at zero except what is given. */
export function handReport(o: { first: number; last: number; clusters: Partial<ClusterReport>[]; elections: Partial<ElectionReport>[] }): Report {
  const clusters: ClusterReport[] = o.clusters.map((c) => ({
    tenant: 't1',
    cluster: 'c1',
    elected_replica: null,
    elections: 0,
    lost_samples: 0,
    overlap_samples: 0,
    max_gap_ms: 0,
    series: 1,
    replicas: [],
    ...c,
  }));
  const elections: ElectionReport[] = o.elections.map((e) => ({
    tenant: 't1',
    cluster: 'c1',
    at_ms: o.first,
    from: null,
    to: 'a',
    previous_last_seen_ms: null,
    gap_ms: null,
    lost_samples: 0,
    lost_scrapes: 0,
    ...e,
  }));
  return {
    version: 1,
    config: null,
    inputs: [{ path: 'in.rwcap', format: 'rwcap', records: 0, bad_records: 0 }],
    clock: { source: 'received', first_ms: o.first, last_ms: o.last, clock_regressions: 0 },
    totals: {
      requests: 0,
      samples: 0,
      accepted_samples: 0,
      deduped_samples: 0,
      non_ha_samples: 0,
      rejected_samples: 0,
      passthrough_samples: 0,
      elections: elections.length,
      lost_samples: 0,
      overlap_samples: 0,
      max_gap_ms: 0,
      bad_records: 0,
    },
    tenants: [],
    clusters,
    elections,
    bad_records: [],
    status_codes: { '200': 0, '202': 0, '400': 0 },
  };
}
