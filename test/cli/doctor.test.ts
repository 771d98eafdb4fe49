// `ha-dedup doctor` as a user runs it (the built CLI): its options are replay's (the same
// definitions and parser), the findings' format and --fail-on are its own; usage errors exit 2
// naming the option, unreadable inputs 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const own = new Set(['--db <file>', '-o, --output <file>', '--output-format <format>', '--report <file>', '--report-format <format>', '--html <file>', '--expect <expr>', '--no-color', '-q, --quiet', '--format <format>']);
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

const README_CAPTURE = join(ROOT, 'fixtures', 'doctor', 'readme.rwcap');

test('doctor on the bundled fixture (a healthy pair), both models, with and without jitter: no finding, exit 0 even with --fail-on info', () => {
  for (const extra of [[], ['--semantics', 'mimir'], ['--update-timeout-jitter-max', '0s'], ['--semantics', 'mimir', '--update-timeout-jitter-max', '0s']]) {
    const r = run(['doctor', FIXTURE, '--fail-on', 'info', ...extra]);
    assert.equal(r.code, 0, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, `inputs: ${FIXTURE} (rwcap, 146 records, 0 bad)\nNo findings: the traffic shows no HA configuration problem doctor knows.\n`);
    assert.equal(r.stderr, '');
  }
  const json = run(['doctor', FIXTURE, '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { version: 1, findings: [], inputs: [{ path: FIXTURE, format: 'rwcap', records: 146, bad_records: 0 }] });
});

test('doctor on the README capture: its findings in every format; exit 1 at or above --fail-on, with one line saying how many', () => {
  const table = run(['doctor', README_CAPTURE]);
  assert.equal(table.code, 1, table.stderr);
  assert.equal(table.stderr, 'ha-dedup: 5 findings at or above error (--fail-on error)\n');
  assert.match(table.stdout, /^inputs: .*readme\.rwcap \(rwcap, 132 records, 0 bad\)\n6 findings: 5 errors, 1 warning, 0 info\n┌/);
  assert.match(table.stdout, /│ error {4}│ mixed-request {11}│ tenant-a │ dev-pair │ replica1 │ 14 requests │/);
  assert.match(table.stdout, /^3\. error mixed-request: tenant-a \/ dev-pair \/ replica1 \(14 requests\)$/m);
  assert.ok(table.stdout.split('\n').every((l) => l.length <= 100), 'off a terminal: 100 columns');
  const json = run(['doctor', README_CAPTURE, '--format', 'json', '--fail-on', 'warn']);
  assert.equal(json.code, 1);
  assert.equal(json.stderr, 'ha-dedup: 6 findings at or above warn (--fail-on warn)\n');
  const rep = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(rep), ['findings', 'inputs', 'version']);
  assert.deepEqual(
    rep.findings.map((f: { severity: string; code: string; cluster: string; replica: string; count: number }) => `${f.severity} ${f.code} ${f.cluster}/${f.replica} ${f.count}`),
    [
      'error partial-ha-labels dev-pair/replica1 7',
      'error partial-ha-labels dev-pair/replica2 7',
      'error mixed-request dev-pair/replica1 14',
      'error cluster-label-collision dev-pair/replica1 29',
      'error cluster-label-collision dev-pair/replica2 28',
      'warn target-set-mismatch dev-pair/replica1 7',
    ],
  );
  for (const f of rep.findings) {
    assert.deepEqual(Object.keys(f), ['cluster', 'code', 'count', 'examples', 'fix', 'replica', 'severity', 'tenant']);
    assert.ok(f.examples.length >= 1 && f.examples.length <= 3);
    assert.ok(f.fix.length > 40);
  }
  const md = run(['doctor', README_CAPTURE, '--format', 'markdown', '--fail-on', 'never']);
  assert.equal(md.code, 0, md.stderr);
  assert.equal(md.stderr, '');
  assert.match(md.stdout, /^## ha-dedup doctor\n/);
  assert.match(md.stdout, /^\| error \| cluster-label-collision \| tenant-a \| dev-pair \| replica2 \| 28 requests \|$/m);
});

test('doctor reads --overrides and the HA options into every lane: the fixture under another replica label is an unconfigured pair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-doctor-cli-'));
  try {
    writeFileSync(join(dir, 'o.yaml'), 'overrides:\n  tenant-a:\n    ha_replica_label: prometheus_replica\n');
    const viaOverrides = run(['doctor', FIXTURE, '--overrides', join(dir, 'o.yaml'), '--format', 'json']);
    const viaFlag = run(['doctor', FIXTURE, '--replica-label', 'prometheus_replica', '--format', 'json']);
    for (const r of [viaOverrides, viaFlag]) {
      assert.equal(r.code, 1, r.stderr);
      const f = JSON.parse(r.stdout).findings;
      assert.deepEqual(f.map((x: { code: string; cluster: string; count: number }) => [x.code, x.cluster, x.count]), [['unconfigured-ha-pair', 'dev-pair', 512]]);
      assert.match(f[0].fix, /`ha_replica_label: __replica__` \(-distributor\.ha-tracker\.replica=__replica__\)/);
    }
    // tenant-a with HA off: only unconfigured-ha-pair looks at it, and its series carry the replica label
    writeFileSync(join(dir, 'off.yaml'), 'overrides:\n  tenant-a:\n    accept_ha_samples: false\n');
    const off = run(['doctor', README_CAPTURE, '--overrides', join(dir, 'off.yaml'), '--format', 'json']);
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(JSON.parse(off.stdout).findings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor: a bad record is one warning and the good records around it still count; --strict exits 3; stdin works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-doctor-cli-'));
  try {
    const cut = join(dir, 'cut.rwcap');
    writeFileSync(cut, readFileSync(README_CAPTURE).subarray(0, 200_000));
    const r = run(['doctor', cut, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^ha-dedup: warning: .*cut\.rwcap: record \d+ at byte \d+: truncated record: it declares \d+ bytes but only \d+ are left in the input\n$/);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.inputs[0].bad_records, 1);
    assert.ok(rep.findings.some((f: { code: string }) => f.code === 'mixed-request'), 'findings from the records before the bad one');
    const strict = run(['doctor', cut, '--strict']);
    assert.equal(strict.code, 3, strict.stderr);
    assert.match(strict.stderr, /^ha-dedup: .*cut\.rwcap: record \d+ at byte \d+: truncated record: .* \(--strict\)\n$/);
    assert.equal(strict.stdout, '');
    const stdin = run(['doctor', '-', '--format', 'json'], { input: readFileSync(FIXTURE) });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.deepEqual(JSON.parse(stdin.stdout).inputs, [{ path: '-', format: 'rwcap', records: 146, bad_records: 0 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay prints the one-line hint when doctor would report an error (issue 20.5): the same count, on stderr, after the report; none when healthy or with -q', () => {
  const errors = JSON.parse(run(['doctor', README_CAPTURE, '--format', 'json']).stdout).findings.filter((f: { severity: string }) => f.severity === 'error').length;
  assert.equal(errors, 5);
  const r = run(['replay', README_CAPTURE, '--output-format', 'none']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `ha-dedup: ${errors} HA configuration problems found; run ha-dedup doctor\n`);
  assert.match(r.stdout, /^Clusters\n/, 'the report itself unchanged, on stdout');
  // data on stdout: the report goes to stderr, the hint is its last line
  const data = run(['replay', README_CAPTURE]);
  assert.equal(data.code, 0);
  assert.match(data.stderr, /\nha-dedup: 5 HA configuration problems found; run ha-dedup doctor\n$/);
  assert.doesNotMatch(data.stdout, /HA configuration problems/);
  assert.equal(run(['replay', README_CAPTURE, '--output-format', 'none', '-q']).stderr, '');
  const healthy = run(['replay', FIXTURE, '--output-format', 'none']);
  assert.equal(healthy.code, 0);
  assert.equal(healthy.stderr, '');
});
