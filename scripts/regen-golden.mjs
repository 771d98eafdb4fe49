#!/usr/bin/env node
// Golden scenario files for `ha-dedup replay` (fixtures/scenarios/<name>/): each holds
// scenario.json ({description, args}), its input and, under expected/, the stdout, stderr,
// JSON report and exit code of `ha-dedup replay ARGS --report FILE` run in that folder with
// colour off. test/replay/scenarios.test.ts compares a fresh run with expected/; this script
// regenerates expected/ on purpose (run `npm run build` first; it runs the built CLI, bin/ha-dedup):
//   node scripts/regen-golden.mjs            all scenarios
//   node scripts/regen-golden.mjs flap ...   only these
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCENARIOS = join(ROOT, 'fixtures', 'scenarios');
const BIN = join(ROOT, 'bin', 'ha-dedup');

export function listScenarios() {
  return readdirSync(SCENARIOS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(SCENARIOS, d.name, 'scenario.json')))
    .map((d) => d.name)
    .sort();
}

/** Run one scenario; returns {stdout, stderr, report (text or null), exitCode}. */
export function runScenario(name) {
  const dir = join(SCENARIOS, name);
  const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  const tmp = mkdtempSync(join(tmpdir(), 'ha-dedup-scenario-'));
  try {
    const reportFile = join(tmp, 'report.json');
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const r = spawnSync(process.execPath, [BIN, 'replay', ...spec.args, '--report', reportFile], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    const report = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : null;
    return { stdout: r.stdout, stderr: r.stderr, report, exitCode: r.status };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The expected files of a scenario (report null when none is expected). */
export function readExpected(name) {
  const dir = join(SCENARIOS, name, 'expected');
  const rp = join(dir, 'report.json');
  return {
    stdout: readFileSync(join(dir, 'stdout'), 'utf8'),
    stderr: readFileSync(join(dir, 'stderr'), 'utf8'),
    report: existsSync(rp) ? readFileSync(rp, 'utf8') : null,
    exitCode: Number(readFileSync(join(dir, 'exit_code'), 'utf8').trim()),
  };
}

function writeExpected(name, got) {
  const dir = join(SCENARIOS, name, 'expected');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stdout'), got.stdout);
  writeFileSync(join(dir, 'stderr'), got.stderr);
  const rp = join(dir, 'report.json');
  if (got.report !== null) writeFileSync(rp, got.report);
  else rmSync(rp, { force: true });
  writeFileSync(join(dir, 'exit_code'), `${got.exitCode}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'main.js'))) {
    process.stderr.write('regen-golden: dist/ is missing; run `npm run build` first\n');
    process.exit(2);
  }
  const only = process.argv.slice(2);
  for (const name of only.length > 0 ? only : listScenarios()) {
    const got = runScenario(name);
    writeExpected(name, got);
    process.stdout.write(`${name}: exit ${got.exitCode}, ${got.stdout.split('\n').length - 1} stdout lines${got.report === null ? ', no report' : ''}\n`);
  }
}
