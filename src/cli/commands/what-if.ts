// `ha-dedup what-if [INPUT...]` (issue 19, SPEC 12): replay's inputs and options, where each HA
// option may be a comma-separated list; the grid is their cross product. Every cell is checked
// by replay's own option parser (a cell that fails it is listed as skipped, with the reason) and
// run as a lane of one pass over the inputs (src/whatif/lanes.ts), the cells split over threads
// (src/whatif/threads.ts). The table, JSON and markdown are src/whatif/render.ts.
import type { Command } from 'commander';
import { availableParallelism, loadavg } from 'node:os';
import { statSync } from 'node:fs';
import { HaDedupError, parseDuration, usageError, type Semantics } from '../../model/index.js';
import { defaultMaxClusters } from '../../tracker/config.js';
import { checkInputs } from '../../pipeline/inputs.js';
import { effectiveConfigs } from '../../pipeline/replay.js';
import { EXPECT_KEYS, checkExpectations, parseExpectation, type Expectation } from '../../report/index.js';
import { printable } from '../../report/format.js';
import { crossProduct, GRID_OPTIONS, splitList, varyingKeys, type CellSettings, type CellText, type GridSpec } from '../../whatif/grid.js';
import type { CellOptions } from '../../whatif/lanes.js';
import { runCellsThreaded } from '../../whatif/threads.js';
import { cellName, renderByCluster, renderJson, renderMarkdown, renderTable, type WhatIfCell, type WhatIfResult } from '../../whatif/render.js';
import { STDIN_HINT, readsTerminalStdin, terminalWidth } from '../tty.js';
import { checkOutputs, namedInputs, reserveReportFile } from '../outfile.js';
import { helpWidth } from '../voice.js';
import { wrapText } from '../../report/grid.js';
import type { CliIo } from '../io.js';
import { addHaOptions, addInputOptions, addReadOptions, isEmptyRun, noRequestsError, oneOf, optionsGiven, parseRunOptions, type RunCliOptions } from './replay.js';

export interface WhatIfCliOptions extends RunCliOptions {
  report?: string;
  reportFormat: string;
  byCluster?: boolean;
  expect?: string[];
  threads: string;
}

export const WHATIF_FORMATS = ['table', 'json', 'markdown'] as const;

/** A cell of the command line: its settings, and its replay options or why it is skipped. */
export interface PlannedCell {
  settings: CellSettings;
  options: CellOptions | null;
  skipped: string | null;
}

export interface ParsedWhatIf {
  spec: GridSpec;
  cells: PlannedCell[];
  reportFile: string | null;
  reportFormat: (typeof WHATIF_FORMATS)[number];
  byCluster: boolean;
  expectations: Expectation[];
  /** null = auto. */
  threads: number | null;
}

/** Each value of a list on its own (a value that is wrong whatever the other settings is a usage error, not a skipped cell). */
function checkValue(key: (typeof GRID_OPTIONS)[number]['key'], flag: string, v: string): void {
  if (key === 'semantics') oneOf(flag, v, ['cortex', 'mimir']);
  else if (key === 'dedupe') oneOf(flag, v, ['per-request', 'per-sample']);
  else if (key === 'maxClusters') {
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw usageError(`${flag}: "${v}" is not a non-negative integer`);
  } else if (parseDuration(v) === undefined) throw usageError(`${flag}: "${v}" is not a duration (Prometheus style, e.g. 500ms, 15s, 1m30s)`);
}

function settingsOf(t: CellText): CellSettings {
  const semantics = t.semantics as Semantics;
  return {
    semantics,
    dedupe: t.dedupe as CellSettings['dedupe'],
    update_timeout_ms: parseDuration(t.updateTimeout)!,
    update_timeout_jitter_max_ms: parseDuration(t.updateTimeoutJitterMax)!,
    failover_timeout_ms: parseDuration(t.failoverTimeout)!,
    sample_failover_timeout_ms: parseDuration(t.sampleFailoverTimeout)!,
    max_clusters: t.maxClusters === undefined ? defaultMaxClusters(semantics) : Number(t.maxClusters),
  };
}

function parseThreads(text: string): number | null {
  const t = text.trim();
  if (t === 'auto') return null;
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 256) throw usageError(`--threads: "${text}" is not auto or a whole number from 1 to 256`);
  return Number(t);
}

/**
 * Validate the command line into the grid's cells (usage errors name the option). A cell whose
 * settings replay would refuse (SPEC 6.5, an override that does not hold with them) is skipped
 * with replay's message; a usage error only when no cell is left.
 */
export async function parseWhatIfOptions(inputs: string[], o: WhatIfCliOptions, given: ReadonlySet<string> = new Set()): Promise<ParsedWhatIf> {
  const spec = {} as GridSpec;
  for (const g of GRID_OPTIONS) {
    const text = o[g.key];
    if (text === undefined) {
      (spec as Record<string, (string | undefined)[]>)[g.key] = [undefined];
      continue;
    }
    let values: string[];
    try {
      values = splitList(g.flag, text);
    } catch (err) {
      throw usageError((err as Error).message);
    }
    for (const v of values) checkValue(g.key, g.flag, v);
    (spec as Record<string, string[]>)[g.key] = values;
  }
  // the options that are not the grid's, checked once: with replay's defaults for the grid's
  const gridKeys = new Set<string>(GRID_OPTIONS.map((g) => g.key));
  parseRunOptions(inputs, { ...o, semantics: 'cortex', dedupe: 'per-request', updateTimeout: '15s', updateTimeoutJitterMax: '5s', failoverTimeout: '30s', sampleFailoverTimeout: '0s', maxClusters: undefined }, new Set([...given].filter((k) => !gridKeys.has(k))));
  const cells: PlannedCell[] = [];
  for (const text of crossProduct(spec)) {
    const settings = settingsOf(text);
    try {
      const options = parseRunOptions(inputs, { ...o, ...text }, given);
      await effectiveConfigs(options); // the overrides must hold with this cell's settings, as replay checks them
      cells.push({ settings, options, skipped: null });
    } catch (err) {
      if (!(err instanceof HaDedupError) || err.kind !== 'usage') throw err;
      cells.push({ settings, options: null, skipped: err.message });
    }
  }
  if (cells.every((c) => c.options === null)) {
    const reasons = [...new Set(cells.map((c) => c.skipped!))];
    throw usageError(reasons.length === 1 ? `${cells.length === 1 ? 'the only cell' : `every cell of the grid (${cells.length})`} fails: ${reasons[0]}` : `no cell of the grid is valid: ${reasons.join('; ')}`);
  }
  const expectations: Expectation[] = [];
  for (const e of o.expect ?? []) {
    try {
      expectations.push(parseExpectation(e));
    } catch (err) {
      throw usageError((err as Error).message);
    }
  }
  return {
    spec,
    cells,
    reportFile: o.report ?? null,
    reportFormat: oneOf('--report-format', o.reportFormat, WHATIF_FORMATS),
    byCluster: o.byCluster === true,
    expectations,
    threads: parseThreads(o.threads),
  };
}

/**
 * Inputs this large (in all) may be split over threads by --threads auto: a worker thread costs
 * ~0.7 s of CPU before its first record (start-up, modules, warm-up) and decodes the input again
 * (bench/README.md, "what-if").
 */
export const AUTO_THREADS_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The threads --threads auto uses: one per idle core (cores less the 1-minute load average,
 * rounded), at most one per cell; one for stdin, for inputs under AUTO_THREADS_MIN_BYTES, and on
 * a machine with no idle core, where a second thread only adds its CPU (measured: 0.87x at
 * ~10^7 with a load of ~22 on 2 cores). The output is the same whatever the threads.
 */
export function autoThreads(inputs: readonly string[], cells: number, cores = availableParallelism(), load = loadavg()[0] ?? 0): number {
  if (inputs.length === 0 || inputs.includes('-')) return 1;
  let bytes = 0;
  for (const p of inputs) {
    try {
      bytes += statSync(p).size;
    } catch {
      return 1; // the run itself reports the unreadable input
    }
  }
  if (bytes < AUTO_THREADS_MIN_BYTES) return 1;
  const idle = Math.round(cores - load);
  return Math.max(1, Math.min(idle, cells));
}

async function run(inputs: string[], o: WhatIfCliOptions, given: ReadonlySet<string>, io: CliIo): Promise<void> {
  const p = await parseWhatIfOptions(inputs, o, given);
  checkInputs(inputs);
  if (readsTerminalStdin(inputs, io.stdin)) io.stderr.write(STDIN_HINT + '\n');
  const runnable = p.cells.filter((c) => c.options !== null);
  const stdin = inputs.length === 0 || inputs.includes('-');
  const threads = stdin ? 1 : (p.threads ?? autoThreads(inputs, runnable.length));
  // --report - (SPEC 12): the JSON on stdout, the human output on stderr; a file never an input
  const reportToStdout = p.reportFile === '-';
  if (p.reportFile !== null && !reportToStdout) checkOutputs([{ what: '--report', path: p.reportFile }], namedInputs(inputs));
  const file = p.reportFile === null || reportToStdout ? null : reserveReportFile(p.reportFile, '--report');
  let results;
  try {
    results = await runCellsThreaded(
      runnable.map((c) => c.options!),
      threads,
      { warn: (line) => io.stderr.write(printable(line) + '\n'), stdin: io.stdin },
    );
  } catch (err) {
    file?.discard();
    throw err;
  }
  // issue 12.7: a grid over an input with no request is no evidence (as replay and doctor say)
  if (o.allowEmpty !== true && results.length > 0 && isEmptyRun(results[0]!.report)) {
    file?.discard();
    throw noRequestsError(results[0]!.report.inputs);
  }
  let k = 0;
  const cells: WhatIfCell[] = p.cells.map((c, i) => ({ index: i + 1, settings: c.settings, skipped: c.skipped, result: c.options === null ? null : results[k++]! }));
  const r: WhatIfResult = { varying: varyingKeys(p.spec), cells };
  file?.write(renderJson(r));
  if (reportToStdout) io.stdout.write(renderJson(r));
  const human = reportToStdout ? io.stderr : io.stdout;
  const width = terminalWidth(human, io.env);
  human.write(
    p.reportFormat === 'json'
      ? renderJson(r)
      : p.reportFormat === 'markdown'
        ? renderMarkdown(r, p.byCluster)
        : renderTable(r, width) + (p.byCluster ? '\n' + renderByCluster(r, width) : ''),
  );
  if (p.expectations.length > 0) {
    let failedCells = 0;
    let failed = 0;
    for (const c of cells) {
      if (c.result === null) continue;
      const bad = checkExpectations(p.expectations, c.result.report.totals).filter((x) => !x.ok);
      if (bad.length > 0) failedCells++;
      failed += bad.length;
      for (const f of bad) io.stderr.write(`ha-dedup: expect failed: ${cellName(c, r.varying)}: ${f.expectation.text} (actual ${f.expectation.key} = ${f.actual})\n`);
    }
    if (failed > 0) throw new HaDedupError('expect', `${failed} of ${p.expectations.length * runnable.length} --expect checks failed, in ${failedCells} of ${runnable.length} cells`);
  }
}

/** The help text after the options: the grid, --expect, --threads. */
export function whatIfHelp(width: number): string {
  const lines = [
    `Lists (comma-separated) are accepted by ${GRID_OPTIONS.map((g) => g.flag).join(', ')}; the grid is their cross product, the last option varying fastest. A cell replay would refuse (e.g. failover < update + jitter + 1s) is listed as skipped with the reason.`,
    `--expect EXPR: checked on every cell's totals (KEY OP NUMBER, KEY one of ${EXPECT_KEYS.join(', ')}); exit 1 naming each cell that fails`,
    'exit: 0 every check held, 1 an --expect check failed, 2 usage (or no valid cell), 3 input',
  ];
  return '\n' + lines.flatMap((l) => wrapText(l, width, 2)).join('\n') + '\n';
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('what-if')
    .description('replay captured traffic under many HA settings at once (each HA option a comma-separated list; the grid is their cross product): one row per setting')
    .argument('[INPUT...]', 'capture files (rwcap, rwcap-json, remote-write, ndjson, vm-json; gzip ok); none or - reads stdin');
  addHaOptions(addInputOptions(cmd));
  for (const opt of cmd.options) if (GRID_OPTIONS.some((g) => g.flag === opt.long)) opt.description += ' (a comma-separated list: one cell per value)';
  cmd
    .option('--report <file>', 'write the JSON of every cell to FILE ({"version": 1, "cells": [...]}); - = stdout (the table then goes to stderr)')
    .option('--report-format <format>', 'on stdout: table, json or markdown', 'table')
    .option('--by-cluster', 'add a per-cluster breakdown of every cell')
    .option('--expect <expr>', "CI check on each cell's totals, e.g. lost_samples<1000 (repeatable; exit 1 naming the cells that fail)", collect)
    .option('--threads <n>', 'threads to split the cells over: a number, or auto: one per idle core, at most one per cell, for inputs of 64 MiB or more (else one)', 'auto');
  addReadOptions(cmd)
    .addHelpText('after', () => whatIfHelp(helpWidth(io.stdout, io.env)))
    .action(async (inputs: string[], o: WhatIfCliOptions, c: Command) => {
      await run(inputs, o, optionsGiven(c), io);
    });
}
