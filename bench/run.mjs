// `npm run bench` (issue 6, SPEC 11): how close `ha-dedup replay` runs to the decode floor.
//
// For each capture size it runs, as whole processes, each case several times (interleaved, so
// background load hits every case alike) and reports the median wall time, samples/s, the ratio
// to the decode floor measured in the same run, peak RSS, and PASS/MISS against SPEC 11's targets.
//
// usage: npm run bench -- [--large] [--issue18] [--sizes small,medium,...] [--runs N]
//                         [--cases a,b] [--profile] [--out FILE.md]
//   --large     add the 10^7-sample capture (generation takes ~30s once, then it is cached)
//   --issue18   add the issue-18 captures: ~10^7, card-1e4, card-1e5, card-1e6 (4M samples at
//               10^4..10^6 series), clusters-10k (generation ~4 min once; the runs take long)
//   --sizes     any bench/gen.mjs presets (tiny, small, medium, large, card-1e4, ..., clusters-10k)
//   --runs N    runs per case (default 3); the median is reported
//   --cases     any of: floor, naive, replay, ndjson, rwcap, sqlite, memory, html, doctor,
//               whatif, whatif1, whatif2, none (replay --output-format none, what-if's pair),
//               split-decode, split-clone, split-cells (bench/whatif-split.mjs; only when named)
//               native, none, json, vmjson, onecore
//   --profile   also run `node --cpu-prof` on the replay of the medium capture and print the top
//               self-time functions (bench/profile.mjs)
// Every size gets the native reference row (bench/native: C++ and libsnappy) when it builds,
// else a line saying why not.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, ensureCapture } from './gen.mjs';
import { summariseProfile, formatProfile } from './profile.mjs';
import { formatLoad, watchLoad } from './lib/load.mjs';
import { baseCaseIds, cases18, checks18, formatChecks, isSize, rssPerSeries, sizeLabel, sizesToRun, vsNative } from './lib/rows18.mjs';
import { buildNativeRef } from './native/build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const PRELOAD = join(ROOT, 'bench', 'lib', 'preload.mjs');
const OUT = join(DATA_DIR, 'out');
const TIME = '/usr/bin/time';

// ---------------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const o = { sizes: ['small', 'medium'], runs: 3, cases: null, profile: false, issue18: false, out: join(DATA_DIR, 'last-run.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) die(`${a} needs a value`);
      return v;
    };
    if (a === '--large') o.sizes = [...new Set([...o.sizes, 'large'])];
    else if (a === '--issue18') o.issue18 = true;
    else if (a === '--sizes') o.sizes = val().split(',');
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--cases') o.cases = val().split(',');
    else if (a === '--profile') o.profile = true;
    else if (a === '--out') o.out = val();
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 21).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else die(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs must be a positive integer');
  for (const s of o.sizes) if (!isSize(s)) die(`unknown size ${s}`);
  o.sizes = sizesToRun(o.sizes, o.issue18);
  return o;
}

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// cases

/** issue 19.4: the what-if grid of the bench, 2 x 2 x 3 = 12 cells, every one valid. */
const WHATIF_GRID = ['--semantics', 'cortex,mimir', '--dedupe', 'per-request,per-sample', '--failover-timeout', '21s,30s,1m'];
const WHATIF_GRID_TEXT = WHATIF_GRID.join(' ');
const WHATIF_CELLS = 12;

/** Every case: how to run it on a capture. `user` = what a user would type (shown in the README). */
function casesFor(file, dir) {
  const report = join(dir, 'report.json');
  const db = join(dir, 'state.db');
  return [
    { id: 'floor', label: 'decode floor (snappyjs + one protobuf pass)', argv: ['bench/floor.mjs', file] },
    { id: 'naive', label: 'naive: snappyjs + protobufjs decode/toObject', argv: ['bench/naive.mjs', file] },
    { id: 'replay', label: 'replay --output-format none --report', argv: [BIN, 'replay', file, '--output-format', 'none', '--report', report], report },
    // issue 20.4: doctor (every check, all its lanes) at >= 50% of replay's speed
    { id: 'doctor', label: 'doctor --format json (all lanes)', argv: [BIN, 'doctor', file, '--format', 'json', '--fail-on', 'never'], doctor: true },
    // issue 19.4: a 12-cell what-if grid at most 3x one replay --output-format none (paired),
    // with --threads auto and with one thread (how much the second core gives)
    { id: 'whatif', label: `what-if ${WHATIF_GRID_TEXT} (12 cells, --threads auto)`, argv: [BIN, 'what-if', file, ...WHATIF_GRID, '--report', join(dir, 'whatif.json'), '--report-format', 'json'], whatif: join(dir, 'whatif.json') },
    { id: 'whatif1', label: 'the same what-if grid, --threads 1', argv: [BIN, 'what-if', file, ...WHATIF_GRID, '--threads', '1', '--report', join(dir, 'whatif1.json'), '--report-format', 'json'], whatif: join(dir, 'whatif1.json') },
    { id: 'whatif2', label: 'the same what-if grid, --threads 2', argv: [BIN, 'what-if', file, ...WHATIF_GRID, '--threads', '2', '--report', join(dir, 'whatif2.json'), '--report-format', 'json'], whatif: join(dir, 'whatif2.json') },
    { id: 'none', label: 'replay --output-format none', argv: [BIN, 'replay', file, '--output-format', 'none'] },
    // issue 19.4, only with --cases: where what-if's CPU time goes (bench/whatif-split.mjs)
    ...['decode', 'clone', 'cells'].map((m) => ({ id: `split-${m}`, label: `whatif-split.mjs ${m}`, argv: ['bench/whatif-split.mjs', file, m], optIn: true })),
    { id: 'ndjson', label: 'replay -o out.ndjson', argv: [BIN, 'replay', file, '-o', join(dir, 'out.ndjson')] },
    { id: 'rwcap', label: 'replay --output-format rwcap -o out.rwcap', argv: [BIN, 'replay', file, '--output-format', 'rwcap', '-o', join(dir, 'out.rwcap')] },
    {
      id: 'sqlite',
      label: 'replay none --report --db state.db (SQLite file)',
      argv: ['--import', PRELOAD, BIN, 'replay', file, '--output-format', 'none', '--report', join(dir, 'report-db.json'), '--db', db],
      report: join(dir, 'report-db.json'),
      before: () => ['', '-wal', '-shm'].forEach((s) => rmSync(db + s, { force: true })),
    },
    {
      id: 'memory',
      label: 'replay none --report, in-memory map store',
      argv: ['--import', PRELOAD, BIN, 'replay', file, '--output-format', 'none', '--report', join(dir, 'report-mem.json'), '--db', 'memory:'],
      report: join(dir, 'report-mem.json'),
    },
    {
      // issue 16: the HTML report (timeline consumer + page) when asked for; the file's size is kept
      id: 'html',
      label: 'replay none --report --html report.html',
      argv: [BIN, 'replay', file, '--output-format', 'none', '--report', join(dir, 'report-html.json'), '--html', join(dir, 'report.html')],
      report: join(dir, 'report-html.json'),
      html: join(dir, 'report.html'),
      before: () => rmSync(join(dir, 'report.html'), { force: true }),
    },
  ];
}

/** Run one process; returns { ms, maxRssKiB, rssSource, code, stdout, stderrTail }. */
function runOnce(c, dir) {
  c.before?.();
  const useTime = existsSync(TIME);
  const timeFile = join(dir, 'time.txt');
  const rusageFile = join(dir, 'rusage.json');
  rmSync(timeFile, { force: true });
  rmSync(rusageFile, { force: true });
  const env = { ...process.env, NO_COLOR: '1', ...(c.env ?? {}) };
  // c.cmd: a program other than node (the native reference, taskset); without GNU time its
  // peak RSS is not known (the preload only works in node)
  let cmd = c.cmd ?? process.execPath;
  let args = c.argv;
  if (useTime) {
    cmd = TIME;
    args = ['-f', '%M %U %S', '-o', timeFile, c.cmd ?? process.execPath, ...c.argv];
  } else if (!c.cmd) {
    env.BENCH_RUSAGE_FILE = rusageFile;
    if (!c.argv.includes(PRELOAD)) args = ['--import', PRELOAD, ...c.argv];
  }
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let maxRssKiB = null;
      let cpuS = null; // user + system seconds (GNU time only): steadier than wall time on a busy machine
      let rssSource;
      if (useTime) {
        rssSource = '/usr/bin/time %M';
        const line = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').pop() : '';
        const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(line);
        if (m) {
          maxRssKiB = Number(m[1]);
          cpuS = Number(m[2]) + Number(m[3]);
        }
      } else if (!c.cmd) {
        rssSource = 'process.resourceUsage().maxRSS (preload)';
        if (existsSync(rusageFile)) maxRssKiB = JSON.parse(readFileSync(rusageFile, 'utf8')).maxRSS;
      }
      resolve({ ms, cpuS, maxRssKiB, rssSource, code, stdout, stderrTail: stderr.trim().split('\n').slice(-5).join('\n') });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// ---------------------------------------------------------------------------------------------
// machine and conditions

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: sh('nproc', []) || String(os.availableParallelism?.() ?? cpus.length),
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', '--', 'src']) !== '',
  };
}

// ---------------------------------------------------------------------------------------------
// targets (SPEC 11)

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtPct = (x) => `${(x * 100).toFixed(0)}%`;

const signedPct = (d) => `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}%`;

/** a.runMs[i] / b.runMs[i] over the runs both completed: median, min, max; null if none. */
function pairedRatios(a, b) {
  const r = [];
  for (let i = 0; i < (a.runMs?.length ?? 0); i++) {
    const x = a.runMs[i];
    const y = b.runMs?.[i];
    if (x != null && y != null) r.push(x / y);
  }
  if (r.length === 0) return null;
  return { median: median(r), min: Math.min(...r), max: Math.max(...r), n: r.length };
}

function targetsFor(size, id, row, rows) {
  const out = [];
  const floor = rows.find((r) => r.size === size && r.id === 'floor');
  if (id === 'replay' && floor?.rate) {
    const ratio = row.rate / floor.rate;
    const p = pairedRatios(floor, row); // floor time / replay time, run by run
    const also = p ? ` (run by run: median ${fmtPct(p.median)}, ${fmtPct(p.min)}–${fmtPct(p.max)})` : '';
    out.push([`≥60% of floor (aim 80%): ${fmtPct(ratio)}${also}`, ratio >= 0.6 ? (ratio >= 0.8 ? 'PASS' : 'PASS (aim MISS)') : 'MISS']);
  }
  if (id === 'doctor') {
    const replay = rows.find((r) => r.size === size && r.id === 'replay');
    const p = replay ? pairedRatios(replay, row) : null; // replay time / doctor time, run by run
    if (p) out.push([`≥50% of replay's speed, run by run: median ${fmtPct(p.median)} (${fmtPct(p.min)}–${fmtPct(p.max)}, ${p.n} pairs)`, p.median >= 0.5 ? 'PASS' : 'MISS']);
  }
  if (id === 'whatif' || id === 'whatif1' || id === 'whatif2') {
    // issue 19.4: at most 3x one `replay --output-format none`, run by run (the two alternate)
    const none = rows.find((r) => r.size === size && r.id === 'none');
    const p = none ? pairedRatios(row, none) : null; // what-if time / replay time
    if (p) out.push([`≤3× replay --output-format none, run by run: median ${p.median.toFixed(2)}× (${p.min.toFixed(2)}–${p.max.toFixed(2)}, ${p.n} pairs)`, id === 'whatif' ? (p.median <= 3 ? 'PASS' : 'MISS') : 'info']);
    if (id === 'whatif') {
      const one = rows.find((r) => r.size === size && r.id === 'whatif1');
      const q = one ? pairedRatios(one, row) : null; // 1 thread / auto
      if (q) out.push([`--threads 1 / auto, run by run: ${q.median.toFixed(2)}×`, 'info']);
    }
    if (id === 'whatif2') {
      const one = rows.find((r) => r.size === size && r.id === 'whatif1');
      const q = one ? pairedRatios(one, row) : null; // 1 thread / 2 threads: above 1 = the second thread helps
      if (q) out.push([`--threads 1 / 2, run by run: ${q.median.toFixed(2)}× (${q.min.toFixed(2)}–${q.max.toFixed(2)})`, 'info']);
    }
    if (row.rssMiB != null) {
      const limit = 200 + 40 * WHATIF_CELLS;
      out.push([`peak RSS <${limit} MB (200 + 40 per cell)`, size !== 'large' ? 'info' : row.rssMiB * 1.048576 < limit ? 'PASS' : 'MISS']);
    }
  }
  if (id === 'ndjson' && row.rate) out.push([`≥400,000 samples/s`, row.rate >= 400000 ? 'PASS' : 'MISS']);
  if (size === 'large' && ['replay', 'ndjson', 'rwcap', 'sqlite', 'memory'].includes(id) && row.rssMiB != null) {
    out.push([`peak RSS <200 MB`, row.rssMiB * 1.048576 < 200 ? 'PASS' : 'MISS']);
  }
  if (id === 'html') {
    // issue 16: "the file for the 10^7 bench capture is under 5 MB" (every size is held to it)
    if (row.htmlBytes != null) out.push([`HTML file <5 MB: ${fmtInt(row.htmlBytes)} bytes`, row.htmlBytes < 5e6 ? 'PASS' : 'MISS']);
    const replay = rows.find((r) => r.size === size && r.id === 'replay');
    const p = replay ? pairedRatios(row, replay) : null; // html time / replay time
    if (p) out.push([`cost of asking for HTML, run by run vs replay: ${signedPct(p.median - 1)} (${p.n} pairs)`, 'info']);
  }
  if (id === 'sqlite') {
    const mem = rows.find((r) => r.size === size && r.id === 'memory');
    // the store's own cost is a few ms: a difference of 5% is below the run-to-run spread of
    // either median, so the check is on the runs made side by side (sqlite run i, then memory
    // run i): the median of their ratios; the ratio of the two medians is shown beside it
    const p = mem ? pairedRatios(row, mem) : null; // sqlite time / memory time
    if (p && mem?.ms && row.ms) {
      const d = p.median - 1;
      const m = row.ms / mem.ms - 1;
      out.push([
        `within 5% of memory store, run by run: ${signedPct(d)} (${p.n} pairs; ratio of the medians ${signedPct(m)})`,
        d <= 0.05 ? 'PASS' : 'MISS',
      ]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'main.js'))) die('dist/ is missing: run `npm run build` (npm run bench does)');
  const m = machine();
  const load0 = os.loadavg();
  const started = new Date();
  console.error(`bench: ${m.nproc} CPUs (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, commit ${m.commit}${m.dirty ? ' + uncommitted src changes' : ''}`);
  console.error(`bench: sizes ${opts.sizes.join(', ')}; ${opts.runs} runs per case; load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);

  const rows = [];
  const problems = [];
  const load = watchLoad();
  const loadBySize = [];
  const uniqueSeries = {};
  const native = buildNativeRef({ log: (s) => console.error(`bench: ${s}`) });
  const skipped = new Set();
  if (!native.ok) console.error(`bench: native reference skipped: ${native.reason}`);
  for (const size of opts.sizes) {
    const { file, stats, cached } = ensureCapture(size, { log: (s) => console.error(`bench: ${s}`) });
    const dir = join(OUT, size);
    mkdirSync(dir, { recursive: true });
    const mb = statSync(file).size / 1e6;
    console.error(`bench: ${size}: ${relative(ROOT, file)}${cached ? ' (cached)' : ''}, ${fmtInt(stats.samples)} samples, ${stats.requests} requests, ${mb.toFixed(1)} MB`);
    uniqueSeries[size] = stats.uniqueSeries;
    const base = baseCaseIds(size);
    const extra = cases18(size, file, dir, { bin: BIN, native });
    for (const why of extra.skipped) skipped.add(why);
    // the issue-18 rows bring their own 'none' on some sizes: one case per id
    const own = casesFor(file, dir).filter((c) => !extra.cases.some((e) => e.id === c.id));
    let cases = [...own.filter((c) => (opts.cases ? true : !c.optIn && (base === null || base.includes(c.id)))), ...extra.cases];
    if (opts.cases) cases = cases.filter((c) => opts.cases.includes(c.id));
    const from = load.now();
    // warm the page cache once, untimed
    spawnSync(process.execPath, ['bench/floor.mjs', file], { cwd: ROOT, stdio: 'ignore' });
    const results = new Map(cases.map((c) => [c.id, []]));
    for (let run = 1; run <= opts.runs; run++) {
      for (const c of cases) {
        const r = await runOnce(c, dir);
        if (c.html && r.code === 0) r.htmlBytes = existsSync(c.html) ? statSync(c.html).size : null;
        results.get(c.id).push(r);
        const tag = `${size}/${c.id} run ${run}/${opts.runs}`;
        if (r.code !== 0) {
          problems.push(`${tag}: exit ${r.code}: ${r.stderrTail}`);
          console.error(`bench: ${tag}: FAILED (exit ${r.code})\n${r.stderrTail}`);
          continue;
        }
        console.error(`bench: ${tag}: ${(r.ms / 1000).toFixed(2)}s, ${r.maxRssKiB != null ? (r.maxRssKiB / 1024).toFixed(0) + ' MiB' : '? MiB'}`);
        // check what the process saw against what the generator wrote
        let seen = null;
        if (c.id === 'floor' || c.id === 'naive' || c.counts === 'stdout') seen = JSON.parse(r.stdout).samples;
        else if (c.report && existsSync(c.report)) seen = JSON.parse(readFileSync(c.report, 'utf8')).totals?.samples;
        else if (c.whatif && existsSync(c.whatif)) {
          const cells = JSON.parse(readFileSync(c.whatif, 'utf8')).cells;
          if (cells.length !== WHATIF_CELLS || cells.some((x) => x.report === null)) problems.push(`${tag}: what-if ran ${cells.filter((x) => x.report !== null).length} of ${WHATIF_CELLS} cells`);
          for (const x of cells) if (x.report && x.report.totals.samples !== stats.samples) problems.push(`${tag}: a what-if cell counted ${x.report.totals.samples} samples, the generator wrote ${stats.samples}`);
        }
        if (c.doctor) {
          const records = JSON.parse(r.stdout).inputs?.[0]?.records;
          if (records !== stats.requests) problems.push(`${tag}: doctor read ${records} records, the generator wrote ${stats.requests} requests`);
        }
        if (seen !== null && seen !== stats.samples) problems.push(`${tag}: counted ${seen} samples, the generator wrote ${stats.samples}`);
      }
    }
    loadBySize.push([size, load.between(from, load.now())]);
    // the outputs of a large capture are big (ndjson ~1.2 GB at 10^7): not kept
    for (const f of ['out.ndjson', 'out.rwcap', 'out.vm.json', 'state.db', 'state.db-wal', 'state.db-shm']) rmSync(join(dir, f), { force: true });
    for (const c of cases) {
      const ok = results.get(c.id).filter((r) => r.code === 0);
      const row = { size, id: c.id, label: c.label, samples: stats.samples, runs: ok.length, failed: results.get(c.id).length - ok.length };
      if (ok.length) {
        row.ms = median(ok.map((r) => r.ms));
        row.minMs = Math.min(...ok.map((r) => r.ms));
        row.maxMs = Math.max(...ok.map((r) => r.ms));
        row.rate = stats.samples / (row.ms / 1000);
        const rss = ok.map((r) => r.maxRssKiB).filter((x) => x != null);
        row.rssMiB = rss.length ? Math.max(...rss) / 1024 : null;
        row.rssSource = ok[0].rssSource;
        const cpu = ok.map((r) => r.cpuS).filter((x) => x != null);
        row.cpuS = cpu.length ? median(cpu) : null;
        // per run, in run order (null = failed): for ratios of runs made side by side
        row.runMs = results.get(c.id).map((r) => (r.code === 0 ? r.ms : null));
        if (c.html) row.htmlBytes = Math.max(...ok.map((r) => r.htmlBytes ?? Infinity));
      }
      rows.push(row);
    }
  }
  for (const row of rows) row.targets = targetsFor(row.size, row.id, row, rows);

  // the table
  const load1 = os.loadavg();
  const loadAll = load.stop();
  const head = ['size', 'case', 'samples', 'median s (min–max)', 'cpu s', 'samples/s', 'vs floor', 'vs native', 'peak RSS MiB', 'RSS B/series', 'target', 'result'];
  const body = rows.map((r) => {
    const floor = rows.find((x) => x.size === r.size && x.id === 'floor');
    const ratio = r.rate && floor?.rate ? (r.rate / floor.rate).toFixed(2) : '';
    return [
      sizeLabel(r.size),
      r.label,
      fmtInt(r.samples),
      r.ms ? `${(r.ms / 1000).toFixed(2)} (${(r.minMs / 1000).toFixed(2)}–${(r.maxMs / 1000).toFixed(2)})` : `FAILED ×${r.failed}`,
      r.cpuS != null ? r.cpuS.toFixed(2) : '',
      r.rate ? fmtInt(r.rate) : '',
      ratio,
      vsNative(rows, r),
      r.rssMiB != null ? r.rssMiB.toFixed(0) : '',
      rssPerSeries(r, uniqueSeries[r.size]),
      r.targets.map((t) => t[0]).join('; '),
      r.targets.map((t) => t[1]).join('; '),
    ];
  });
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const table = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i >= 2 && i <= 9 ? '---:' : '---')).join('|')}|`, ...body.map((b) => `| ${b.map(esc).join(' | ')} |`)].join('\n');
  const rssSource = rows.find((r) => r.rssSource)?.rssSource ?? 'n/a';
  const conditions = [
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGiB} GiB RAM, ${m.os}, node ${m.node}.`,
    `Commit ${m.commit}${m.dirty ? ' with uncommitted src changes' : ''}; run ${started.toISOString().slice(0, 16)}Z, ${opts.runs} runs per case (median), cases interleaved; load average ${load0.map((x) => x.toFixed(2)).join('/')} at start, ${load1.map((x) => x.toFixed(2)).join('/')} at end.`,
    `Whole processes (node start-up included); cpu s = median user + system time (GNU time; the steadier figure when the machine is busy); samples/s = samples in the capture / median wall time; vs floor and vs native = samples/s over the decode floor's and the native reference's on the same capture; peak RSS = largest over the runs, from ${rssSource}; RSS B/series = peak RSS / distinct series of the capture (ha-dedup rows). "memory" runs with --db memory: (the tracker state in the plain in-memory map instead of in-memory SQLite), "sqlite" uses --db on a fresh file each run; both run with the same preload.`,
    `Load while it ran: ${formatLoad(loadAll)}.`,
    ...loadBySize.map(([size, l]) => `- ${sizeLabel(size)}: ${formatLoad(l)}.`),
    ...[...skipped].map((why) => `Skipped: ${why}.`),
  ].join('\n');
  const checks = formatChecks(checks18(rows, uniqueSeries));
  const md = `${conditions}\n\n${table}\n${checks ? `\n${checks}` : ''}`;
  console.log(`\n${md}`);
  if (problems.length) {
    console.log(`Problems:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
  }
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, md + (problems.length ? `\nProblems:\n${problems.map((p) => `- ${p}`).join('\n')}\n` : ''));
  writeFileSync(opts.out.replace(/\.md$/, '.json'), JSON.stringify({ machine: m, started: started.toISOString(), load: [load0, load1], loadWhileRunning: loadAll, loadBySize, skipped: [...skipped], runs: opts.runs, rows, problems }, null, 2) + '\n');
  console.error(`bench: table written to ${relative(ROOT, opts.out)}`);

  if (opts.profile) {
    const { file } = ensureCapture('medium', { log: (s) => console.error(`bench: ${s}`) });
    const { readdirSync } = await import('node:fs');
    const texts = [];
    const jobs = [
      ['replay --output-format none --report', ['--output-format', 'none', '--report', 'report.json']],
      ['replay -o out.ndjson', ['-o', 'out.ndjson']],
    ];
    for (const [i, [label, extra]] of jobs.entries()) {
      const profDir = join(OUT, `profile-${i}`);
      rmSync(profDir, { recursive: true, force: true });
      mkdirSync(profDir, { recursive: true });
      console.error(`bench: profiling ${label} on the medium capture ...`);
      const args = extra.map((a) => (a.includes('.') ? join(profDir, a) : a));
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, BIN, 'replay', file, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (r.status !== 0) problems.push(`profile run ${label}: exit ${r.status}`);
      const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (!prof) continue;
      const text = `CPU profile of \`${label}\` on the ~10^6 capture (${relative(ROOT, join(profDir, prof))}):\n\n${formatProfile(summariseProfile(join(profDir, prof)), 25, ROOT)}`;
      console.log(`\n${text}`);
      texts.push(text);
    }
    writeFileSync(join(DATA_DIR, 'last-profile.md'), texts.join('\n'));
  }
  process.exitCode = problems.length ? 1 : 0;
}

await main();
