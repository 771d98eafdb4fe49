// `ha-dedup doctor [INPUT...]` (issue 20, SPEC 12): replay's input and HA options (parsed by
// replay's own code), the findings on stdout as a table, JSON or markdown, exit 1 when one is at
// or above --fail-on. The checks live in src/doctor, the run in src/pipeline/doctor.ts.
import type { Command } from 'commander';
import { HaDedupError } from '../../model/index.js';
import { checkInputs } from '../../pipeline/inputs.js';
import { runDoctor, type DoctorOptions } from '../../pipeline/doctor.js';
import { CODES } from '../../doctor/types.js';
import { DEFAULT_FAIL_ON, FAIL_ON, failing, parseFailOn, type FailOn } from '../../doctor/exit.js';
import { renderJson, renderMarkdown, renderTable } from '../../doctor/render.js';
import { wrapText } from '../../report/grid.js';
import { printable } from '../../report/format.js';
import { STDIN_HINT, readsTerminalStdin, terminalWidth } from '../tty.js';
import { helpWidth } from '../voice.js';
import type { CliIo } from '../io.js';
import { addHaOptions, addInputOptions, addReadOptions, noRequestsError, oneOf, optionsGiven, parseRunOptions, type RunCliOptions } from './replay.js';

/** doctor's options: replay's shared ones, with the input format as --input-format. */
export interface DoctorCliOptions extends Omit<RunCliOptions, 'format'> {
  inputFormat: string;
  /** The report's format (replay's --format is the input format; here it is --input-format). */
  format: string;
  failOn: string;
}

export interface ParsedDoctor {
  doctor: DoctorOptions;
  format: 'table' | 'json' | 'markdown';
  failOn: FailOn;
}

export const DOCTOR_FORMATS = ['table', 'json', 'markdown'] as const;

export function parseDoctorOptions(inputs: string[], o: DoctorCliOptions, given: ReadonlySet<string> = new Set()): ParsedDoctor {
  const doctor = parseRunOptions(inputs, { ...o, format: o.inputFormat }, given, '--input-format');
  return { doctor, format: oneOf('--format', o.format, DOCTOR_FORMATS), failOn: parseFailOn(o.failOn.trim()) };
}

async function run(inputs: string[], o: DoctorCliOptions, given: ReadonlySet<string>, io: CliIo): Promise<void> {
  const p = parseDoctorOptions(inputs, o, given);
  checkInputs(p.doctor.inputs);
  if (readsTerminalStdin(p.doctor.inputs, io.stdin)) io.stderr.write(STDIN_HINT + '\n');
  const report = await runDoctor(p.doctor, { warn: (line) => io.stderr.write(printable(line) + '\n'), stdin: io.stdin });
  // issue 12.7: no findings on an input with no request is no evidence (a record counts once, good or bad)
  if (o.allowEmpty !== true && report.inputs.every((i) => i.records - i.bad_records === 0)) throw noRequestsError(report.inputs);
  io.stdout.write(p.format === 'json' ? renderJson(report) : p.format === 'markdown' ? renderMarkdown(report) : renderTable(report, terminalWidth(io.stdout, io.env)));
  const over = failing(report.findings, p.failOn).length;
  if (over > 0) throw new HaDedupError('expect', `${over} ${over === 1 ? 'finding' : 'findings'} at or above ${p.failOn} (--fail-on ${p.failOn})`);
}

/** The help text after the options: the codes, wrapped to `width`. */
export function doctorHelp(width: number): string {
  const lines = [`codes (SPEC 12.1, docs/doctor.md): ${CODES.join(', ')}`, 'exit: 0 none at or above --fail-on, 1 some, 2 usage, 3 input'];
  return '\n' + lines.flatMap((l) => wrapText(l, width, 2)).join('\n') + '\n';
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('doctor')
    .description('find HA misconfiguration in captured remote-write traffic: each finding with its code, severity, examples and the setting that fixes it')
    .argument('[INPUT...]', 'capture files (rwcap, rwcap-json, remote-write, ndjson, vm-json; gzip ok); none or - reads stdin');
  addHaOptions(addInputOptions(cmd, '--input-format'))
    .option('--format <format>', 'findings as table, json or markdown', 'table')
    .option('--fail-on <severity>', `exit 1 when a finding is at or above: ${FAIL_ON.join(', ')}`, DEFAULT_FAIL_ON);
  addReadOptions(cmd)
    .addHelpText('after', () => doctorHelp(helpWidth(io.stdout, io.env)))
    .action(async (inputs: string[], o: DoctorCliOptions, c: Command) => {
      await run(inputs, o, optionsGiven(c), io);
    });
}
