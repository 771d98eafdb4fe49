// `ha-dedup replay` as a user runs it, on the bundled capture: in process (test/cli/run.ts), and
// the built CLI (bin/ha-dedup, `npm run build` first) where a real process matters: a pipe to
// head (the process ends on EPIPE), a terminal (script(1)), a file size limit (ulimit -f, SIGXFSZ).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCliBytes } from './run.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');

function runEnv(over: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '', ...over };
  delete env.FORCE_COLOR;
  return env;
}

/** In process (test/cli/run.ts). */
async function run(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer } = {}) {
  const r = await runCliBytes(args, { cwd: ROOT, env: runEnv(opts.env), ...(opts.input !== undefined ? { input: opts.input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ha-dedup-replay-cli-'));
}

test('same input and options give byte-identical output and JSON report', async () => {
  const dir = tmp();
  try {
    const a = await run(['replay', FIXTURE, '--report', join(dir, 'a.json')]);
    const b = await run(['replay', FIXTURE, '--report', join(dir, 'b.json')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(a.stdout.length > 1_000_000);
    assert.ok(a.stdout.equals(b.stdout));
    assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), readFileSync(join(dir, 'b.json'), 'utf8'));
    assert.equal(a.stderr, b.stderr);
    // another seed draws another jitter: same data, different decisions are possible but the
    // run is still reproducible; the seed is recorded in the report
    const r = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    assert.equal(r.version, 1);
    assert.equal(r.config.seed, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('counts add up on the fixture, and the samples written are accepted + non_ha + passthrough', async () => {
  for (const extra of [[], ['--semantics', 'mimir'], ['--dedupe', 'per-sample']]) {
    const dir = tmp();
    try {
      const r = await run(['replay', FIXTURE, '--report', join(dir, 'r.json'), ...extra]);
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      const t = rep.totals;
      assert.equal(t.accepted_samples + t.non_ha_samples + t.passthrough_samples + t.deduped_samples + t.rejected_samples, t.samples);
      assert.ok(t.deduped_samples > 0 && t.accepted_samples > 0);
      const lines = r.stdout.toString('utf8').split('\n').filter((l) => l !== '');
      const sampleLines = lines.filter((l) => !l.includes('"metadata":'));
      assert.equal(sampleLines.length, t.accepted_samples + t.non_ha_samples + t.passthrough_samples);
      assert.ok(lines.every((l) => !l.includes('"__replica__"')), 'the replica label is removed from accepted series');
      // every status accounted for
      const sc = rep.status_codes;
      assert.equal(sc['200'] + sc['202'] + sc['400'], t.requests);
      // per-cluster figures agree with the totals
      const c = rep.clusters[0];
      assert.equal(c.lost_samples, t.lost_samples);
      assert.ok(c.lost_samples >= rep.elections.reduce((s: number, e: { lost_samples: number }) => s + e.lost_samples, 0));
      assert.equal(rep.inputs[0].records, 146);
      assert.equal(rep.inputs[0].format, 'rwcap');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('the fixture with no jitter elects at the times the real systems do', async () => {
  for (const [semantics, want] of [
    ['cortex', [0, 77284, 171985]],
    ['mimir', [0, 90000, 180000]],
  ] as const) {
    const r = await run(['replay', FIXTURE, '--semantics', semantics, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--report-format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout.toString('utf8'));
    const first = rep.clock.first_ms;
    assert.deepEqual(rep.elections.map((e: { at_ms: number }) => e.at_ms - first), want, semantics);
    assert.deepEqual(rep.elections.map((e: { to: string }) => e.to), ['replica1', 'replica2', 'replica1']);
    // Mimir fails over later, so it deduplicates the new leader longer and loses more
    if (semantics === 'mimir') assert.ok(rep.totals.lost_samples > 0);
  }
});

test('piping into head exits quietly (EPIPE -> exit 0)', { timeout: 60_000 }, async () => {
  // a real shell pipe: head exits after one line, ha-dedup's next write gets EPIPE
  const dir = tmp();
  try {
    const err = join(dir, 'stderr');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" replay "${FIXTURE}" 2>"${err}" | head -n 1 >/dev/null`], { cwd: ROOT, timeout: 55_000 });
    assert.equal(r.status, 0, readFileSync(err, 'utf8'));
    const stderr = readFileSync(err, 'utf8');
    assert.doesNotMatch(stderr, /internal error|EPIPE|\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid option values are usage errors naming the option (exit 2)', async () => {
  const cases: [string[], RegExp][] = [
    [['--delay', '5 seconds'], /--delay: "5 seconds" is not a duration/],
    // issue 12.3: a time plus a duration past 2^53 would make the clock arithmetic lose precision
    [['--delay', '1000000000y'], /^ha-dedup: --delay: "1000000000y" is longer than the longest supported duration, 10000y\n$/],
    [['--update-timeout', 'x'], /--update-timeout/],
    [['--failover-timeout', '10s'], /^ha-dedup: --failover-timeout 10s must be at least 21s: update timeout 15s \+ jitter max 5s \+ 1s\n$/],
    [['--update-timeout', '40s'], /^ha-dedup: failover timeout 30s must be at least 46s: --update-timeout 40s \+ jitter max 5s \+ 1s\n$/],
    [['--semantics', 'thanos'], /--semantics: "thanos" is not one of cortex, mimir/],
    [['--dedupe', 'sometimes'], /--dedupe/],
    [['--clock', 'wall'], /--clock/],
    [['--format', 'csv'], /--format: "csv"/],
    [['--output-format', 'csv'], /--output-format/],
    [['--report-format', 'pdf'], /^ha-dedup: --report-format: "pdf" is not one of table, json, markdown, html\n$/],
    [['--seed', 'abc'], /--seed/],
    [['--max-clusters', '-1'], /--max-clusters/],
    [['--cluster-label', 'bad-name'], /--cluster-label/],
    [['--sample-failover-timeout', '10s'], /--sample-failover-timeout: only Mimir/],
    [['--expect', 'lost_samples'], /--expect "lost_samples": not KEY OP NUMBER with OP one of < <= == != >= > and KEY one of accepted_samples, .*, samples/],
    [['--expect', 'lost==0'], /--expect "lost==0": unknown key "lost"/],
    [['--expect', 'lost_samples=0'], /--expect/],
    [['--overrides', '/nonexistent/overrides.yaml'], /--overrides \/nonexistent\/overrides.yaml: cannot read: no such file/],
    [['--overrides', '/'], /^ha-dedup: --overrides \/: cannot read: is a directory\n$/],
    [['--tenant', ''], /--tenant/],
    [['-o', '/nonexistent/dir/out.ndjson'], /-o \/nonexistent\/dir\/out.ndjson: cannot write: no such directory/],
    [['--report', '/nonexistent/dir/r.json'], /--report \/nonexistent\/dir\/r.json: cannot write: no such directory/],
  ];
  for (const [args, re] of cases) {
    const r = await run(['replay', FIXTURE, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
    assert.equal(r.stdout.length, 0);
  }
});

test('--expect: each failed check on stderr with its actual value, exit 1; passing checks exit 0', async () => {
  const dir = tmp();
  try {
    const ok = await run(['replay', FIXTURE, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--report', join(dir, 'r.json'), '--expect', 'elections<=3', '--expect', 'bad_records==0']);
    assert.equal(ok.code, 0, ok.stderr);
    const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    const bad = await run(['replay', FIXTURE, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--expect', 'elections<=2', '--expect', 'lost_samples==0', '--expect', 'max_gap_ms<45000', '--expect', 'samples>0']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, new RegExp(`expect failed: elections<=2 \\(actual elections = ${rep.totals.elections}\\)`));
    assert.match(bad.stderr, new RegExp(`expect failed: lost_samples==0 \\(actual lost_samples = ${rep.totals.lost_samples}\\)`));
    assert.doesNotMatch(bad.stderr, /max_gap_ms<45000 \(/);
    assert.doesNotMatch(bad.stderr, /samples>0 \(/);
    assert.match(bad.stderr, /2 of 4 --expect checks failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('input errors: missing file and --strict exit 3 with one line', async () => {
  const r = await run(['replay', '/nonexistent/capture.rwcap']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /\/nonexistent\/capture.rwcap: no such file/);
  const dir = tmp();
  try {
    const broken = join(dir, 'broken.rwcap');
    const bytes = readFileSync(FIXTURE);
    writeFileSync(broken, bytes.subarray(0, bytes.length - 100)); // a truncated last record
    const lenient = await run(['replay', broken, '--report', join(dir, 'r.json'), '--output-format', 'none']);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, /warning: .*broken.rwcap: record 145 at byte \d+: truncated record/);
    const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.equal(rep.totals.bad_records, 1);
    assert.equal(rep.totals.requests, 145); // every good record before it is used
    assert.equal(rep.bad_records[0].index, 145);
    const strict = await run(['replay', broken, '--strict']);
    assert.equal(strict.code, 3);
    assert.match(strict.stderr, /truncated record/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report placement: stderr when data goes to stdout, stdout when it does not (-o, none)', async () => {
  const dir = tmp();
  try {
    const a = await run(['replay', FIXTURE]);
    assert.match(a.stderr, /Elections/);
    assert.doesNotMatch(a.stdout.toString('utf8'), /Elections/);
    const b = await run(['replay', FIXTURE, '-o', join(dir, 'out.ndjson'), '--report-format', 'markdown']);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout.toString('utf8'), /^## ha-dedup replay report/);
    assert.equal(b.stderr, '');
    assert.ok(readFileSync(join(dir, 'out.ndjson')).equals(a.stdout), '-o FILE holds what stdout would');
    const c = await run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'json']);
    assert.equal(JSON.parse(c.stdout.toString('utf8')).version, 1);
    assert.doesNotMatch(a.stderr + b.stderr + c.stderr, /\r|\x1b\[/, 'no progress line or colour without a TTY');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rwcap and vm-json outputs: the written samples read back, labels as decided', async () => {
  const dir = tmp();
  try {
    const rw = await run(['replay', FIXTURE, '--output-format', 'rwcap', '-o', join(dir, 'out.rwcap'), '--report', join(dir, 'r.json')]);
    assert.equal(rw.code, 0, rw.stderr);
    const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    const back = await run(['replay', join(dir, 'out.rwcap'), '--output-format', 'none', '--report-format', 'json']);
    const again = JSON.parse(back.stdout.toString('utf8'));
    // the deduplicated capture holds exactly the written samples, none of them HA any more
    assert.equal(again.totals.samples, rep.totals.accepted_samples + rep.totals.non_ha_samples + rep.totals.passthrough_samples);
    assert.equal(again.totals.non_ha_samples, again.totals.samples);
    const vm = await run(['replay', FIXTURE, '--output-format', 'vm-json']);
    assert.equal(vm.code, 0, vm.stderr);
    const first = JSON.parse(vm.stdout.toString('utf8').split('\n')[0]!);
    assert.ok('metric' in first && 'values' in first && 'timestamps' in first);
    assert.equal(first.metric.__replica__, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--db resumes: a capture split in two runs on one db gives the output of one run', async () => {
  const dir = tmp();
  try {
    const nd = join(dir, 'all.ndjson');
    const conv = await run(['convert', FIXTURE, '-o', nd, '--to', 'ndjson']);
    assert.equal(conv.code, 0, conv.stderr);
    const lines = readFileSync(nd, 'utf8').split('\n').filter(Boolean);
    // split at a request boundary in the middle (a change of received_at_ms)
    let cut = Math.floor(lines.length / 2);
    const recv = (l: string) => JSON.parse(l).received_at_ms;
    while (recv(lines[cut]!) === recv(lines[cut - 1]!)) cut++;
    writeFileSync(join(dir, 'p1.ndjson'), lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(join(dir, 'p2.ndjson'), lines.slice(cut).join('\n') + '\n');
    const db = join(dir, 'ha.db');
    const one = await run(['replay', nd, '--report', join(dir, 'one.json')]);
    const p1 = await run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--report', join(dir, 'p1.json')]);
    const p2 = await run(['replay', join(dir, 'p2.ndjson'), '--db', db, '--report', join(dir, 'p2.json')]);
    for (const r of [one, p1, p2]) assert.equal(r.code, 0, r.stderr);
    assert.ok(Buffer.concat([p1.stdout, p2.stdout]).equals(one.stdout), 'split output equals one run');
    const [r1, r2, ro] = ['p1', 'p2', 'one'].map((n) => JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')));
    assert.equal(r1.totals.elections + r2.totals.elections, ro.totals.elections);
    assert.equal(r2.clock.clock_regressions, 0);
    // replaying the first part again on the same db: its records are behind the saved clock
    const p3 = await run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--report', join(dir, 'p3.json'), '--output-format', 'none']);
    assert.equal(p3.code, 0, p3.stderr);
    const r3 = JSON.parse(readFileSync(join(dir, 'p3.json'), 'utf8'));
    assert.ok(r3.clock.clock_regressions > 0);
    assert.equal(r3.clock.first_ms, r2.clock.last_ms, 'the clock continues from the saved now');
    // a different model on the same db: a resume under other settings, exit 2 naming it (issue 13.4)
    const wrong = await run(['replay', join(dir, 'p2.ndjson'), '--db', db, '--semantics', 'mimir']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--semantics cortex in the database, mimir now/);
    assert.ok(existsSync(db));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on a terminal: no sample data, the report on stdout, colour unless NO_COLOR or --no-color', { skip: spawnSync('script', ['--version']).status !== 0 ? 'util-linux script(1) is not installed' : false }, async () => {
  const tty = (extra: string, env: Record<string, string> = {}) => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} replay ${FIXTURE} --update-timeout-jitter-max 0s ${extra}`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ...env, TERM: 'xterm' },
      encoding: 'utf8',
    });
    return { code: r.status, out: r.stdout };
  };
  const plain = tty('', { NO_COLOR: '1' });
  assert.equal(plain.code, 0);
  assert.match(plain.out, /Elections/);
  assert.doesNotMatch(plain.out, /"timestamp"/, 'no sample data on a terminal');
  assert.doesNotMatch(plain.out, /\x1b\[3\dm/);
  const coloured = tty('');
  assert.match(coloured.out, /\x1b\[(1|3\d)m/);
  const flag = tty('--no-color');
  assert.doesNotMatch(flag.out, /\x1b\[3\dm/);
});

test('no INPUT or "-" reads stdin', async () => {
  const input = readFileSync(join(ROOT, 'fixtures', 'scenarios', 'flap', 'input.ndjson'));
  const file = await run(['replay', join(ROOT, 'fixtures', 'scenarios', 'flap', 'input.ndjson'), '--update-timeout-jitter-max', '0s']);
  const dash = await run(['replay', '-', '--update-timeout-jitter-max', '0s'], { input });
  const none = await run(['replay', '--update-timeout-jitter-max', '0s'], { input });
  assert.equal(file.code, 0, file.stderr);
  assert.ok(dash.stdout.equals(file.stdout));
  assert.ok(none.stdout.equals(file.stdout));
  assert.match(dash.stderr, /1 elections/);
});

test('--db memory: keeps the state in a plain map: the same output and report as in-memory SQLite; no file, no resume; HA_DEDUP_STORE is gone', async () => {
  const dir = tmp();
  try {
    const a = await run(['replay', FIXTURE, '--report', join(dir, 'a.json')]);
    const b = await run(['replay', FIXTURE, '--report', join(dir, 'b.json'), '--db', 'memory:'], { env: { HA_DEDUP_STORE: 'redis' } });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(a.stdout.length > 0);
    assert.ok(a.stdout.equals(b.stdout));
    assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), readFileSync(join(dir, 'b.json'), 'utf8'));
    assert.equal(existsSync('memory:'), false, 'no SQLite file named memory:');
    const c = await run(['replay', FIXTURE, '--db', 'memory:', '--allow-config-change', '--output-format', 'none']);
    assert.equal(c.code, 2);
    assert.equal(c.stderr, 'ha-dedup: --allow-config-change: only with --db FILE (it lets a run resume a database under other settings)\n');
    const d = await run(['replay', FIXTURE, '--db', '', '--output-format', 'none']);
    assert.equal(d.code, 2);
    assert.equal(d.stderr, 'ha-dedup: --db: give a file name (or memory: for the state in a plain in-memory map)\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a regular output file that stops taking writes (file size limit) is one line naming it, for replay and convert', async () => {
  // -o on a regular file is written synchronously (src/cli/outfile.ts), a path apart from the
  // stream /dev/full takes above; `ulimit -f` makes the kernel refuse writes past 100 KiB (EFBIG)
  const dir = tmp();
  try {
    for (const [cmd, extra] of [['replay', ''], ['convert', '--to ndjson']] as const) {
      const out = join(dir, `${cmd}.ndjson`);
      const r = spawnSync('bash', ['-c', `ulimit -f 100; exec "${process.execPath}" "${BIN}" ${cmd} "${FIXTURE}" -o "${out}" ${extra}`], { cwd: ROOT, timeout: 55_000 });
      const stderr = r.stderr.toString('utf8');
      assert.equal(r.status, 2, stderr);
      assert.equal(stderr, `ha-dedup: -o ${out}: cannot write: EFBIG: file too large, write\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an output that cannot be written (ENOSPC) is one line, not a hang or a stack trace', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, async () => {
  const r = await run(['replay', FIXTURE, '-o', '/dev/full']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^ha-dedup: -o \/dev\/full: cannot write: ENOSPC/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('one voice: commander\'s own errors start "ha-dedup: " on one line, "Did you mean" kept; Cortex/Mimir flags get the ha-dedup option', async () => {
  const cases: [string[], string][] = [
    [['replay', FIXTURE, '--failovr-timeout', '1m'], "ha-dedup: unknown option '--failovr-timeout' (Did you mean --failover-timeout?)\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.failover-timeout=1m'], "ha-dedup: unknown option '-distributor.ha-tracker.failover-timeout=1m': a Cortex/Mimir flag; use --failover-timeout 1m\n"],
    [['replay', FIXTURE, '--distributor.ha-tracker.update-timeout=20s'], "ha-dedup: unknown option '--distributor.ha-tracker.update-timeout=20s': a Cortex/Mimir flag; use --update-timeout 20s\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.update-timeout-jitter-max', '0s'], "ha-dedup: unknown option '-distributor.ha-tracker.update-timeout-jitter-max': a Cortex/Mimir flag; use --update-timeout-jitter-max\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.max-clusters=5'], "ha-dedup: unknown option '-distributor.ha-tracker.max-clusters=5': a Cortex/Mimir flag; use --max-clusters 5\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.cluster=prom_cluster'], "ha-dedup: unknown option '-distributor.ha-tracker.cluster=prom_cluster': a Cortex/Mimir flag; use --cluster-label prom_cluster\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.replica=prom_replica'], "ha-dedup: unknown option '-distributor.ha-tracker.replica=prom_replica': a Cortex/Mimir flag; use --replica-label prom_replica\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.failover-sample-timeout=10s'], "ha-dedup: unknown option '-distributor.ha-tracker.failover-sample-timeout=10s': a Cortex/Mimir flag; use --sample-failover-timeout 10s\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.enable-for-all-users=true'], "ha-dedup: unknown option '-distributor.ha-tracker.enable-for-all-users=true': a Cortex/Mimir flag; HA deduplication is on for every tenant; switch it off for one with accept_ha_samples: false in --overrides FILE\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.enable'], "ha-dedup: unknown option '-distributor.ha-tracker.enable': a Cortex/Mimir flag; the HA tracker is always on in ha-dedup\n"],
    [['replay', FIXTURE, '-distributor.ha-tracker.store=etcd'], "ha-dedup: unknown option '-distributor.ha-tracker.store=etcd': a Cortex/Mimir flag; ha-dedup keeps the tracker state in SQLite (--db FILE, in memory without it)\n"],
    [['replay', FIXTURE, '-runtime-config.file=limits.yaml'], "ha-dedup: unknown option '-runtime-config.file=limits.yaml': a Cortex/Mimir flag; use --overrides limits.yaml\n"],
    [['replay', FIXTURE, '-x'], "ha-dedup: unknown option '-x'\n"],
    [['inspect', FIXTURE, '-distributor.ha-tracker.cluster=c'], "ha-dedup: unknown option '-distributor.ha-tracker.cluster=c': a Cortex/Mimir flag; use --cluster-label c\n"],
    [['frobnicate'], "ha-dedup: unknown command 'frobnicate'\n"],
    [['replay', '--db'], "ha-dedup: option '--db <file>' argument missing\n"],
    [['convert', FIXTURE], "ha-dedup: required option '-o, --output <file>' not specified\n"],
    [['convert', FIXTURE, 'extra', '-o', '-', '--to', 'ndjson'], "ha-dedup: too many arguments for 'convert'. Expected 1 argument but got 2.\n"],
  ];
  for (const [args, want] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, want, args.join(' '));
  }
});

const RUNTIME_CONFIG = `# a real runtime config: every kind of limit, for both systems
multi_kv_config:
  primary: consul
ingester_limits:
  max_series: 1500000
overrides:
  tenant-a:
    ingestion_rate: 350000
    ingestion_burst_size: 3500000
    max_global_series_per_user: 3000000
    max_label_names_per_series: 40
    compactor_blocks_retention_period: 1y
    ruler_max_rules_per_rule_group: 50
    ha_cluster_label: cluster
    ha_replica_label: __replica__
    ha_max_clusters: 5
    ha_tracker_failover_timeout: 40s
    ha_tracker_per_sample_dedupe: true
  tenant-b:
    ingestion_rate: 1000
    native_histograms_ingestion_enabled: true
    accept_mixed_ha_samples: false
    accept_ha_samples: false
`;

test('a real runtime config works as --overrides: other limits ignored and listed once, both per-sample spellings read', async () => {
  const dir = tmp();
  try {
    const yaml = join(dir, 'runtime.yaml');
    writeFileSync(yaml, RUNTIME_CONFIG);
    const r = await run(['replay', FIXTURE, '--overrides', yaml, '--output-format', 'none', '--report-format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const rep = JSON.parse(r.stdout.toString('utf8'));
    assert.deepEqual(rep.config.ignored_override_keys, [
      'compactor_blocks_retention_period', 'ingestion_burst_size', 'ingestion_rate', 'max_global_series_per_user', 'max_label_names_per_series',
      'native_histograms_ingestion_enabled', 'ruler_max_rules_per_rule_group',
    ]);
    const a = rep.config.tenants['tenant-a'];
    assert.equal(a.accept_mixed_ha_samples, true, "Mimir's ha_tracker_per_sample_dedupe");
    assert.equal(a.ha_max_clusters, 5);
    assert.equal(a.ha_tracker_failover_timeout, '40s');
    assert.equal(rep.config.tenants['tenant-b'].accept_ha_samples, false);
    // without the file: the fixture's tenant-a is per-request
    const plain = JSON.parse((await run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'json'])).stdout.toString('utf8'));
    assert.equal(plain.config.tenants['tenant-a'].accept_mixed_ha_samples, false);
    assert.deepEqual(plain.config.ignored_override_keys, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('overrides: misspelt HA keys and unknown keys are errors naming key and tenant; value errors name the YAML key, not a flag', async () => {
  const dir = tmp();
  try {
    const cases: [string, string][] = [
      ['overrides:\n  t1:\n    ha_cluster_lable: c\n', 'tenant "t1": unknown key "ha_cluster_lable"; did you mean "ha_cluster_label"?'],
      ['overrides:\n  t1:\n    ha_max_cluster: 3\n', 'tenant "t1": unknown key "ha_max_cluster"; did you mean "ha_max_clusters"?'],
      ['overrides:\n  t1:\n    acept_ha_sample: true\n', 'tenant "t1": unknown key "acept_ha_sample"; did you mean "accept_ha_samples"?'],
      ['overrides:\n  t9:\n    ingestion_rate: 5\n    frobnicate: 1\n', 'tenant "t9": unknown key "frobnicate": neither an HA setting (accept_ha_samples, accept_mixed_ha_samples, ha_tracker_per_sample_dedupe, ha_cluster_label, ha_replica_label, ha_max_clusters, ha_tracker_update_timeout, ha_tracker_update_timeout_jitter_max, ha_tracker_failover_timeout, ha_tracker_sample_failover_timeout) nor a Cortex or Mimir per-tenant limit'],
      ['overrides:\n  t1:\n    ha_tracker_failover_timeout: 10s\n', 'tenant "t1": ha_tracker_failover_timeout 10s must be at least 21s: update timeout 15s + jitter max 5s + 1s'],
      ['overrides:\n  t1:\n    ha_tracker_update_timeout: 40s\n', 'tenant "t1": failover timeout 30s must be at least 46s: ha_tracker_update_timeout 40s + jitter max 5s + 1s'],
      ['overrides:\n  t1:\n    ha_cluster_label: x\n    ha_replica_label: x\n', 'tenant "t1": ha_cluster_label and ha_replica_label must differ (both "x")'],
      ['overrides:\n  t1:\n    accept_mixed_ha_samples: true\n    ha_tracker_per_sample_dedupe: false\n', 'tenant "t1": accept_mixed_ha_samples (Cortex) and ha_tracker_per_sample_dedupe (Mimir) name one setting but disagree'],
    ];
    for (const [yaml, want] of cases) {
      const f = join(dir, 'o.yaml');
      writeFileSync(f, yaml);
      const r = await run(['replay', FIXTURE, '--overrides', f, '--output-format', 'none']);
      assert.equal(r.code, 2, yaml);
      assert.equal(r.stderr, `ha-dedup: ${f}: ${want}\n`, yaml);
      assert.doesNotMatch(r.stderr, /--failover-timeout|--update-timeout/, 'a value from the file is not blamed on a flag');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An ndjson input with `clusters` HA clusters of one tenant, one sample each. */
function manyClusters(clusters: number): string {
  const lines: string[] = [];
  for (let c = 0; c < clusters; c++) {
    lines.push(JSON.stringify({ tenant: 't1', received_at_ms: 1_700_000_000_000 + c, labels: { __name__: 'up', __replica__: 'a', cluster: `c${c}` }, timestamp: 1_700_000_000_000 + c, value: 1 }));
  }
  return lines.join('\n') + '\n';
}

test('defaults follow the chosen system: mimir allows 100 clusters per tenant without --max-clusters, cortex has no limit; the report says so', async () => {
  const dir = tmp();
  try {
    const input = join(dir, 'many.ndjson');
    writeFileSync(input, manyClusters(101));
    const report = async (extra: string[]) => {
      const r = await run(['replay', input, '--output-format', 'none', '--report-format', 'json', ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout.toString('utf8'));
    };
    const mimir = await report(['--semantics', 'mimir']);
    assert.equal(mimir.config.defaults.ha_max_clusters, 100);
    assert.equal(mimir.config.tenants.t1.ha_max_clusters, 100);
    assert.equal(mimir.totals.rejected_samples, 1, 'the 101st cluster is refused');
    const cortex = await report([]);
    assert.equal(cortex.config.defaults.ha_max_clusters, 0);
    assert.equal(cortex.totals.rejected_samples, 0);
    const given = await report(['--semantics', 'mimir', '--max-clusters', '0']);
    assert.equal(given.config.defaults.ha_max_clusters, 0);
    assert.equal(given.totals.rejected_samples, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('election JSON gives "at" (RFC 3339) beside at_ms; --expect takes != and exponents', async () => {
  const dir = tmp();
  try {
    const r = await run(['replay', FIXTURE, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--report', join(dir, 'r.json'), '--expect', 'elections!=2', '--expect', 'max_gap_ms<4.5e4', '--expect', 'samples>=3.6e4']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.equal(rep.elections.length, 3);
    for (const e of rep.elections) assert.equal(e.at, new Date(e.at_ms).toISOString());
    assert.deepEqual(Object.keys(rep.elections[0]), [...Object.keys(rep.elections[0])].sort(), 'keys stay sorted');
    const bad = await run(['replay', FIXTURE, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--expect', 'elections!=3', '--expect', 'max_gap_ms<3e4']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ha-dedup: expect failed: elections!=3 \(actual elections = 3\)$/m);
    assert.match(bad.stderr, /^ha-dedup: expect failed: max_gap_ms<3e4 \(actual max_gap_ms = 34698\)$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('quiet: vm-json output warns once (SPEC 4.4 counts the metadata it leaves out); -q drops the report and warnings, not errors', async () => {
  const dir = tmp();
  try {
    const vm = await run(['replay', FIXTURE, '--output-format', 'vm-json']);
    assert.equal(vm.code, 0, vm.stderr);
    assert.equal(vm.stderr.split('\n').filter((l) => /warning/.test(l)).length, 1, 'one warning line');
    assert.match(vm.stderr, /^ha-dedup: warning: vm-json: left out 0 histogram sample\(s\), 0 exemplar\(s\) and 1132 metadata entries/m);
    assert.match(vm.stderr, /^Clusters\n/m, 'the report follows on stderr');
    const vmq = await run(['replay', FIXTURE, '--output-format', 'vm-json', '-q']);
    assert.equal(vmq.code, 0, vmq.stderr);
    assert.equal(vmq.stderr, '', '-q drops that warning too');
    const q = await run(['replay', FIXTURE, '-q', '--report', join(dir, 'r.json')]);
    assert.equal(q.code, 0);
    assert.equal(q.stderr, '');
    assert.ok(q.stdout.length > 1_000_000, 'the data is still written');
    assert.equal(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).version, 1, 'and the JSON report');
    const none = await run(['replay', FIXTURE, '--quiet', '--output-format', 'none']);
    assert.equal(none.stdout.length, 0, 'no human report on stdout either');
    const bad = join(ROOT, 'fixtures', 'scenarios', 'bad-records', 'input.ndjson');
    const warned = await run(['replay', bad, '-q', '--output-format', 'none']);
    assert.equal(warned.code, 0);
    assert.equal(warned.stderr, '', 'no bad-record warnings');
    const failing = await run(['replay', bad, '-q', '--output-format', 'none', '--expect', 'bad_records==0']);
    assert.equal(failing.code, 1);
    assert.equal(failing.stderr, 'ha-dedup: expect failed: bad_records==0 (actual bad_records = 2)\nha-dedup: 1 of 1 --expect checks failed\n');
    const usage = await run(['replay', FIXTURE, '-q', '--delay', 'soon']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^ha-dedup: --delay: "soon" is not a duration/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('control characters in labels, tenants and paths are escaped in the table and in warnings, kept in JSON (issue 12.11)', async () => {
  const dir = tmp();
  try {
    const input = join(dir, 'in\x1b[2Jput.ndjson');
    const line = (tenant: string, replica: string, t: number) =>
      JSON.stringify({ tenant, received_at_ms: t, labels: { __name__: 'up', __replica__: replica, cluster: 'c\x1b[31mred' }, timestamp: t, value: 1 });
    writeFileSync(input, [line('t\x1b]0;title\x07', 'a\u202e', 1000), '{"labels": broken', line('t\x1b]0;title\x07', 'a\u202e', 2000)].join('\n') + '\n');
    const r = await run(['replay', input, '--output-format', 'none', '--report', join(dir, 'r.json')]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString('utf8') + r.stderr;
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, 'nothing raw reaches the terminal');
    assert.match(r.stderr, /^ha-dedup: warning: .*in\\x1b\[2Jput\.ndjson: line 2 at byte \d+: /m);
    assert.ok(text.includes('t\\x1b]0;title\\x07') && text.includes('c\\x1b[31mred') && text.includes('a\\u202e'), text);
    const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.equal(rep.clusters[0].cluster, 'c\x1b[31mred');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable --overrides file is one line', { skip: process.getuid?.() === 0 ? 'running as root: every file is readable (test/cli/outfile.test.ts covers the wording)' : false }, async () => {
  const dir = tmp();
  try {
    const f = join(dir, 'o.yaml');
    writeFileSync(f, 'overrides: {}\n');
    chmodSync(f, 0);
    const r = await run(['replay', FIXTURE, '--overrides', f, '--output-format', 'none']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `ha-dedup: --overrides ${f}: cannot read: permission denied\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
