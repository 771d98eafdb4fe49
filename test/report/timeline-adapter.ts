// TEMPORARY, TEST-ONLY (until issue 15's event pipeline lands on main; the lead switches the
// callers to the real engine at integration): replays inputs through round 1's pieces (inputs,
// merge, SimClock, tracker, ReportBuilder), exactly as src/pipeline/replay.ts runReplay does,
// and hands each decided request to the TimelineConsumer as the RequestEvent fields it reads
// (tenant, nowMs, request.seriesCount and sample columns, ha.pairs, decision.outcomes/pairOf).
// test/report/html-fixture.test.ts checks that the Report it builds equals runReplay's.
import type { Decision, DecodedRequest, HALabels, HAPair, RequestEvent, WriteRequest } from '../../src/model/index.js';
import { OUTCOMES } from '../../src/model/index.js';
import type { RequestDecision } from '../../src/tracker/api.js';
import { SimClock } from '../../src/clock/clock.js';
import { createPrng } from '../../src/clock/prng.js';
import { createTracker } from '../../src/tracker/index.js';
import { openMemoryStore } from '../../src/store/index.js';
import { mergeInputs, openInput } from '../../src/pipeline/inputs.js';
import { effectiveConfigs, type ReplayOptions } from '../../src/pipeline/replay.js';
import { configReport } from '../../src/pipeline/replayconfig.js';
import { type BadRecordReport, type InputReport, type Report } from '../../src/report/index.js';
import { ReportBuilder } from './round1-builder.js';
import { TimelineConsumer, type Timeline } from '../../src/report/timeline.js';
import { defaultHAConfig } from '../../src/tracker/index.js';

/** Replay options as `ha-dedup replay FILE --output-format none` has them. */
export function replayOptions(inputs: string[], o: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    inputs,
    format: 'auto',
    tenant: 'anonymous',
    clock: null,
    delayMs: 0,
    semantics: 'cortex',
    seed: 1,
    defaults: defaultHAConfig(),
    overrides: null,
    db: null,
    outputFormat: 'none',
    strict: false,
    maxDecodedSize: 64 << 20,
    ...o,
  };
}

/** The RequestEvent fields the timeline reads, from a round-1 request and decision. */
export function requestEventOf(seq: number, tenant: string, write: WriteRequest, d: RequestDecision, nowMs: number): RequestEvent {
  const series = write.timeseries;
  const n = series.length;
  const sampleStart = new Int32Array(n + 1);
  const histogramStart = new Int32Array(n + 1);
  const pairs: HAPair[] = [];
  const seriesPair = new Int32Array(n).fill(-1);
  const outcomes = new Uint8Array(n);
  const pairOf = new Int32Array(n).fill(-1);
  let samples = 0;
  let hists = 0;
  for (let i = 0; i < n; i++) {
    samples += series[i]!.samples.length;
    hists += series[i]!.histograms.length;
    sampleStart[i + 1] = samples;
    histogramStart[i + 1] = hists;
    const sd = d.series[i]!;
    outcomes[i] = OUTCOMES.indexOf(sd.outcome);
    if (sd.cluster !== null && sd.replica !== null) {
      let p = pairs.findIndex((x) => x.cluster === sd.cluster && x.replica === sd.replica);
      if (p < 0) p = pairs.push({ cluster: sd.cluster, replica: sd.replica }) - 1;
      pairOf[i] = p;
      seriesPair[i] = p;
    }
  }
  const request: DecodedRequest = {
    inputIndex: 0,
    recordIndex: seq,
    offset: 0,
    tenant,
    receivedAtMs: null,
    protocol: null,
    captured: null,
    wireBytes: 0,
    decodedBytes: 0,
    seriesCount: n,
    ids: new Int32Array(n),
    sampleStart,
    timestamps: new Float64Array(samples), // only the counts are read
    values: new Float64Array(samples),
    histogramStart: hists > 0 ? histogramStart : null,
    histograms: new Array(hists),
    exemplarStart: null,
    exemplars: [],
    metadata: write.metadata,
  };
  const ha: HALabels = { seriesPair, pairs, missing: new Uint8Array(n) };
  const decision: Decision = { outcome: d.outcome, status: d.status, message: d.message ?? null, replicaLabel: d.replicaLabel, outcomes, pairOf };
  return { seq, request, tenant, recordTimeMs: nowMs, nowMs, ha, decision };
}

/** The Report and the Timeline of one replay (no output written). */
export async function replayWithTimeline(opts: ReplayOptions): Promise<{ report: Report; timeline: Timeline }> {
  const configs = await effectiveConfigs(opts);
  const paths = opts.inputs.length === 0 ? ['-'] : opts.inputs;
  const inputs: InputReport[] = paths.map((p) => ({ path: p, format: opts.format === 'auto' ? 'unknown' : opts.format, records: 0, bad_records: 0 }));
  const badRecords: BadRecordReport[] = [];
  let badCount = 0;
  const store = openMemoryStore();
  const tracker = createTracker({ semantics: opts.semantics, configs, store, random: createPrng(opts.seed) });
  const clock = new SimClock(null);
  const builder = new ReportBuilder();
  const timeline = new TimelineConsumer();
  const tenants = new Set<string>();
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
        if (badRecords.length < 100) badRecords.push({ input: bad.input, unit: (bad as { unit?: 'record' | 'line' }).unit ?? 'record', index: bad.index, offset: bad.offset, reason: bad.reason });
      },
      onFormat: (f) => {
        inputs[i]!.format = f;
      },
    }),
  );
  for await (const { request, timeMs } of mergeInputs(streams, { source: opts.clock ?? 'received', delayMs: opts.delayMs })) {
    inputs[request.inputIndex]!.records++;
    if (request.receivedAtMs !== null) sawReceiveTime = true;
    const now = clock.observe(timeMs);
    tracker.advance(now);
    for (const e of tracker.drainElections()) builder.election(e);
    const tenant = request.tenant ?? opts.tenant;
    tenants.add(tenant);
    const d = tracker.decide(tenant, request.write, now);
    for (const e of tracker.drainElections()) builder.election(e);
    builder.request(tenant, request.write, d, now);
    timeline.request(requestEventOf(seq++, tenant, request.write, d, now));
  }
  tracker.flush();
  const source = opts.clock ?? (sawReceiveTime ? 'received' : 'sample');
  for (const t of configs.perTenant.keys()) tenants.add(t);
  const report = builder.finish({
    config: configReport(opts, source, tracker, [...tenants]),
    inputs,
    clock: { source, first_ms: clock.firstMs, last_ms: clock.lastMs, clock_regressions: clock.regressions },
    badRecords,
    badRecordCount: badCount,
  });
  store.close();
  return { report, timeline: timeline.finish() };
}
