// Golden files of the human tables at terminal widths (fixtures/widths/): the replay report,
// `inspect` and `state` rendered for an 80- and a 160-column terminal, from stored JSON inputs
// (the bundled fixture's replay report, inspect --json and state --json, and two scenario
// reports). test/report/widths.test.ts renders them again and compares byte for byte.
// Regenerate on purpose (after `npm run build`; the JSON inputs come from the built CLI):
//   node --import tsx scripts/regen-widths.ts
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../src/report/table.js';
import type { Report } from '../src/report/types.js';
import { renderInspectTable } from '../src/cli/commands/inspect.js';
import { renderStateTable, type ClusterView } from '../src/cli/commands/state.js';
import type { InspectReport } from '../src/wire/summary.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WIDTHS_DIR = join(ROOT, 'fixtures', 'widths');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');

export interface WidthCase {
  /** expected/<name>.txt */
  name: string;
  width: number;
  render(): string;
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const report = (p: string) => (): Report => readJson(p) as Report;
const fixtureReport = report(join(WIDTHS_DIR, 'fixture-report.json'));
const scenarioReport = (name: string) => report(join(ROOT, 'fixtures', 'scenarios', name, 'expected', 'report.json'));
const inspect = (): InspectReport => readJson(join(WIDTHS_DIR, 'fixture-inspect.json')) as InspectReport;
const state = (): ClusterView[] => (readJson(join(WIDTHS_DIR, 'fixture-state.json')) as { clusters: ClusterView[] }).clusters;

export function widthCases(): WidthCase[] {
  const cases: WidthCase[] = [];
  for (const width of [80, 160]) {
    cases.push({ name: `replay-fixture-${width}`, width, render: () => renderTable(fixtureReport(), { width }) });
    cases.push({ name: `replay-outside-ha-${width}`, width, render: () => renderTable(scenarioReport('overrides-custom-labels')(), { width }) });
    cases.push({ name: `inspect-fixture-${width}`, width, render: () => renderInspectTable(inspect(), width) });
    cases.push({ name: `state-fixture-${width}`, width, render: () => renderStateTable(state(), width) + '\n' });
  }
  cases.push({ name: 'replay-bad-records-80', width: 80, render: () => renderTable(scenarioReport('bad-records')(), { width: 80 }) });
  return cases;
}

function run(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`ha-dedup ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The JSON inputs, from the built CLI on the bundled fixture (paths made relative). */
function regenInputs(): void {
  mkdirSync(WIDTHS_DIR, { recursive: true });
  const rel = (text: string) => text.split(FIXTURE).join('fixtures/prom-ha-dev.rwcap');
  writeFileSync(join(WIDTHS_DIR, 'fixture-report.json'), rel(run(['replay', FIXTURE, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--report-format', 'json'])));
  writeFileSync(join(WIDTHS_DIR, 'fixture-inspect.json'), rel(run(['inspect', FIXTURE, '--json'])));
  const tmp = mkdtempSync(join(tmpdir(), 'ha-dedup-widths-'));
  try {
    const db = join(tmp, 'state.db');
    run(['replay', FIXTURE, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--db', db]);
    writeFileSync(join(WIDTHS_DIR, 'fixture-state.json'), run(['state', '--db', db, '--json']).split(db).join('state.db'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  regenInputs();
  mkdirSync(join(WIDTHS_DIR, 'expected'), { recursive: true });
  for (const c of widthCases()) {
    writeFileSync(join(WIDTHS_DIR, 'expected', `${c.name}.txt`), c.render());
    process.stdout.write(`${c.name}\n`);
  }
}
