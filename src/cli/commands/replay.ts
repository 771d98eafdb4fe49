// `ha-dedup replay [INPUT...]`: parse and validate the options of SPEC 3, call runReplay, write
// the report(s) and check --expect. Everything else lives in src/pipeline and src/report.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { ClockSource, HAConfig, OutputFormat, Semantics } from '../../model/index.js';
import { EXIT, HaDedupError, parseDuration, usageError } from '../../model/index.js';
import { defaultHAConfig, validateHAConfig } from '../../tracker/index.js';
import { defaultMaxClusters, type SettingNames } from '../../tracker/config.js';
import { checkInputs, parseByteSize, parseInputFormat } from '../../pipeline/inputs.js';
import { runReplay, type ReplayOptions } from '../../pipeline/replay.js';
import type { StopPoint } from '../../pipeline/resume.js';
import { EXPECT_KEYS, EXPECT_OPS, checkExpectations, loadPaint, parseExpectation, renderJson, renderMarkdown, renderTable, type Expectation, type Report } from '../../report/index.js';
import { wrapText } from '../../report/grid.js';
import { printable } from '../../report/format.js';
import { DEFAULT_MAX_DECODED_SIZE } from '../../wire/snappy.js';
import { ProgressLine, STDIN_HINT, readsTerminalStdin, terminalWidth, useColor } from '../tty.js';
import { checkOutputs, namedInputs, fsReason, openOutput, reserveReportFile, type NamedPath, type ReportFile } from '../outfile.js';
import { guardIo, type StdioState } from '../stdio.js';
import { helpWidth } from '../voice.js';
import type { CliIo } from '../io.js';

/**
 * The options replay shares with the commands that read its inputs and run its HA settings
 * (doctor): the input options, the HA options (--overrides too) and how bad records are met.
 */
export interface RunCliOptions {
  format: string;
  tenant: string;
  clock?: string;
  delay: string;
  semantics: string;
  dedupe: string;
  clusterLabel: string;
  replicaLabel: string;
  updateTimeout: string;
  updateTimeoutJitterMax: string;
  seed: string;
  failoverTimeout: string;
  sampleFailoverTimeout: string;
  maxClusters?: string;
  overrides?: string;
  strict?: boolean;
  maxDecodedSize: string;
  allowEmpty?: boolean;
  sort?: boolean;
}

export interface ReplayCliOptions extends RunCliOptions {
  db?: string;
  allowConfigChange?: boolean;
  output?: string;
  outputFormat: string;
  report?: string;
  reportFormat: string;
  html?: string;
  expect?: string[];
  color: boolean;
  quiet?: boolean;
}

/** What the shared options give: replay's options less its state store and output. */
export type RunOptions = Omit<ReplayOptions, 'db' | 'outputFormat' | 'store'>;

export const REPORT_FORMATS = ['table', 'json', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ParsedReplay {
  replay: ReplayOptions;
  output: string | null;
  /** --report FILE; null for none or for "-" (reportToStdout). */
  reportFile: string | null;
  /** --report -: the JSON report on stdout. */
  reportToStdout: boolean;
  reportFormat: ReportFormat;
  /** --html FILE: the HTML report, beside any other. */
  htmlFile: string | null;
  expectations: Expectation[];
  color: boolean;
  /** -q: no human report, no warnings (errors still). */
  quiet: boolean;
  /** --allow-empty: a run that reads no request is not an error (issue 12.7). */
  allowEmpty: boolean;
}

const MAX_DURATION_MS = 10_000 * 31_536_000_000;

function duration(option: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw usageError(`${option}: "${text}" is not a duration (Prometheus style, e.g. 500ms, 15s, 1m30s)`);
  // a time (within ±8.64e15 ms, model/timerange.ts) plus this must stay below 2^53, where the
  // clock arithmetic would lose precision
  if (ms > MAX_DURATION_MS) throw usageError(`${option}: "${text}" is longer than the longest supported duration, 10000y`);
  return ms;
}

export function oneOf<T extends string>(option: string, text: string, allowed: readonly T[]): T {
  const v = text.trim();
  if (!(allowed as readonly string[]).includes(v)) throw usageError(`${option}: "${text}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function integer(option: string, text: string, min: number): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(Number(t)) || Number(t) < min) {
    throw usageError(`${option}: "${text}" is not ${min === 0 ? 'a non-negative' : 'an'} integer`);
  }
  return Number(t);
}

function label(option: string, text: string): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(text)) throw usageError(`${option}: "${text}" is not a valid label name`);
  return text;
}

/** The flags of the HA settings, for messages about values given on the command line. */
const FLAGS: Required<SettingNames> = {
  updateTimeout: '--update-timeout',
  jitterMax: '--update-timeout-jitter-max',
  failoverTimeout: '--failover-timeout',
  sampleFailoverTimeout: '--sample-failover-timeout',
  maxClusters: '--max-clusters',
  clusterLabel: '--cluster-label',
  replicaLabel: '--replica-label',
};

/** commander's option keys of the FLAGS. */
const FLAG_KEYS: Record<keyof SettingNames, keyof RunCliOptions> = {
  updateTimeout: 'updateTimeout',
  jitterMax: 'updateTimeoutJitterMax',
  failoverTimeout: 'failoverTimeout',
  sampleFailoverTimeout: 'sampleFailoverTimeout',
  maxClusters: 'maxClusters',
  clusterLabel: 'clusterLabel',
  replicaLabel: 'replicaLabel',
};

/** The flags among FLAGS that `given` (commander's keys of options typed on the command line) holds. */
function givenFlags(given: ReadonlySet<string>): SettingNames {
  const names: SettingNames = {};
  for (const k of Object.keys(FLAGS) as (keyof SettingNames)[]) if (given.has(FLAG_KEYS[k])) names[k] = FLAGS[k];
  return names;
}

/**
 * Validate the shared options (usage errors name the option); reads the overrides file. `given`:
 * the commander keys of the options typed on the command line (messages name those flags);
 * `formatFlag`: the input format's option as the command calls it.
 */
export function parseRunOptions(inputs: string[], o: RunCliOptions, given: ReadonlySet<string> = new Set(), formatFlag = '--format'): RunOptions {
  const format = parseInputFormat(o.format);
  if (format === undefined) throw usageError(`${formatFlag}: "${o.format}" is not one of auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json`);
  if (o.tenant.trim() === '') throw usageError('--tenant: must not be empty');
  const clock = o.clock === undefined ? null : oneOf<ClockSource>('--clock', o.clock, ['received', 'sample']);
  // issue 12.12: these formats carry no receive time (SPEC 4.3); elsewhere a run whose records
  // carry none says so and its report gives the clock used, sample
  if (clock === 'received' && (format === 'remote-write' || format === 'remote-write2' || format === 'vm-json')) {
    throw usageError(`--clock received: ${formatFlag} ${format} carries no receive times; use --clock sample (or leave --clock out)`);
  }
  const delayMs = duration('--delay', o.delay);
  const semantics = oneOf<Semantics>('--semantics', o.semantics, ['cortex', 'mimir']);
  const dedupe = oneOf('--dedupe', o.dedupe, ['per-request', 'per-sample'] as const);
  const defaults: HAConfig = {
    ...defaultHAConfig(),
    clusterLabel: label('--cluster-label', o.clusterLabel),
    replicaLabel: label('--replica-label', o.replicaLabel),
    updateTimeoutMs: duration('--update-timeout', o.updateTimeout),
    updateTimeoutJitterMaxMs: duration('--update-timeout-jitter-max', o.updateTimeoutJitterMax),
    failoverTimeoutMs: duration('--failover-timeout', o.failoverTimeout),
    sampleFailoverTimeoutMs: duration('--sample-failover-timeout', o.sampleFailoverTimeout),
    // SPEC 12: Mimir's ha_max_clusters defaults to 100, Cortex's to 0
    maxClusters: o.maxClusters === undefined ? defaultMaxClusters(semantics) : integer('--max-clusters', o.maxClusters, 0),
    perSample: dedupe === 'per-sample',
  };
  const seed = integer('--seed', o.seed, Number.MIN_SAFE_INTEGER);
  if (semantics === 'cortex' && defaults.sampleFailoverTimeoutMs > 0) {
    throw usageError('--sample-failover-timeout: only Mimir has it; use --semantics mimir or leave it at 0s');
  }
  validateHAConfig(defaults, '', givenFlags(given));
  const maxDecodedSize = parseByteSize(o.maxDecodedSize);
  if (maxDecodedSize === undefined) throw usageError(`--max-decoded-size: "${o.maxDecodedSize}" is not a size (e.g. 67108864, 64MiB)`);
  let overrides: ReplayOptions['overrides'] = null;
  if (o.overrides !== undefined) {
    try {
      overrides = { text: readFileSync(o.overrides, 'utf8'), file: o.overrides };
    } catch (err) {
      throw usageError(`--overrides ${o.overrides}: cannot read: ${fsReason(err)}`);
    }
  }
  return { inputs, format, tenant: o.tenant, clock, delayMs, semantics, seed, defaults, overrides, strict: o.strict === true, maxDecodedSize, sort: o.sort === true };
}

/**
 * Validate every option (usage errors name the option); reads the overrides file. `given`: the
 * commander keys of the options typed on the command line (messages name those flags).
 */
export function parseReplayOptions(inputs: string[], o: ReplayCliOptions, given: ReadonlySet<string> = new Set(), env: NodeJS.ProcessEnv = process.env): ParsedReplay {
  const run = parseRunOptions(inputs, o, given);
  const outputFormat = oneOf<OutputFormat>('--output-format', o.outputFormat, ['ndjson', 'rwcap', 'vm-json', 'none']);
  const reportFormat = oneOf('--report-format', o.reportFormat, REPORT_FORMATS);
  if (o.html !== undefined && (o.html === '' || o.html === '-')) throw usageError(`--html: "${o.html}" is not a file name (the HTML report on stdout is --report-format html)`);
  if (o.report === '') throw usageError('--report: "" is not a file name ("-" writes the JSON report to stdout)');
  if (o.output === '') throw usageError('-o: "" is not a file name ("-" is stdout)');
  // issue 12.9: no output may name an input, the state database, the overrides file or another output
  checkOutputs(replayOutputs(o), [...namedInputs(inputs), ...(o.db !== undefined ? [{ what: '--db', path: o.db }] : []), ...(o.overrides !== undefined ? [{ what: '--overrides', path: o.overrides }] : [])]);
  const expectations: Expectation[] = [];
  for (const e of o.expect ?? []) {
    try {
      expectations.push(parseExpectation(e));
    } catch (err) {
      throw usageError((err as Error).message);
    }
  }
  const output = o.output === undefined || o.output === '-' ? null : o.output;
  if (run.sort === true && o.db !== undefined) {
    throw usageError('--sort: not with --db FILE (a resumed run skips the records an earlier run applied, in the order it read them)');
  }
  if (o.allowConfigChange === true && o.db === undefined) throw usageError('--allow-config-change: only with --db FILE (it lets a run resume a database under other settings)');
  return {
    replay: {
      ...run,
      db: o.db ?? null,
      outputFormat,
      store: storeFromEnv(env.HA_DEDUP_STORE, o.db),
      allowConfigChange: o.allowConfigChange === true,
      outputName: output,
    },
    output,
    reportFile: o.report === undefined || o.report === '-' ? null : o.report,
    reportToStdout: o.report === '-',
    reportFormat,
    htmlFile: o.html ?? null,
    expectations,
    color: o.color,
    quiet: o.quiet === true,
    allowEmpty: o.allowEmpty === true,
  };
}

/** replay's output files (stdout, "-", left out), in the order their clashes are named. */
function replayOutputs(o: Pick<ReplayCliOptions, 'output' | 'report' | 'html'>): NamedPath[] {
  const out: NamedPath[] = [];
  if (o.output !== undefined && o.output !== '-') out.push({ what: '-o', path: o.output });
  if (o.report !== undefined && o.report !== '-') out.push({ what: '--report', path: o.report });
  if (o.html !== undefined) out.push({ what: '--html', path: o.html });
  return out;
}

/**
 * Issue 12.7: whether a run read no request at all (an empty file, empty stdin, only bad
 * records). A run stopped by a signal, and a run resumed from --db that skipped records it had
 * already applied, are not empty.
 */
export function isEmptyRun(report: Pick<Report, 'totals' | 'resume' | 'complete'>): boolean {
  return report.totals.requests === 0 && (report.resume?.skipped_records ?? 0) === 0 && report.complete !== false;
}

/** The error of an empty run (exit 3), naming the inputs and what they held. */
export function noRequestsError(inputs: readonly { path: string; records: number; bad_records: number }[]): HaDedupError {
  const what = inputs.map((i) => `${printable(i.path === '-' ? 'stdin' : i.path)}: ${i.bad_records === 0 ? 'empty' : `only ${i.bad_records} bad ${i.bad_records === 1 ? 'record' : 'records'}`}`).join('; ');
  return new HaDedupError('input', `no requests in the input (${what}); --allow-empty accepts a run with none`);
}

/**
 * HA_DEDUP_STORE: "sqlite" (default) or "map", the tracker state in a plain in-memory map instead
 * of in-memory SQLite (same decisions; for measuring SQLite's cost). Not with --db.
 */
function storeFromEnv(v: string | undefined, db: string | undefined): 'sqlite' | 'map' {
  if (v === undefined || v === '' || v === 'sqlite') return 'sqlite';
  if (v !== 'map') throw usageError(`HA_DEDUP_STORE: "${v}" is not sqlite or map`);
  if (db !== undefined) throw usageError('HA_DEDUP_STORE=map keeps the state in memory: it cannot be used with --db');
  return 'map';
}

async function run(inputs: string[], o: ReplayCliOptions, given: ReadonlySet<string>, rawIo: CliIo): Promise<void> {
  const io = guardIo(rawIo);
  const p = parseReplayOptions(inputs, o, given, io.env);
  checkInputs(p.replay.inputs);
  const stdoutTTY = io.stdout.isTTY === true;
  // No sample data on a terminal (SPEC 2); the human report then goes to stdout, as it does
  // whenever stdout carries no data (-o FILE or --output-format none).
  const dataToStdout = p.output === null && !stdoutTTY && p.replay.outputFormat !== 'none';
  if (p.reportToStdout && dataToStdout) {
    throw usageError(`--report -: stdout carries the ${p.replay.outputFormat} data; write it with -o FILE or leave it out with --output-format none`);
  }
  if (!p.quiet) {
    if (readsTerminalStdin(p.replay.inputs, io.stdin)) io.stderr.write(STDIN_HINT + '\n');
    if (stdoutTTY && p.output === null && given.has('outputFormat') && p.replay.outputFormat !== 'none') {
      io.stderr.write(`ha-dedup: note: stdout is a terminal, so no ${p.replay.outputFormat} data is written; use -o FILE or redirect stdout\n`);
    }
  }
  // open the files we write before the run, so a wrong path fails at once (their temporary
  // files: a run that fails leaves the targets as they were, outfile.ts)
  const files: ReportFiles = { json: null, html: null };
  let report: Report;
  // SIGINT/SIGTERM (issue 13.5): stop after the request in hand, write the output, the state and
  // a partial report, then exit 130/143 saying where; a second signal exits at once (the state is
  // the last commit's, which never runs ahead of the output)
  let signal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal === null) {
      signal = sig;
      return;
    }
    io.stderr.write(`ha-dedup: ${sig} again: stopped at once${p.replay.db !== null ? `; --db ${printable(p.replay.db)} holds the state of its last commit` : ''}\n`);
    io.exitNow(sig === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
  };
  // issue 12.10: stdout's reader gone (`| head`) stops the run at once (exit 0, as before) unless
  // the run has a result beyond its data (--expect, --report, --html): then it goes on without
  // writing data; stdout or stderr unwritable stops it (exit 2)
  const finishWithoutStdout = p.expectations.length > 0 || p.reportFile !== null || p.htmlFile !== null;
  const stdio = io.stdio;
  const stopRequested = () => signal !== null || stdio.failed || (stdio.stdoutClosed && dataToStdout && !finishWithoutStdout);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome: Outcome;
  try {
    if (p.reportFile !== null) files.json = reserveReportFile(p.reportFile, '--report', stdio);
    if (p.htmlFile !== null) files.html = reserveReportFile(p.htmlFile, '--html', stdio);
    outcome = await replayAndReport(p, dataToStdout, files, { stopRequested, signalled: () => signal !== null }, io);
  } catch (err) {
    files.json?.discard();
    files.html?.discard();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (outcome.kind === 'stdout-closed') return;
  report = outcome.report;
  if (outcome.stopped !== undefined) throw stoppedError(signal ?? 'SIGINT', outcome.stopped, p.replay.db);
  if (p.expectations.length > 0) {
    // issue 12.7: an empty run (--allow-empty) fails every check: there was nothing to check
    const empty = isEmptyRun(report);
    const results = checkExpectations(p.expectations, report.totals).map((r) => (empty ? { ...r, ok: false } : r));
    const failed = results.filter((r) => !r.ok);
    for (const f of failed) io.stderr.write(`ha-dedup: expect failed: ${f.expectation.text} (${empty ? 'no requests in the input: nothing to check' : `actual ${f.expectation.key} = ${f.actual}`})\n`);
    if (failed.length > 0) throw new HaDedupError('expect', `${failed.length} of ${results.length} --expect checks failed`);
  }
}

interface ReportFiles {
  json: ReportFile | null;
  html: ReportFile | null;
}

/** How replayAndReport ended: with a report, or stopped because stdout's reader went away. */
type Outcome = { kind: 'report'; report: Report; stopped?: StopPoint | null } | { kind: 'stdout-closed' };

/** Whether the run needs the timeline (an HTML report is asked for and will be written). */
export function wantsHtml(p: Pick<ParsedReplay, 'htmlFile' | 'reportFormat' | 'quiet'>): boolean {
  return p.htmlFile !== null || (p.reportFormat === 'html' && !p.quiet);
}

/** The one line of a run stopped by a signal (issue 13.5): where it stopped and what --db holds. */
function stoppedError(sig: NodeJS.Signals, at: StopPoint | null, db: string | null): HaDedupError {
  const where = at === null ? 'stopped before the first record' : `stopped at ${at.unit} ${at.index} of ${printable(at.input)}`;
  const state = db === null ? 'the state is not kept (no --db)' : at === null ? `--db ${printable(db)} holds the state it had` : `--db ${printable(db)} holds the state after it`;
  return new HaDedupError(sig === 'SIGTERM' ? 'terminated' : 'interrupted', `${sig}: ${where}; ${state}; the report is partial`);
}

/** Run the replay, write the report files and print the human report. */
async function replayAndReport(
  p: ParsedReplay,
  dataToStdout: boolean,
  files: ReportFiles,
  stop: { stopRequested(): boolean; signalled(): boolean },
  io: CliIo & { stdio: StdioState },
): Promise<Outcome> {
  const file = p.output !== null && p.replay.outputFormat !== 'none' ? openOutput(p.output, '-o', io.stdio) : null;
  const sink = file !== null ? file.sink : dataToStdout ? io.stdout : null;
  const progress = io.stderr.isTTY === true && !p.quiet ? new ProgressLine(io.stderr) : null;
  // The HTML report's timeline consumer and renderer are loaded only when asked for (a replay
  // without them does not load, build or feed them: test/e2e/html-lazy.test.ts)
  const html = wantsHtml(p) ? await import('../replayhtml.js') : null;
  const timeline = html === null ? null : html.timelineConsumer();
  let result;
  try {
    result = await runReplay(p.replay, {
      output: sink,
      stdin: io.stdin,
      warn: (line) => {
        if (p.quiet) return;
        progress?.clear();
        io.stderr.write(printable(line) + '\n');
      },
      progress: progress === null ? undefined : (s) => progress.update(s),
      progressEvery: 200,
      consumers: timeline === null ? undefined : [timeline],
      stopRequested: stop.stopRequested,
    });
  } catch (err) {
    const f = file?.failure();
    await file?.discard();
    throw f ?? err;
  } finally {
    progress?.clear();
  }
  const report = result.report;
  const signalled = result.stopped !== undefined && stop.signalled();
  // what makes the run fail leaves every output file as it was
  let failure: HaDedupError | null = null;
  if (io.stdio.failed) failure = io.stdio.error();
  else if (result.stopped === undefined && !stop.signalled() && !p.allowEmpty && isEmptyRun(report)) failure = noRequestsError(report.inputs);
  if (failure !== null) {
    await file?.discard();
    throw failure;
  }
  if (result.stopped !== undefined && !signalled) {
    // stdout's reader went away and nothing but the data was asked for: exit 0 as `| head` expects
    await file?.discard();
    return { kind: 'stdout-closed' };
  }
  if (file !== null) await file.close();
  files.json?.write(renderJson(report));
  const page = html === null || timeline === null ? null : html.renderPage(report, timeline);
  if (page !== null) files.html?.write(page);
  if (p.reportToStdout) io.stdout.write(renderJson(report));
  const stopped = result.stopped?.at;
  if (p.quiet) return { kind: 'report', report, stopped };
  const human = dataToStdout || p.reportToStdout ? io.stderr : io.stdout;
  const color = useColor(human, p.color, io.env);
  const text =
    p.reportFormat === 'json'
      ? renderJson(report)
      : p.reportFormat === 'markdown'
        ? renderMarkdown(report)
        : p.reportFormat === 'html'
          ? page!
          : renderTable(report, { paint: await loadPaint(color), width: terminalWidth(human, io.env) });
  human.write(text);
  // issue 20.5: what doctor would report as an error, in one line after the report (-q: none)
  if (result.hint !== null) io.stderr.write(result.hint + '\n');
  return { kind: 'report', report, stopped };
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** commander's keys of the options typed on the command line (not defaults). */
export function optionsGiven(cmd: Command): Set<string> {
  const out = new Set<string>();
  for (const key of Object.keys(cmd.opts())) if (cmd.getOptionValueSource(key) === 'cli') out.add(key);
  return out;
}

/** The help text after the options: what an --expect expression may say, wrapped to `width`. */
export function expectHelp(width: number): string {
  const lines = [
    '--expect EXPR: KEY OP NUMBER, e.g. elections<=2, lost_samples==0, max_gap_ms<4.5e4, bad_records!=0',
    `  OP: ${EXPECT_OPS.join(' ')}`,
    `  KEY (a key of the report's totals): ${EXPECT_KEYS.join(', ')}`,
  ];
  return '\n' + lines.flatMap((l) => wrapText(l, width, l.startsWith('  ') ? 4 : 2)).join('\n') + '\n';
}

/** replay's input options (doctor calls the input format `formatFlag`): format, tenant, clock, delay. */
export function addInputOptions(cmd: Command, formatFlag = '--format'): Command {
  return cmd
    .option(`${formatFlag} <format>`, 'input format: auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json', 'auto')
    .option('--tenant <id>', 'tenant for records that carry none', 'anonymous')
    .option('--clock <source>', 'source of "now": received or sample (default: received if the input carries receive times, else sample)')
    .option('--delay <duration>', 'added to sample-derived now (send lag)', '0s');
}

/** replay's HA options, --overrides last. */
export function addHaOptions(cmd: Command): Command {
  return cmd
    .option('--semantics <model>', 'decision model: cortex or mimir', 'cortex')
    .option('--dedupe <mode>', 'per-request or per-sample', 'per-request')
    .option('--cluster-label <name>', 'HA cluster label', 'cluster')
    .option('--replica-label <name>', 'HA replica label', '__replica__')
    .option('--update-timeout <duration>', 'HA tracker update timeout', '15s')
    .option('--update-timeout-jitter-max <duration>', 'largest update timeout jitter (seeded)', '5s')
    .option('--seed <n>', 'seed of the jitter generator', '1')
    .option('--failover-timeout <duration>', 'HA tracker failover timeout', '30s')
    .option('--sample-failover-timeout <duration>', 'mimir only; 0s = off', '0s')
    .option('--max-clusters <n>', 'HA clusters per tenant; 0 = no limit (default: 0 with cortex, 100 with mimir, as in those systems)')
    .option('--overrides <file>', 'per-tenant YAML overrides (Cortex runtime-config shape)');
}

/** How replay reads its inputs: --strict, --max-decoded-size, --allow-empty, --sort. */
export function addReadOptions(cmd: Command): Command {
  return cmd
    .option('--strict', 'stop at the first bad record (exit 3)')
    .option('--max-decoded-size <bytes>', 'largest decoded body accepted (e.g. 64MiB)', String(DEFAULT_MAX_DECODED_SIZE))
    .option('--allow-empty', 'an input with no request is not an error (without it: exit 3, "no requests in the input")')
    .option('--sort', 'order the records by clock time first (input not in time order, e.g. a VictoriaMetrics export)');
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('replay')
    .description('replay captured remote-write traffic through the HA tracker: deduplicated samples plus a report')
    .argument('[INPUT...]', 'capture files (rwcap, rwcap-json, remote-write, ndjson, vm-json; gzip ok); none or - reads stdin');
  addHaOptions(addInputOptions(cmd))
    .option('--db <file>', 'persisted tracker state (SQLite); an existing file resumes')
    .option('--allow-config-change', 'resume a --db under settings other than the ones it recorded (one warning per difference)')
    .option('-o, --output <file>', 'deduplicated output (default: stdout)')
    .option('--output-format <format>', 'ndjson, rwcap, vm-json or none', 'ndjson')
    .option('--report <file>', 'write the JSON report to FILE ("-" for stdout)')
    .option('--report-format <format>', 'human report: table, json, markdown or html', 'table')
    .option('--html <file>', 'write the HTML report (a timeline per cluster) to FILE, beside any other report')
    .option('--expect <expr>', 'CI check on report totals, e.g. lost_samples==0 (repeatable; exit 1 when one fails; keys below)', collect);
  addReadOptions(cmd)
    .option('--no-color', 'no colour in the report')
    .option('-q, --quiet', 'no human report and no warnings (errors and failed --expect checks still)')
    .addHelpText('after', () => expectHelp(helpWidth(io.stdout, io.env)))
    .action(async (inputs: string[], o: ReplayCliOptions, cmd: Command) => {
      await run(inputs, o, optionsGiven(cmd), io);
    });
}
