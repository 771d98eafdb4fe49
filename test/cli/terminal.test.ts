// The CLI on a real terminal (a pseudo-terminal from util-linux script(1), sized with stty): the
// replay report, inspect, state and every --help fit 80 columns and use the full tables at 160
// (issue 14.1); the stdin hint and the no-data note (14.5). Without a terminal the same commands
// print the full tables (the golden scenarios pin that). The layouts themselves are pinned
// in-process by test/report/widths.test.ts, which needs no terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { displayWidth } from '../../src/report/grid.js';
import { runCli } from './run.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');
const NO_SCRIPT = spawnSync('script', ['--version']).status !== 0 ? 'util-linux script(1) is not installed (it provides the terminal)' : false;

/**
 * Run `ha-dedup ARGS` on a terminal of `cols` columns; stdin is the terminal, at end of input.
 * `columns`: COLUMNS for ha-dedup (else unset; the shell would set it to the terminal's width).
 */
function onTerminal(cols: number, args: string, columns?: number): { code: number | null; out: string } {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  const env = columns === undefined ? 'env -u COLUMNS' : `env COLUMNS=${columns}`;
  const r = spawnSync('script', ['-qec', `stty cols ${cols} rows 50; exec ${env} "${process.execPath}" "${BIN}" ${args}`, '/dev/null'], {
    cwd: ROOT,
    env: base,
    encoding: 'utf8',
    input: '',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.replace(/\r\n/g, '\n') };
}

function widest(text: string): number {
  return Math.max(...text.split('\n').map(displayWidth));
}

test('replay on an 80-column terminal: the report fits, one block per cluster; at 160 the full tables', { skip: NO_SCRIPT }, () => {
  const narrow = onTerminal(80, `replay "${FIXTURE}" --update-timeout-jitter-max 0s`);
  assert.equal(narrow.code, 0, narrow.out);
  assert.ok(widest(narrow.out) <= 80, narrow.out);
  assert.match(narrow.out, /^Clusters\ntenant-a \/ dev-pair\n  elected replica1, elections 3, lost 5608/);
  const wide = onTerminal(160, `replay "${FIXTURE}" --update-timeout-jitter-max 0s`);
  assert.equal(wide.code, 0, wide.out);
  assert.ok(widest(wide.out) > 80 && widest(wide.out) <= 160);
  assert.match(wide.out, /│ tenant-a │ dev-pair │ replica1 │ 3 /);
  // COLUMNS, when set, is the width (as for ls)
  const cols = onTerminal(160, `replay "${FIXTURE}" --update-timeout-jitter-max 0s`, 80);
  assert.equal(cols.out, narrow.out);
});

test('inspect and state on an 80-column terminal fit; at 160 the full tables', { skip: NO_SCRIPT }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-terminal-'));
  try {
    const i80 = onTerminal(80, `inspect "${FIXTURE}"`);
    assert.equal(i80.code, 0, i80.out);
    assert.ok(widest(i80.out) <= 80, i80.out);
    assert.match(i80.out, /\ntenant-a \/ dev-pair \/ replica1\n  requests 72, series 512/);
    const i160 = onTerminal(160, `inspect "${FIXTURE}"`);
    assert.ok(widest(i160.out) > 80, i160.out);
    assert.match(i160.out, /│ tenant-a │ dev-pair │ replica1 │ 72 /);
    const db = join(dir, 's.db');
    const rep = await runCli(['replay', FIXTURE, '--output-format', 'none', '--db', db]);
    assert.equal(rep.status, 0, rep.stderr);
    const s80 = onTerminal(80, `state --db "${db}"`);
    assert.equal(s80.code, 0, s80.out);
    assert.ok(widest(s80.out.split('\n').slice(1).join('\n')) <= 80, s80.out); // the first line names the db path
    assert.match(s80.out, /\ntenant-a \/ dev-pair\n  elected replica replica1, /);
    const s160 = onTerminal(160, `state --db "${db}"`);
    assert.match(s160.out, /│ tenant-a │ dev-pair │ replica1 /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every --help wraps to the terminal: 80 columns, and wider on a wider one', { skip: NO_SCRIPT }, () => {
  for (const cmd of ['', 'replay', 'record', 'inspect', 'convert', 'state', 'send', 'doctor']) {
    const h80 = onTerminal(80, `${cmd} --help`);
    assert.equal(h80.code, 0, h80.out);
    assert.ok(widest(h80.out) <= 80, `${cmd} --help at 80:\n${h80.out}`);
    const h120 = onTerminal(120, `${cmd} --help`);
    assert.ok(widest(h120.out) <= 120);
    if (cmd === 'replay' || cmd === 'doctor') assert.ok(widest(h120.out) > 80, `${cmd} --help uses the wider terminal`);
  }
});

test('replay reading a terminal: one hint line; a data format chosen with no -o: one note that nothing was written', { skip: NO_SCRIPT }, () => {
  const stdin = onTerminal(80, 'replay --output-format none --allow-empty'); // Ctrl-D at once: no request (issue 12.7)
  assert.equal(stdin.code, 0, stdin.out);
  assert.equal(stdin.out.split('\n').filter((l) => l.includes('stdin')).join('\n'), 'ha-dedup: reading remote-write data from stdin; Ctrl-D to end');
  const file = onTerminal(80, `replay "${FIXTURE}"`);
  assert.doesNotMatch(file.out, /stdin|no sample data|is written/, 'a file input and the default format: nothing to say');
  const chosen = onTerminal(80, `replay "${FIXTURE}" --output-format vm-json`);
  assert.equal(chosen.code, 0, chosen.out);
  assert.equal(chosen.out.split('\n').filter((l) => l.startsWith('ha-dedup: note:')).join('\n'), 'ha-dedup: note: stdout is a terminal, so no vm-json data is written; use -o FILE or redirect stdout');
  assert.doesNotMatch(chosen.out, /"metric"/);
  const quiet = onTerminal(80, `replay "${FIXTURE}" --output-format vm-json -q`);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.out, '', '-q: no note, no report');
  const inspect = onTerminal(80, 'inspect --json');
  assert.match(inspect.out, /^ha-dedup: reading remote-write data from stdin; Ctrl-D to end\n/);
});
