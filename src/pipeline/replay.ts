// The main job as a library function: inputs -> merge by clock -> SimClock -> tracker ->
// outcome events -> output writer + report builder (STYLE.md). No process, TTY or wall clock
// here: the CLI passes streams and callbacks in (src/cli/commands/replay.ts).
import type { BadRecord, ClockSource, HAConfig, InputFormat, Metadata, OutputFormat, Semantics, TimeSeries } from '../model/index.js';
import { HaDedupError, isValidTimeMs } from '../model/index.js';
import { SimClock, type ClockOptions } from '../clock/clock.js';
import { createPrng } from '../clock/prng.js';
import { createTracker, tenantConfigs, type HATracker, type TenantConfigs } from '../tracker/index.js';
import { openMemoryStore, openStore, type StateStore } from '../store/index.js';
import { formatBadRecord, mergeInputs, openInput, type InputBadRecord } from './inputs.js';
import { createOutputWriter, withoutLabelShared } from '../wire/writers.js';
import { ReportBuilder, type BadRecordReport, type InputReport, type Report } from '../report/index.js';
import { configReport } from './replayconfig.js';

/** Store meta keys owned by the pipeline. */
export const REPLAY_META = {
  clock: 'replay.clock', // the simulated now after the last request, ms
} as const;

export interface ReplayOptions {
  /** Input paths; "-" is stdin. Empty = stdin. */
  inputs: string[];
  format: InputFormat | 'auto';
  /** Tenant for records that carry none. */
  tenant: string;
  /** null = auto: receive times where a record has them, else sample times. */
  clock: ClockSource | null;
  delayMs: number;
  semantics: Semantics;
  seed: number;
  /** Command-line HA settings (every tenant starts from them). */
  defaults: HAConfig;
  /** Per-tenant overrides file: its text and its name (for messages). */
  overrides: { text: string; file: string } | null;
  /** SQLite state file; null = in-memory SQLite. */
  db: string | null;
  /**
   * Without `db`: 'sqlite' (default, SPEC 7) or 'map', the plain in-memory map adapter behind
   * the same port (src/store/memory.ts), to measure what SQLite costs (HA_DEDUP_STORE=map).
   */
  store?: 'sqlite' | 'map';
  outputFormat: OutputFormat;
  strict: boolean;
  maxDecodedSize: number;
}

export interface ReplayProgress {
  requests: number;
  samples: number;
  nowMs: number;
}

export interface ReplayIO {
  /** Where deduplicated data goes; null = nowhere (same as output format none). */
  output: NodeJS.WritableStream | null;
  /** One warning line, without the trailing newline (already prefixed "ha-dedup: warning: "). */
  warn(line: string): void;
  /** Called every `progressEvery` requests (and never when absent). */
  progress?(p: ReplayProgress): void;
  progressEvery?: number;
}

export interface ReplayResult {
  report: Report;
  /** Samples (floats + histograms) handed to the output writer. */
  writtenSamples: number;
}

const MAX_LISTED_BAD = 100;

/**
 * Build the effective per-tenant configuration (overrides merged over the command line). The
 * overrides parser (and its YAML library, ~40 ms of start-up) is loaded only when there is a file.
 */
export async function effectiveConfigs(opts: Pick<ReplayOptions, 'defaults' | 'overrides'>): Promise<TenantConfigs & { ignoredKeys?: string[] }> {
  if (opts.overrides === null) return tenantConfigs(opts.defaults);
  const { loadOverrides } = await import('./overrides.js');
  return loadOverrides(opts.overrides.text, opts.overrides.file, opts.defaults);
}

export async function runReplay(opts: ReplayOptions, io: ReplayIO): Promise<ReplayResult> {
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
    store = opts.db === null && opts.store === 'map' ? openMemoryStore() : openStore(opts.db === null ? {} : { path: opts.db });
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
      if (!isValidTimeMs(prevNow)) throw new HaDedupError('state', `state database is inconsistent: ${REPLAY_META.clock} = "${prevText}" is not a time in the supported range`);
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
    return { report, writtenSamples: written };
  } finally {
    store.close();
  }
}
