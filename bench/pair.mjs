// Paired before/after timing of two builds of ha-dedup (issue 15 point 8): the same replay
// cases run alternately with a base build and this one (base, head, base, head, ...), so
// background load on a shared machine hits both alike. Reports per case the median wall time
// and peak RSS of each side and the median of the per-round ratios head/base (with its range).
//
// usage: node bench/pair.mjs --base DIR [--runs N] [--sizes small,medium,card-1e5] [--cases replay,ndjson,rwcap] [--out FILE.md]
//   DIR   a built checkout of the base (e.g. `git archive main | tar -x -C DIR`, node_modules
//         linked, `npm run build` there)
//   --head DIR2: another built checkout as the head (default: this one)
// Cases: replay, ndjson, rwcap, none (--output-format none, table report), vmjson. Each run's
// CPU time (user + system, GNU time) is kept beside its wall time: on a shared machine the CPU
// ratio is the steadier one.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, ensureCapture } from './gen.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

function parseArgs(argv) {
  const o = { base: null, head: null, runs: 5, sizes: ['small', 'medium'], cases: ['replay', 'ndjson', 'rwcap'], out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i];
    if (a === '--base') o.base = val();
    else if (a === '--head') o.head = val();
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--sizes') o.sizes = val().split(',');
    else if (a === '--cases') o.cases = val().split(',');
    else if (a === '--out') o.out = val();
    else throw new Error(`unknown option ${a}`);
  }
  if (o.base === null || !existsSync(join(o.base, 'bin', 'ha-dedup'))) throw new Error('--base DIR (a built checkout) is required');
  return o;
}

function argvFor(id, bin, file, dir) {
  switch (id) {
    case 'replay':
      return [bin, 'replay', file, '--output-format', 'none', '--report', join(dir, 'report.json')];
    case 'ndjson':
      return [bin, 'replay', file, '-o', join(dir, 'out.ndjson')];
    case 'rwcap':
      return [bin, 'replay', file, '--output-format', 'rwcap', '-o', join(dir, 'out.rwcap')];
    case 'none':
      return [bin, 'replay', file, '--output-format', 'none'];
    case 'vmjson':
      return [bin, 'replay', file, '--output-format', 'vm-json', '-o', join(dir, 'out.json')];
    default:
      throw new Error(`unknown case ${id}`);
  }
}

const LABEL = {
  replay: 'replay --output-format none --report',
  ndjson: 'replay -o out.ndjson',
  rwcap: 'replay --output-format rwcap -o out.rwcap',
  none: 'replay --output-format none',
  vmjson: 'replay --output-format vm-json -o out.json',
};

function runOnce(argv, dir) {
  const timeFile = join(dir, 'time.txt');
  rmSync(timeFile, { force: true });
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(TIME, ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...argv], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${err}`));
      // the line GNU time wrote (other lines, e.g. "Command exited with ...", are skipped)
      const line = readFileSync(timeFile, 'utf8').split('\n').find((l) => /^\d+ [\d.]+ [\d.]+$/.test(l.trim())) ?? '';
      const [rss, user, sys] = line.trim().split(' ').map(Number);
      resolve({ ms, rssMiB: rss / 1024, cpu: (user + sys) * 1000 });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const o = parseArgs(process.argv.slice(2));
const outDir = join(DATA_DIR, 'pair');
mkdirSync(outDir, { recursive: true });
const sides = [
  { name: 'base', bin: join(o.base, 'bin', 'ha-dedup') },
  { name: 'head', bin: join(o.head ?? ROOT, 'bin', 'ha-dedup') },
];
const rows = [];
for (const size of o.sizes) {
  const { file, stats } = ensureCapture(size);
  for (const id of o.cases) {
    const res = { base: [], head: [] };
    // one untimed run each (page cache, bundle compile cache)
    for (const s of sides) await runOnce(argvFor(id, s.bin, file, outDir), outDir);
    for (let r = 0; r < o.runs; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) res[s.name].push(await runOnce(argvFor(id, s.bin, file, outDir), outDir));
    }
    const ratios = res.head.map((h, i) => h.ms / res.base[i].ms);
    const cpuRatios = res.head.map((h, i) => h.cpu / res.base[i].cpu);
    const row = {
      size,
      samples: stats.samples,
      id,
      baseMs: median(res.base.map((x) => x.ms)),
      headMs: median(res.head.map((x) => x.ms)),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      baseCpu: median(res.base.map((x) => x.cpu)),
      headCpu: median(res.head.map((x) => x.cpu)),
      cpuRatio: median(cpuRatios),
      cpuMin: Math.min(...cpuRatios),
      cpuMax: Math.max(...cpuRatios),
      baseRss: median(res.base.map((x) => x.rssMiB)),
      headRss: median(res.head.map((x) => x.rssMiB)),
    };
    rows.push(row);
    console.error(`${size} ${id}: base ${row.baseMs.toFixed(0)} ms, head ${row.headMs.toFixed(0)} ms, head/base ${row.ratio.toFixed(3)} (${row.ratioMin.toFixed(3)}-${row.ratioMax.toFixed(3)}); cpu ${row.baseCpu.toFixed(0)} -> ${row.headCpu.toFixed(0)} ms, ${row.cpuRatio.toFixed(3)} (${row.cpuMin.toFixed(3)}-${row.cpuMax.toFixed(3)}); RSS ${row.baseRss.toFixed(0)} -> ${row.headRss.toFixed(0)} MiB`);
  }
}
const f = (x) => x.toFixed(0);
const lines = [
  `${o.runs} rounds per case, base and head alternating (order flipped every round); ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end; node ${process.version}.`,
  '',
  '| capture | case | base median ms | head median ms | head/base wall (median of rounds, range) | base cpu ms | head cpu ms | head/base cpu (median, range) | base RSS MiB | head RSS MiB | RSS head/base |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.size} | ${LABEL[r.id]} | ${f(r.baseMs)} | ${f(r.headMs)} | ${r.ratio.toFixed(3)} (${r.ratioMin.toFixed(3)}–${r.ratioMax.toFixed(3)}) | ${f(r.baseCpu)} | ${f(r.headCpu)} | ${r.cpuRatio.toFixed(3)} (${r.cpuMin.toFixed(3)}–${r.cpuMax.toFixed(3)}) | ${f(r.baseRss)} | ${f(r.headRss)} | ${(r.headRss / r.baseRss).toFixed(3)} |`),
];
console.log(lines.join('\n'));
if (o.out) writeFileSync(o.out, lines.join('\n') + '\n');
