// `ha-dedup doctor` as a user runs it (the built CLI): its options are replay's (the same
// definitions and parser), the findings' format and --fail-on are its own; usage errors exit 2
// naming the option, unreadable inputs 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');

function run(args: string[], opts: { input?: string | Buffer } = {}) {
  const env = { ...process.env, NO_COLOR: '' };
  delete env.COLUMNS;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, input: opts.input ?? '', encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The options of a --help text with their descriptions (continuation lines joined). */
function helpOptions(help: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = help.slice(help.indexOf('Options:\n') + 9);
  let cur: string | null = null;
  for (const line of body.split('\n')) {
    const m = /^ {2}(-\S.*?) {2,}(.*)$/.exec(line);
    if (m) {
      cur = m[1]!.trim();
      out.set(cur, m[2]!);
    } else if (cur !== null && /^ {20,}\S/.test(line)) out.set(cur, `${out.get(cur)} ${line.trim()}`);
    else cur = null;
  }
  return out;
}

test("doctor --help: replay's input and HA options, word for word, with the input format as --input-format", () => {
  const doctor = run(['doctor', '--help']);
  const replay = run(['replay', '--help']);
  assert.equal(doctor.code, 0, doctor.stderr);
  const d = helpOptions(doctor.stdout);
  const r = helpOptions(replay.stdout);
  const own = new Set(['--db <file>', '-o, --output <file>', '--output-format <format>', '--report <file>', '--report-format <format>', '--expect <expr>', '--no-color', '-q, --quiet', '--format <format>']);
  const shared = [...r.keys()].filter((k) => !own.has(k));
  assert.ok(shared.length >= 17, shared.join(' '));
  for (const k of shared) assert.equal(d.get(k), r.get(k), k);
  assert.equal(d.get('--input-format <format>'), r.get('--format <format>'));
  assert.equal(d.get('--format <format>'), 'findings as table, json or markdown (default: "table")');
  assert.equal(d.get('--fail-on <severity>'), 'exit 1 when a finding is at or above: error, warn, info, never (default: "error")');
  assert.match(doctor.stdout, /codes \(SPEC 12\.1, docs\/doctor\.md\): unconfigured-ha-pair, partial-ha-labels,\n {2}mixed-request,/);
  for (const k of ['--db <file>', '-o, --output <file>', '--expect <expr>']) assert.ok(!d.has(k), `doctor has no ${k}`);
  assert.ok(helpOptions(run(['--help']).stdout).size > 0);
  assert.match(run(['--help']).stdout, /\n {2}doctor \[options\] \[INPUT\.\.\.\] +find HA misconfiguration/);
});

test('doctor: usage errors exit 2 with one line naming the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-doctor-cli-'));
  try {
    writeFileSync(join(dir, 'bad.yaml'), 'overrides:\n  t1:\n    ha_tracker_failover_timeout: 5s\n');
    const cases: [string[], RegExp][] = [
      [['--format', 'xml'], /^ha-dedup: --format: "xml" is not one of table, json, markdown\n$/],
      [['--fail-on', 'fatal'], /^ha-dedup: --fail-on must be one of error, warn, info, never \(got "fatal"\)\n$/],
      [['--input-format', 'csv'], /^ha-dedup: --input-format: "csv" is not one of auto, rwcap, /],
      [['--semantics', 'thanos'], /^ha-dedup: --semantics: "thanos" is not one of cortex, mimir\n$/],
      [['--failover-timeout', '1m0x'], /^ha-dedup: --failover-timeout: "1m0x" is not a duration/],
      [['--failover-timeout', '10s'], /^ha-dedup: --failover-timeout 10s must be at least 21s: update timeout 15s \+ jitter max 5s \+ 1s\n$/],
      [['--sample-failover-timeout', '5s'], /^ha-dedup: --sample-failover-timeout: only Mimir has it/],
      [['--overrides', join(dir, 'missing.yaml')], /^ha-dedup: --overrides .*missing\.yaml: cannot read: /],
      [['--overrides', join(dir, 'bad.yaml')], /^ha-dedup: .*bad\.yaml: tenant "t1": ha_tracker_failover_timeout 5s must be at least 21s/],
      [['--bogus'], /^ha-dedup: unknown option '--bogus'/],
      [['-', '-'], /^ha-dedup: stdin \("-"\) can be given only once as an input\n$/],
    ];
    for (const [args, want] of cases) {
      const r = run(['doctor', ...(args[0] === '-' ? [] : [FIXTURE]), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want, args.join(' '));
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor: a missing or directory input exits 3, one line naming it', () => {
  const missing = run(['doctor', join(ROOT, 'no-such.rwcap')]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /^ha-dedup: .*no-such\.rwcap: no such file\n$/);
  const dir = run(['doctor', join(ROOT, 'fixtures')]);
  assert.equal(dir.code, 3);
  assert.match(dir.stderr, /fixtures: is a directory, not an input file\n$/);
  assert.equal(missing.stdout + dir.stdout, '');
});
