// The main job as a library function: parse the options into one lane (the HA tracker with its
// store, the report builder and the output writer as consumers) and run it on the event
// pipeline (engine.ts: inputs -> merge by clock -> SimClock -> tracker -> events). No process,
// TTY or wall clock here: the CLI passes streams and callbacks in (src/cli/commands/replay.ts).
import type { ClockSource, Consumer, EndEvent, HAConfig, InputFormat, OutputFormat, Semantics } from '../model/index.js';
import { HaDedupError } from '../model/index.js';
import { tenantConfigs, type TenantConfigs } from '../tracker/index.js';
import { openMemoryStore, openStore, type StateStore } from '../store/index.js';
import { createOutputConsumer } from '../wire/outconsumers.js';
import { ReportBuilderConsumer, type Report } from '../report/index.js';
import { configReport } from './replayconfig.js';
import { runPipeline, type RunOptions } from './engine.js';
import { OrderCheck } from './ordercheck.js';
import { ErrorHint } from '../doctor/hint.js';
import { DbResume, stopPointOf, type StopPoint } from './resume.js';
import { REPLAY_META } from './lane.js';

export { REPLAY_META } from './lane.js';

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
  /** --allow-config-change: resume a --db under other settings (issue 13.4). */
  allowConfigChange?: boolean;
  /** The output's name for messages (-o FILE; null or absent: stdout). */
  outputName?: string | null;
  /** --sort: every record in clock order before the replay (issue 12.8; src/pipeline/sort.ts). */
  sort?: boolean;
}

/** runPipeline's `sort` for --sort: one-sample-per-line records regrouped by each tenant's HA labels. */
export function sortOption(opts: Pick<ReplayOptions, 'sort' | 'tenant'>, configs: TenantConfigs): RunOptions['sort'] {
  if (opts.sort !== true) return undefined;
  return {
    haLabels: (t) => {
      const cfg = configs.perTenant.get(t ?? opts.tenant) ?? configs.defaults;
      return { cluster: cfg.clusterLabel, replica: cfg.replicaLabel };
    },
  };
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
  /** What an input "-" reads (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array>;
  /** Called every `progressEvery` requests (and never when absent). */
  progress?(p: ReplayProgress): void;
  progressEvery?: number;
  /**
   * More consumers of replay's lane, after the report builder and the output writer (the
   * timeline of an HTML report: src/cli/replayhtml.ts). None by default: a replay
   * without them runs only its own.
   */
  consumers?: readonly Consumer[];
  /** Polled before each request: true stops the run there (a signal), with a partial report (issue 13.5). */
  stopRequested?(): boolean;
}

export interface ReplayResult {
  report: Report;
  /**
   * "ha-dedup: N HA configuration problems found; run ha-dedup doctor" when doctor would report
   * an error finding (issue 20.5; an ErrorHint on replay's own lane), else null.
   */
  hint: string | null;
  /** Samples (floats + histograms) handed to the output writer. */
  writtenSamples: number;
  /** Set when stopRequested() stopped the run: the last record applied (null: none was). */
  stopped?: { at: StopPoint | null };
}

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
  // before the store: a refused command line creates no --db file
  if (paths.filter((p) => p === '-').length > 1) throw new HaDedupError('usage', 'stdin ("-") can be given only once as an input');

  const store: StateStore = opts.db === null && opts.store === 'map' ? openMemoryStore() : openStore(opts.db === null ? {} : { path: opts.db });
  try {
    // --db FILE (issue 13.4, 13.5, 12.14): this run's settings against the recorded ones
    // (src/pipeline/settings.ts), before the lane's tracker reads the state; then skip what is
    // applied, commit only after the output, earlier elections (src/pipeline/resume.ts)
    const dbConfig = opts.db === null ? null : await (await import('./settings.js')).checkSettings(store, opts.db, opts, opts.allowConfigChange === true, io.warn);
    const prevNow = opts.db === null ? null : Number(store.getMeta(REPLAY_META.clock) ?? NaN);
    const resume = opts.db === null ? null : new DbResume(store, opts.db, paths, Number.isFinite(prevNow) ? prevNow : null, opts.outputName ?? null, io.warn);
    const builder = new ReportBuilderConsumer();
    const out = io.output === null || opts.outputFormat === 'none' ? null : io.output;
    const writer = createOutputConsumer(out === null ? 'none' : opts.outputFormat, out, { onWarning: (m) => io.warn(`ha-dedup: warning: ${m}`) });
    let end: EndEvent | null = null;
    const tap: Consumer = {
      end: (ev) => {
        end = ev;
      },
    };
    const settings = { config: (t: string) => configs.perTenant.get(t) ?? configs.defaults };
    const hint = new ErrorHint();
    const order = new OrderCheck(opts.sort === true);
    const sort = sortOption(opts, configs);
    const summary = await runPipeline(
      {
        inputs: paths,
        format: opts.format,
        maxDecodedSize: opts.maxDecodedSize,
        strict: opts.strict,
        clock: opts.clock,
        delayMs: opts.delayMs,
        defaultTenant: opts.tenant,
        warn: io.warn,
        ...(sort !== undefined ? { sort } : {}),
        ...(io.stdin ? { stdin: io.stdin } : {}),
        ...(io.progress ? { progress: io.progress, progressEvery: io.progressEvery ?? 1000 } : {}),
        ...(io.stopRequested ? { stopRequested: io.stopRequested } : {}),
        ...(resume !== null ? { inputFilter: resume } : {}),
      },
      [
        {
          semantics: opts.semantics,
          configs,
          seed: opts.seed,
          store,
          // with --db FILE the state is committed after the output (DbResume's consumer, after the writer), never by the tracker alone
          ...(resume !== null ? { commitEvery: 0 } : {}),
          consumers: [builder, writer, hint, order, tap, ...(resume !== null ? [resume.consumer(writer, out)] : []), ...(io.consumers ?? [])],
        },
      ],
    );
    const endEv = end as EndEvent | null;
    const tenants = endEv?.tenants ?? [];
    const report = builder.report(configReport(opts, summary.clockSource, settings, tenants, configs.ignoredKeys));
    // issue 12.8: records not in time order (or --sort) in one warning line and clock.order
    const orderReport = order.report();
    if (orderReport !== null) {
      report.clock.order = orderReport;
      if (orderReport.warning !== null) io.warn(`ha-dedup: warning: ${orderReport.warning}`);
    }
    // --db FILE and signals (issue 13.4, 13.5, 12.14)
    if (dbConfig !== null && report.config !== null) report.config.db = dbConfig.report;
    if (resume !== null) {
      resume.warnings();
      resume.finish(report, endEv?.state ?? []);
    }
    if (summary.stopped) report.complete = false;
    const stopped = summary.stopped ? { stopped: { at: summary.last === null ? null : stopPointOf(summary.last, paths, summary.inputs) } } : {};
    return { report, writtenSamples: writer.writtenSamples, hint: hint.line(), ...stopped };
  } finally {
    store.close();
  }
}
