// `ha-dedup what-if` (issue 19) as a user runs it, in process (test/cli/run.ts): every cell is
// exactly the replay with that cell's options, the grid is the cross product in the order given,
// invalid cells are skipped with replay's reason, threads change nothing in the output, --expect
// is checked per cell, and the JSON has SPEC 12's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../cli/run.js';
import { pairStream } from '../doctor/helpers.js';
import { crossProduct, splitList, type GridSpec } from '../../src/whatif/grid.js';
import { splitGroups } from '../../src/whatif/threads.js';

const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');

async function run(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '' };
  delete env.COLUMNS;
  const r = await runCli(args, { cwd: ROOT, env, input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonCell {
  settings: Record<string, string | number>;
  skipped: string | null;
  flaps: number | null;
  report: Record<string, unknown> | null;
}

async function whatIfJson(args: string[]): Promise<JsonCell[]> {
  const r = await run(['what-if', ...args, '--report-format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { version: number; cells: JsonCell[] };
  assert.equal(doc.version, 1);
  return doc.cells;
}

/** The replay flags of a cell's settings. */
function flags(s: Record<string, string | number>): string[] {
  const d = (ms: number) => `${ms}ms`;
  return [
    '--semantics', String(s.semantics),
    '--dedupe', String(s.dedupe),
    '--update-timeout', d(s.update_timeout_ms as number),
    '--update-timeout-jitter-max', d(s.update_timeout_jitter_max_ms as number),
    '--failover-timeout', d(s.failover_timeout_ms as number),
    '--sample-failover-timeout', d(s.sample_failover_timeout_ms as number),
    '--max-clusters', String(s.max_clusters),
  ];
}

async function checkAgainstReplay(args: string[], expectCells: number) {
  const cells = await whatIfJson([FIXTURE, ...args]);
  assert.equal(cells.length, expectCells);
  const seen = new Set<string>();
  for (const [i, c] of cells.entries()) {
    assert.equal(c.skipped, null, `cell ${i + 1}`);
    const r = await run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'json', ...flags(c.settings)]);
    assert.equal(r.code, 0, r.stderr);
    const single = JSON.parse(r.stdout) as Record<string, unknown>;
    const mine = c.report!;
    for (const k of ['totals', 'clusters', 'elections', 'status_codes', 'tenants', 'clock', 'inputs']) assert.deepEqual(mine[k], single[k], `cell ${i + 1} ${k}`);
    // the config section too, but for the durations' spelling (the replay here was given ms)
    assert.deepEqual(mine, single, `cell ${i + 1}: the whole report`);
    seen.add(JSON.stringify((single as { totals: unknown }).totals));
  }
  return { cells, distinct: seen.size };
}

test('every cell of a 12-cell grid on the fixture equals its single replay (totals, clusters, elections: the whole report)', async () => {
  const { cells, distinct } = await checkAgainstReplay(['--semantics', 'cortex,mimir', '--dedupe', 'per-request,per-sample', '--failover-timeout', '21s,30s,1m'], 12);
  // the grid order: the last option varies fastest
  assert.deepEqual(
    cells.map((c) => `${c.settings.semantics} ${c.settings.dedupe} ${c.settings.failover_timeout_ms}`),
    ['cortex', 'mimir'].flatMap((s) => ['per-request', 'per-sample'].flatMap((d) => [21000, 30000, 60000].map((f) => `${s} ${d} ${f}`))),
  );
  assert.equal(cells[0]!.settings.max_clusters, 0, "cortex's default");
  assert.equal(cells[6]!.settings.max_clusters, 100, "mimir's default (SPEC 12)");
  assert.ok(distinct >= 4, `the settings change the figures (${distinct} distinct totals)`);
});

test('the other list options (update timeout, jitter, sample failover, max clusters) give cells equal to replay too', async () => {
  await checkAgainstReplay(['--semantics', 'mimir', '--update-timeout', '10s,15s', '--update-timeout-jitter-max', '0s,5s', '--sample-failover-timeout', '0s,10s', '--max-clusters', '0,1'], 16);
});

test('threads on or off: the same bytes (table, --by-cluster, JSON)', async () => {
  const grid = [FIXTURE, '--semantics', 'cortex,mimir', '--failover-timeout', '21s,30s,1m'];
  // (each worker under tsx compiles the sources again: a few thread counts, not every one)
  for (const [fmt, counts] of [[['--report-format', 'json'], ['2', '5']], [['--by-cluster'], ['3']]] as const) {
    const one = await run(['what-if', ...grid, ...fmt, '--threads', '1']);
    assert.equal(one.code, 0, one.stderr);
    for (const t of counts) {
      const many = await run(['what-if', ...grid, ...fmt, '--threads', t]);
      assert.equal(many.code, 0, many.stderr);
      assert.equal(many.stdout, one.stdout, `--threads ${t} ${fmt.join(' ')}`);
      assert.equal(many.stderr, one.stderr);
    }
  }
});

test('splitGroups: contiguous, even, in order; crossProduct: the last option fastest', () => {
  assert.deepEqual(splitGroups([1, 2, 3, 4, 5], 2), [[1, 2, 3], [4, 5]]);
  assert.deepEqual(splitGroups([1, 2], 5), [[1], [2]]);
  assert.deepEqual(splitGroups([1, 2, 3], 1), [[1, 2, 3]]);
  const spec: GridSpec = { semantics: ['cortex'], dedupe: ['per-request'], updateTimeout: ['10s', '15s'], updateTimeoutJitterMax: ['5s'], failoverTimeout: ['30s', '1m'], sampleFailoverTimeout: ['0s'], maxClusters: [undefined] };
  assert.deepEqual(crossProduct(spec).map((c) => `${c.updateTimeout}/${c.failoverTimeout}`), ['10s/30s', '10s/1m', '15s/30s', '15s/1m']);
  assert.deepEqual(splitList('--x', ' 1s , 2s'), ['1s', '2s']);
  assert.throws(() => splitList('--x', '1s,,2s'), /--x: "1s,,2s" has an empty item/);
});

test('a cell replay would refuse is listed as skipped with the reason; a usage error only when none is valid', async () => {
  const r = await run(['what-if', FIXTURE, '--failover-timeout', '15s,30s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /│ 1 +│ 15s +│ skipped +│/);
  assert.match(r.stdout, /^skipped: cell 1 \(--failover-timeout 15s\): --failover-timeout 15s must be at least 21s: update timeout 15s \+ jitter max 5s \+ 1s$/m);
  const replay = await run(['replay', FIXTURE, '--output-format', 'none', '--failover-timeout', '15s']);
  assert.equal(replay.code, 2);
  assert.equal(replay.stderr, 'ha-dedup: --failover-timeout 15s must be at least 21s: update timeout 15s + jitter max 5s + 1s\n', 'the reason is replay\'s own message');
  const cells = await whatIfJson([FIXTURE, '--failover-timeout', '15s,30s']);
  assert.equal(cells[0]!.skipped, '--failover-timeout 15s must be at least 21s: update timeout 15s + jitter max 5s + 1s');
  assert.equal(cells[0]!.report, null);
  assert.equal(cells[0]!.flaps, null);
  assert.notEqual(cells[1]!.report, null);
  // --sample-failover-timeout is Mimir's: skipped for cortex cells
  const mixed = await whatIfJson([FIXTURE, '--semantics', 'cortex,mimir', '--sample-failover-timeout', '10s']);
  assert.match(mixed[0]!.skipped!, /only Mimir has it/);
  assert.equal(mixed[1]!.skipped, null);

  const none = await run(['what-if', FIXTURE, '--failover-timeout', '10s,15s']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^ha-dedup: no cell of the grid is valid: --failover-timeout 10s must be at least 21s: .*; --failover-timeout 15s must be at least 21s/);
  assert.equal(none.stdout, '');
});

test('what-if: usage errors name the option; a value wrong on its own is an error, not a skipped cell', async () => {
  const cases: [string[], RegExp][] = [
    [['--failover-timeout', '30s,abc'], /^ha-dedup: --failover-timeout: "abc" is not a duration/],
    [['--failover-timeout', '30s,'], /^ha-dedup: --failover-timeout: "30s," has an empty item/],
    [['--semantics', 'cortex,loki'], /^ha-dedup: --semantics: "loki" is not one of cortex, mimir\n$/],
    [['--max-clusters', '1,-2'], /^ha-dedup: --max-clusters: "-2" is not a non-negative integer\n$/],
    [['--threads', '0'], /^ha-dedup: --threads: "0" is not auto or a whole number from 1 to 256\n$/],
    [['--report-format', 'html'], /^ha-dedup: --report-format: "html" is not one of table, json, markdown\n$/],
    [['--tenant', ' '], /^ha-dedup: --tenant: must not be empty\n$/],
    [['--expect', 'lost=1'], /^ha-dedup: --expect "lost=1": not KEY OP NUMBER/],
  ];
  for (const [args, re] of cases) {
    const r = await run(['what-if', FIXTURE, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '');
  }
  const missing = await run(['what-if', join(ROOT, 'no-such.rwcap'), '--failover-timeout', '30s,1m']);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /no-such\.rwcap/);
  assert.equal(missing.stderr.split('\n').length, 2, 'one line');
});

test('--expect is checked on every cell and names each cell that fails', async () => {
  const r = await run(['what-if', FIXTURE, '--failover-timeout', '30s,1m', '--semantics', 'cortex,mimir', '--expect', 'elections<2', '--expect', 'lost_samples<6000']);
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'ha-dedup: expect failed: cell 1 (--semantics cortex --failover-timeout 30s): elections<2 (actual elections = 3)',
    'ha-dedup: expect failed: cell 3 (--semantics mimir --failover-timeout 30s): elections<2 (actual elections = 3)',
    'ha-dedup: expect failed: cell 3 (--semantics mimir --failover-timeout 30s): lost_samples<6000 (actual lost_samples = 6132)',
    'ha-dedup: 3 of 8 --expect checks failed, in 2 of 4 cells',
  ]);
  assert.match(r.stdout, /^recommendation: /m, 'the table is printed all the same');
  const ok = await run(['what-if', FIXTURE, '--failover-timeout', '30s,1m', '--expect', 'lost_samples<6000']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stderr, '');
});

test('JSON (SPEC 12): version 1, cells in grid order with every setting, keys sorted; --report FILE holds the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-whatif-'));
  try {
    const file = join(dir, 'grid.json');
    const r = await run(['what-if', FIXTURE, '--failover-timeout', '15s,30s', '--report', file, '--report-format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), r.stdout);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['cells', 'version']);
    assert.deepEqual(Object.keys(doc.cells[1]), ['flaps', 'report', 'settings', 'skipped']);
    assert.deepEqual(doc.cells[1].settings, {
      dedupe: 'per-request',
      failover_timeout_ms: 30000,
      max_clusters: 0,
      sample_failover_timeout_ms: 0,
      semantics: 'cortex',
      update_timeout_jitter_max_ms: 5000,
      update_timeout_ms: 15000,
    });
    // the replay report object, with its own version, as `replay --report-format json` writes it
    const single = await run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'json']);
    assert.equal(JSON.stringify(doc.cells[1].report, null, 2) + '\n', single.stdout);
    assert.equal(doc.cells[1].report.version, 1);
    // the table and markdown go to stdout instead, the JSON to the file all the same
    const t = await run(['what-if', FIXTURE, '--failover-timeout', '15s,30s', '--report', file, '--report-format', 'markdown']);
    assert.equal(readFileSync(file, 'utf8'), r.stdout);
    assert.match(t.stdout, /^## ha-dedup what-if\n\n\| cell \| failover \| elections \| lost samples \| largest lost scrapes \| max gap \| deduped \| flaps \|\n/);
    assert.match(t.stdout, /^\| 2 \| 30s \| 3 \| 5608 \| 6 \| 35\.302s \| 17896 \| 0 \|$/m);
    assert.match(t.stdout, /^- skipped: cell 1 \(--failover-timeout 15s\): /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An HA pair on an NDJSON capture: replica1 and replica2 send every 5s; each is paused in turn for 35s. */
function flappyCapture(dir: string): string {
  const S = 1000;
  const down: [string, number, number][] = [
    ['replica1', 10 * S, 45 * S],
    ['replica2', 70 * S, 105 * S],
    ['replica1', 130 * S, 165 * S],
  ];
  const lines: string[] = [];
  for (const req of pairStream({ scrapes: 60, offset: 2500, lag: 0, series: 3, down })) {
    for (const s of req.series) for (const [ts, v] of s.samples) lines.push(JSON.stringify({ tenant: req.tenant, labels: s.labels, timestamp: ts, value: v, received_at_ms: req.at }));
  }
  const file = join(dir, 'flappy.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test("flaps (SPEC 12.1) as doctor counts them; the recommendation: fewest lost samples among cells with no flaps, and how it differs from the first", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-whatif-flaps-'));
  try {
    const file = flappyCapture(dir);
    const cells = await whatIfJson([file, '--failover-timeout', '30s,45s,1m', '--update-timeout', '15s,10s']);
    const doctor = JSON.parse((await run(['doctor', file, '--format', 'json', '--fail-on', 'never'])).stdout);
    const flapping = doctor.findings.find((f: { code: string }) => f.code === 'flapping');
    assert.equal(cells[0]!.flaps, flapping.count, "cell 1 has the default settings: doctor's flapping count");
    assert.equal(cells[0]!.flaps, 3);
    const calm = cells.map((c, i) => ({ c, i })).filter((x) => x.c.flaps === 0);
    assert.ok(calm.length >= 1 && calm.length < cells.length, cells.map((c) => c.flaps).join(','));
    const lost = (c: JsonCell) => (c.report as { totals: { lost_samples: number; elections: number } }).totals;
    let best = calm[0]!;
    for (const x of calm) if (lost(x.c).lost_samples < lost(best.c).lost_samples) best = x;

    const table = await run(['what-if', file, '--failover-timeout', '30s,45s,1m', '--update-timeout', '15s,10s']);
    assert.equal(table.code, 0, table.stderr);
    const line = table.stdout.trimEnd().split('\n').pop()!;
    const s = best.c.settings;
    const fo = s.failover_timeout_ms as number;
    const name = `cell ${best.i + 1} (--update-timeout ${(s.update_timeout_ms as number) / 1000}s --failover-timeout ${fo >= 60000 ? "1m" : `${fo / 1000}s`})`;
    assert.ok(line.startsWith(`recommendation: fewest lost samples among the cells with no flaps: ${name}: ${lost(best.c).lost_samples} lost samples, `), line);
    assert.match(line, /; the first cell, cell 1 \(--update-timeout 15s --failover-timeout 30s\), has \d+ lost samples, 4 elections, 3 flaps; it differs from the first cell in /);
    assert.match(line, /--failover-timeout \S+ \(first: 30s\)$|--failover-timeout \S+ \(first: 30s\), /);
    // every cell's flaps column shows what the JSON holds
    for (const [i, c] of cells.entries()) assert.match(table.stdout, new RegExp(`^│ ${i + 1} +│ .* │ ${c.flaps} +│$`, 'm'));

    const byCluster = await run(['what-if', file, '--failover-timeout', '30s,1m', '--by-cluster']);
    assert.match(byCluster.stdout, /│ 1 +│ 30s +│ t1 +│ c1 +│ replica\d +│ 4 +│ \d+ +│ \d+ +│ \S+ +│ \d+ +│ 3 +│/);
    assert.match(byCluster.stdout, /│ 2 +│ 1m +│ t1 +│ c1 +│ replica\d +│ \d +│ \d+ +│ \d+ +│ \S+ +│ \d+ +│ 0 +│/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--overrides applies to every cell (a tenant\'s failover timeout overrides the grid\'s for it)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-whatif-ov-'));
  try {
    const ov = join(dir, 'o.yaml');
    writeFileSync(ov, 'overrides:\n  tenant-a:\n    ha_tracker_failover_timeout: 1m\n');
    const cells = await whatIfJson([FIXTURE, '--failover-timeout', '21s,30s', '--overrides', ov]);
    const single = JSON.parse((await run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'json', '--failover-timeout', '21s', '--overrides', ov])).stdout);
    assert.deepEqual(cells[0]!.report, single);
    for (const c of cells) assert.equal((c.report as { totals: { elections: number } }).totals.elections, 1, 'tenant-a fails over after 1m in every cell');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what-if --help: replay\'s input and HA options, the HA ones marked as lists', async () => {
  const h = await run(['what-if', '--help']);
  assert.equal(h.code, 0, h.stderr);
  for (const f of ['--semantics', '--dedupe', '--update-timeout', '--update-timeout-jitter-max', '--failover-timeout', '--sample-failover-timeout', '--max-clusters']) {
    assert.match(h.stdout.replace(/\n\s+/g, ' '), new RegExp(`${f} <[a-z]+> .*?\\(a comma-separated list: one cell per value\\)`), f);
  }
  for (const f of ['--overrides <file>', '--tenant <id>', '--clock <source>', '--strict', '--threads <n>', '--by-cluster', '--expect <expr>']) assert.ok(h.stdout.includes(f), f);
  assert.ok(!h.stdout.includes('--output-format'), 'what-if writes no sample data');
  assert.match((await run(['--help'])).stdout, /\n {2}what-if \[options\] \[INPUT\.\.\.\] +replay captured traffic under many HA/);
});

test('a bad record with threads: one warning (not one per thread), every cell counts it; --strict: exit 3 with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-whatif-bad-'));
  try {
    const bytes = readFileSync(FIXTURE);
    const file = join(dir, 'cut.rwcap');
    writeFileSync(file, bytes.subarray(0, bytes.length - 1000)); // the last record cut short
    const grid = [file, '--failover-timeout', '21s,30s,1m', '--threads', '3'];
    const r = await run(['what-if', ...grid, '--report-format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.trimEnd().split('\n');
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /^ha-dedup: warning: .*cut\.rwcap: record \d+ at byte \d+: truncated record/);
    const cells = JSON.parse(r.stdout).cells as JsonCell[];
    for (const c of cells) assert.equal((c.report as { totals: { bad_records: number } }).totals.bad_records, 1);
    const single = await run(['replay', file, '--output-format', 'none', '--report-format', 'json', '--failover-timeout', '1m']);
    assert.deepEqual(cells[2]!.report, JSON.parse(single.stdout));
    const strict = await run(['what-if', ...grid, '--strict']);
    assert.equal(strict.code, 3);
    assert.equal(strict.stderr.split('\n').length, 2, strict.stderr);
    assert.match(strict.stderr, /^ha-dedup: .*cut\.rwcap: record \d+ at byte \d+: truncated record/);
    assert.equal(strict.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--threads auto: one thread for stdin and for inputs under 64 MiB, else one per idle core and at most one per cell', async () => {
  const { autoThreads, AUTO_THREADS_MIN_BYTES } = await import('../../src/cli/commands/what-if.js');
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-whatif-auto-'));
  try {
    const big = join(dir, 'big.rwcap');
    writeFileSync(big, '');
    truncateSync(big, AUTO_THREADS_MIN_BYTES); // sparse: no 64 MiB written
    assert.equal(autoThreads([FIXTURE], 12, 2, 0), 1);
    assert.equal(autoThreads(['-'], 12, 2, 0), 1);
    assert.equal(autoThreads([], 12, 2, 0), 1);
    assert.equal(autoThreads([big], 12, 2, 0), 2);
    assert.equal(autoThreads([big], 12, 2, 0.6), 1, 'no idle core');
    assert.equal(autoThreads([big], 12, 8, 2.2), 6);
    assert.equal(autoThreads([big], 3, 8, 0), 3);
    assert.equal(autoThreads([big], 12, 2, 20), 1);
    assert.equal(autoThreads([big, '-'], 12, 2, 0), 1);
    assert.equal(autoThreads([join(dir, 'missing')], 12, 2, 0), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--report - (SPEC 12): the JSON on stdout, the table on stderr; --report naming an input is refused; an empty input is exit 3 unless --allow-empty', async () => {
  const r = await run(['what-if', FIXTURE, '--failover-timeout', '30s,1m', '--report', '-']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).cells.length, 2);
  assert.match(r.stderr, /^┌/);
  assert.match(r.stderr, /^recommendation: /m);
  const clash = await run(['what-if', FIXTURE, '--failover-timeout', '30s,1m', '--report', FIXTURE]);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /^ha-dedup: --report .*prom-ha-dev\.rwcap: the same file as/);
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-whatif-empty-'));
  try {
    const empty = join(dir, 'empty.rwcap');
    writeFileSync(empty, '');
    const e = await run(['what-if', empty, '--failover-timeout', '30s,1m']);
    assert.equal(e.code, 3, e.stderr);
    assert.match(e.stderr, /\nha-dedup: no requests in the input \(.*empty\.rwcap: .*\); --allow-empty accepts a run with none\n$/);
    const replay = await run(['replay', empty, '--output-format', 'none']);
    assert.equal(e.stderr, replay.stderr, "replay's own lines");
    const ok = await run(['what-if', empty, '--failover-timeout', '30s,1m', '--allow-empty', '--report-format', 'json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).cells[0].report.totals.requests, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--sort: every cell equals its replay with --sort (clock.order included)', async () => {
  const cells = await whatIfJson([FIXTURE, '--failover-timeout', '30s,1m', '--sort']);
  for (const c of cells) {
    const single = await run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'json', '--sort', ...flags(c.settings)]);
    assert.equal(single.code, 0, single.stderr);
    assert.deepEqual(c.report, JSON.parse(single.stdout));
  }
});
