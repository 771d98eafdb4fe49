// TEST-ONLY bridge from round 1 to the event model (until replay runs on src/pipeline/engine.ts):
// reads inputs with round 1's pieces (openInput, mergeInputs, SimClock, tracker) exactly as
// src/pipeline/replay.ts runReplay does, and turns each decided request into the events a lane
// emits (src/model/events.ts): begin, elections before the request they precede (after a pass:
// cause 'pass'; while deciding: 'request'), the request event with a DecodedRequest built from
// the round-1 Request (columns, SeriesIds from a catalog of its own), bad records, end.
// test/replay/consumers.test.ts runs the same inputs through runReplay and through the report and
// output consumers and compares the results byte for byte.
import type {
  BadRecordEvent,
  Consumer,
  Decision,
  DecodedRequest,
  HALabels,
  HAPair,
  InputFormat,
  Label,
  Request,
  RequestEvent,
  SeriesCatalog,
} from '../../src/model/index.js';
import { MISSING_CLUSTER, MISSING_REPLICA, OUTCOMES, isStaleNaN, STALE_NAN_HI, STALE_NAN_LO } from '../../src/model/index.js';
import type { RequestDecision } from '../../src/tracker/api.js';
import { SimClock } from '../../src/clock/clock.js';
import { createPrng } from '../../src/clock/prng.js';
import { createTracker } from '../../src/tracker/index.js';
import { openMemoryStore } from '../../src/store/index.js';
import { mergeInputs, openInput, type InputBadRecord } from '../../src/pipeline/inputs.js';
import { effectiveConfigs, type ReplayOptions } from '../../src/pipeline/replay.js';
import { configReport } from '../../src/pipeline/replayconfig.js';
import type { ConfigReport, InputReport } from '../../src/report/index.js';

/** Label sets by id, as a decoder's catalog hands them out: equal sets (in any order) share one id. */
export class TestCatalog implements SeriesCatalog {
  private readonly byKey = new Map<string, number>();
  private readonly sets: Label[][] = [];
  get size(): number {
    return this.sets.length;
  }
  id(labels: readonly Label[]): number {
    const sorted = [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const key = sorted.map((l) => `${l.name}\xff${l.value}`).join('\xfe');
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(labels.map((l) => ({ name: l.name, value: l.value })));
      this.byKey.set(key, id);
    }
    return id;
  }
  labels(id: number): readonly Label[] {
    return this.sets[id]!;
  }
  labelValue(id: number, name: string): string {
    return this.sets[id]!.find((l) => l.name === name)?.value ?? '';
  }
}

/** The columns of a round-1 Request. */
export function decodedOf(cat: TestCatalog, req: Request): DecodedRequest {
  const series = req.write.timeseries;
  const n = series.length;
  const ids = new Int32Array(n);
  const sampleStart = new Int32Array(n + 1);
  const histogramStart = new Int32Array(n + 1);
  const exemplarStart = new Int32Array(n + 1);
  let nf = 0;
  let nh = 0;
  let ne = 0;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    ids[i] = cat.id(s.labels);
    nf += s.samples.length;
    nh += s.histograms.length;
    ne += s.exemplars.length;
    sampleStart[i + 1] = nf;
    histogramStart[i + 1] = nh;
    exemplarStart[i + 1] = ne;
  }
  const timestamps = new Float64Array(nf);
  const values = new Float64Array(nf);
  const view = new DataView(values.buffer);
  const histograms = [];
  const exemplars = [];
  let k = 0;
  for (const s of series) {
    for (const smp of s.samples) {
      timestamps[k] = smp.timestamp;
      if (isStaleNaN(smp.value)) {
        view.setUint32(k * 8, STALE_NAN_LO, true);
        view.setUint32(k * 8 + 4, STALE_NAN_HI, true);
      } else values[k] = smp.value;
      k++;
    }
    histograms.push(...s.histograms);
    exemplars.push(...s.exemplars);
  }
  return {
    inputIndex: req.inputIndex,
    recordIndex: req.recordIndex,
    offset: req.offset,
    tenant: req.tenant,
    receivedAtMs: req.receivedAtMs,
    protocol: null,
    captured: req.captured ?? null,
    wireBytes: 0,
    decodedBytes: 0,
    seriesCount: n,
    ids,
    sampleStart,
    timestamps,
    values,
    histogramStart: nh > 0 ? histogramStart : null,
    histograms,
    exemplarStart: ne > 0 ? exemplarStart : null,
    exemplars,
    metadata: req.write.metadata,
  };
}

/** HALabels and Decision of a round-1 RequestDecision (pairs as the decision counted them). */
export function decisionOf(cat: TestCatalog, r: DecodedRequest, d: RequestDecision, clusterLabel: string, replicaLabel: string): { ha: HALabels; decision: Decision } {
  const n = r.seriesCount;
  const pairs: HAPair[] = [];
  const seriesPair = new Int32Array(n).fill(-1);
  const missing = new Uint8Array(n);
  const outcomes = new Uint8Array(n);
  const pairOf = new Int32Array(n).fill(-1);
  const index = (cluster: string, replica: string): number => {
    let p = pairs.findIndex((x) => x.cluster === cluster && x.replica === replica);
    if (p < 0) p = pairs.push({ cluster, replica }) - 1;
    return p;
  };
  for (let i = 0; i < n; i++) {
    const id = r.ids[i]!;
    const c = cat.labelValue(id, clusterLabel);
    const rep = cat.labelValue(id, replicaLabel);
    if (c === '') missing[i]! |= MISSING_CLUSTER;
    if (rep === '') missing[i]! |= MISSING_REPLICA;
    if (missing[i] === 0) seriesPair[i] = index(c, rep);
    const sd = d.series[i]!;
    outcomes[i] = OUTCOMES.indexOf(sd.outcome);
    if (sd.cluster !== null && sd.replica !== null) pairOf[i] = index(sd.cluster, sd.replica);
  }
  return {
    ha: { seriesPair, pairs, missing },
    decision: { outcome: d.outcome, status: d.status, message: d.message ?? null, replicaLabel: d.replicaLabel, outcomes, pairOf },
  };
}

/**
 * Run `opts`'s inputs through round 1's reading and tracker, feeding `consumers` the events; the
 * report's `config` section as runReplay builds it is returned for the report consumer.
 */
export async function runRound1Lane(opts: ReplayOptions, consumers: Consumer[]): Promise<{ config: ConfigReport }> {
  const configs = await effectiveConfigs(opts);
  const paths = opts.inputs.length === 0 ? ['-'] : opts.inputs;
  const inputs: InputReport[] = paths.map((p) => ({ path: p, format: opts.format === 'auto' ? 'unknown' : opts.format, records: 0, bad_records: 0 }));
  const bads: BadRecordEvent[] = [];
  let badCount = 0;
  const store = openMemoryStore();
  const tracker = createTracker({ semantics: opts.semantics, configs, store, random: createPrng(opts.seed) });
  const cat = new TestCatalog();
  const tenants = new Set<string>();
  for (const c of consumers) {
    c.begin?.({ catalog: cat, inputs: paths, semantics: opts.semantics, config: (t) => tracker.config(t), defaultTenant: opts.tenant });
  }
  const clock = new SimClock(null);
  let sawReceiveTime = false;
  let seq = 0;
  const streams = paths.map((p, i) =>
    openInput(p, i, {
      format: opts.format,
      maxDecodedSize: opts.maxDecodedSize,
      strict: opts.strict,
      onBadRecord: (bad) => {
        badCount++;
        inputs[i]!.bad_records++;
        inputs[i]!.records++;
        const ev: BadRecordEvent = { bad, unit: (bad as InputBadRecord).unit ?? 'record' };
        if (bads.length < 100) bads.push(ev);
        for (const c of consumers) c.badRecord?.(ev);
      },
      onFormat: (f) => {
        inputs[i]!.format = f;
      },
    }),
  );
  try {
    for await (const { request, timeMs } of mergeInputs(streams, { source: opts.clock ?? 'received', delayMs: opts.delayMs })) {
      inputs[request.inputIndex]!.records++;
      if (request.receivedAtMs !== null) sawReceiveTime = true;
      const now = clock.observe(timeMs);
      tracker.advance(now);
      for (const e of tracker.drainElections()) for (const c of consumers) c.election?.({ election: e, seq, cause: 'pass' });
      const tenant = request.tenant ?? opts.tenant;
      tenants.add(tenant);
      // the columns before the tracker sees the request (round 1 never changes it before the writer)
      const decoded = decodedOf(cat, request);
      const d = tracker.decide(tenant, request.write, now);
      for (const e of tracker.drainElections()) for (const c of consumers) c.election?.({ election: e, seq, cause: 'request' });
      const cfg = tracker.config(tenant);
      const { ha, decision } = decisionOf(cat, decoded, d, cfg.clusterLabel, cfg.replicaLabel);
      const ev: RequestEvent = { seq, request: decoded, tenant, recordTimeMs: timeMs, nowMs: now, ha, decision };
      for (const c of consumers) {
        const p = c.request?.(ev);
        if (p) await p;
      }
      seq++;
    }
    tracker.flush();
    const source = opts.clock ?? (sawReceiveTime ? 'received' : 'sample');
    for (const t of configs.perTenant.keys()) tenants.add(t);
    const sorted = [...tenants].sort();
    for (const c of consumers) {
      const p = c.end?.({
        inputs: inputs.map((i) => ({ ...i, format: i.format as InputFormat | 'unknown' })),
        clock: { source, first_ms: clock.firstMs, last_ms: clock.lastMs, clock_regressions: clock.regressions },
        badRecordCount: badCount,
        badRecords: bads,
        state: tracker.records(),
        priorElections: [],
        tenants: sorted,
      });
      if (p) await p;
    }
    return { config: configReport(opts, source, tracker, sorted, configs.ignoredKeys) };
  } finally {
    store.close();
  }
}
