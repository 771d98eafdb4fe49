// TEST-ONLY: round 1's replay loop, kept as the reference the event pipeline must equal (issue 15:
// "keeping every behaviour and figure"). This is src/pipeline/replay.ts runReplay as it was
// before replay ran on the engine (main at ffad66e): inputs -> merge -> SimClock -> tracker, the
// ReportBuilder and createOutputWriter called inline with round 1's TimeSeries objects (labels
// stripped in place). test/replay/consumers.test.ts compares runReplay (engine + consumers) and
// round1-events.ts's lane with it byte for byte.
import type { BadRecord, ClockSource, Metadata, TimeSeries } from '../../src/model/index.js';
import { HaDedupError } from '../../src/model/index.js';
import { SimClock, type ClockOptions } from '../../src/clock/clock.js';
import { createPrng } from '../../src/clock/prng.js';
import { createTracker, type HATracker } from '../../src/tracker/index.js';
import { openMemoryStore, openStore, type StateStore } from '../../src/store/index.js';
import { formatBadRecord, mergeInputs, openInput, type InputBadRecord } from '../../src/pipeline/inputs.js';
import { createOutputWriter, withoutLabelShared } from '../../src/wire/writers.js';
import type { BadRecordReport, InputReport } from '../../src/report/index.js';
import { ReportBuilder } from '../report/round1-builder.js';
import { configReport } from '../../src/pipeline/replayconfig.js';
import { effectiveConfigs, REPLAY_META, type ReplayIO, type ReplayOptions, type ReplayResult } from '../../src/pipeline/replay.js';

const MAX_LISTED_BAD = 100;

export async function runReplayRound1(opts: ReplayOptions, io: ReplayIO): Promise<ReplayResult> {
  const configs = await effectiveConfigs(opts);
  const paths = opts.inputs.length === 0 ? ['-'] : opts.inputs;
  if (paths.filter((p) => p === '-').length > 1) throw new HaDedupError('usage', 'stdin ("-") can be given only once as an input');

  const inputs: InputReport[] = paths.map((p) => ({ path: p, format: opts.format === 'auto' ? 'unknown' : opts.format, records: 0, bad_records: 0 }));
  const badRecords: BadRecordReport[] = [];
  let badCount = 0;
  const onBad = (i: number) => (bad: BadRecord) => {
    badCount++;
    inputs[i]!.bad_records++;
    inputs[i]!.records++;
    if (badRecords.length < MAX_LISTED_BAD) badRecords.push({ input: bad.input, unit: (bad as InputBadRecord).unit ?? 'record', index: bad.index, offset: bad.offset, reason: bad.reason });
    io.warn(formatBadRecord(bad));
  };
  // auto: a record's receive time where it has one, else its sample time (recordTimeOrNull
  // falls back per record), so "received" is the rule that covers both.
  const clockOpts: ClockOptions = { source: opts.clock ?? 'received', delayMs: opts.delayMs };
  let sawReceiveTime = false;

  let store: StateStore | null = null;
  let tracker: HATracker;
  try {
    store = opts.db === null && opts.store === 'memory' ? openMemoryStore() : openStore(opts.db === null ? {} : { path: opts.db });
    tracker = createTracker({ semantics: opts.semantics, configs, store, random: createPrng(opts.seed) });
  } catch (e) {
    store?.close();
    throw e;
  }
  try {
    const prevText = store.getMeta(REPLAY_META.clock);
    let prevNow: number | null = null;
    if (prevText !== undefined) {
      prevNow = Number(prevText);
      if (!Number.isFinite(prevNow)) throw new HaDedupError('state', `state database is inconsistent: ${REPLAY_META.clock} = "${prevText}" is not a time`);
    }
    const clock = new SimClock(prevNow);
    const builder = new ReportBuilder();
    const out = io.output === null || opts.outputFormat === 'none' ? null : io.output;
    const writer = createOutputWriter(out === null ? 'none' : opts.outputFormat, out ?? process.stdout, { onWarning: (m) => io.warn(`ha-dedup: warning: ${m}`) });
    const tenants = new Set<string>();
    const every = io.progressEvery ?? 1000;
    const picked: TimeSeries[] = [];
    /** The reused output list, holding all[0, i). */
    const pick = (all: TimeSeries[], i: number): TimeSeries[] => {
      picked.length = 0;
      for (let j = 0; j < i; j++) picked.push(all[j]!);
      return picked;
    };
    let written = 0;
    let samples = 0;
    let requests = 0;

    const streams = paths.map((p, i) =>
      openInput(p, i, {
        format: opts.format,
        maxDecodedSize: opts.maxDecodedSize,
        strict: opts.strict,
        onBadRecord: onBad(i),
        onFormat: (f) => {
          inputs[i]!.format = f;
        },
      }),
    );
    for await (const { request, timeMs } of mergeInputs(streams, clockOpts)) {
      inputs[request.inputIndex]!.records++;
      if (request.receivedAtMs !== null) sawReceiveTime = true;
      const now = clock.observe(timeMs);
      store.setMeta(REPLAY_META.clock, String(now));
      tracker.advance(now);
      for (const e of tracker.drainElections()) builder.election(e);
      const tenant = request.tenant ?? opts.tenant;
      tenants.add(tenant);
      const write = request.write;
      const d = tracker.decide(tenant, write, now);
      for (const e of tracker.drainElections()) builder.election(e);
      builder.request(tenant, write, d, now);

      // what goes out: accepted / non_ha / passthrough series, replica label removed where the
      // outcome says; metadata with them (or alone, for a metadata-only request)
      const all = write.timeseries;
      if (out === null) {
        // nothing to write: the builder has just counted the samples and what would be written
        samples = builder.sampleCount;
        written = builder.keptSampleCount;
      } else {
        // the series to write: `all` itself unless some are dropped (then the reused `picked`
        // list). A series whose replica label goes gets the stripped labels in place: the tracker
        // and the builder are done with this request, and a young object's field is the cheapest
        // place for them (no object per series, no old-to-young pointers to remember)
        let emit: TimeSeries[] = all;
        let changed = false;
        let stripped = false;
        let n = 0;
        for (let i = 0; i < all.length; i++) {
          const s = all[i]!;
          const sd = d.series[i]!;
          const o = sd.outcome;
          const cnt = s.samples.length + s.histograms.length;
          samples += cnt;
          if (o === 'deduped' || o === 'rejected_too_many_clusters') {
            if (!changed) {
              emit = pick(all, i);
              changed = true;
            }
            continue;
          }
          n += cnt;
          if (sd.stripReplica) {
            const labels = withoutLabelShared(s.labels, d.replicaLabel);
            if (labels !== s.labels) {
              s.labels = labels;
              stripped = true;
            }
          }
          if (changed) emit.push(s);
        }
        const metadata: Metadata[] = all.length === 0 || emit.length > 0 ? write.metadata : [];
        if (emit.length > 0 || metadata.length > 0) {
          written += n;
          const p = writer.write(request, tenant, emit, stripped || changed || metadata !== write.metadata, metadata);
          if (p) await p;
        }
      }
      requests++;
      if (io.progress && requests % every === 0) io.progress({ requests, samples, nowMs: now });
    }
    await writer.end();
    tracker.flush();

    const source: ClockSource = opts.clock ?? (sawReceiveTime ? 'received' : 'sample');
    for (const t of configs.perTenant.keys()) tenants.add(t);
    const report = builder.finish({
      config: configReport(opts, source, tracker, [...tenants], configs.ignoredKeys),
      inputs,
      clock: { source, first_ms: clock.firstMs, last_ms: clock.lastMs, clock_regressions: clock.regressions },
      badRecords,
      badRecordCount: badCount,
    });
    return { report, writtenSamples: written, hint: null };
  } finally {
    store.close();
  }
}
