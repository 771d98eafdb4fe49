// What replay's doctor hint costs (issue 20.5): `replay --output-format none --report` of this
// checkout (head, with the ErrorHint consumer on replay's lane) against a base build without it,
// run alternately (base, head, head, base, ...: the order flips every round) so that background
// load on a shared machine hits both alike. Per round the ratios head/base of wall time and of CPU
// time (user + sys, from GNU time); the medians and ranges are printed, with peak RSS.
//
// usage: node bench/hint.mjs --base DIR [--runs N] [--sizes medium,card-1e5]
//   DIR  a built checkout of the commit before the hint (`git archive <commit> | tar -x -C DIR`,
//        node_modules linked, `npm run build` there)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, ensureCapture } from './gen.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

function parseArgs(argv) {
  const o = { base: null, runs: 11, sizes: ['medium'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base') o.base = argv[++i];
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--sizes') o.sizes = argv[++i].split(',');
    else throw new Error(`unknown option ${a}`);
  }
  if (o.base === null || !existsSync(join(o.base, 'bin', 'ha-dedup'))) throw new Error('--base DIR (a built checkout) is required');
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed for the CPU time`);
  return o;
}

function once(bin, file, dir) {
  const timeFile = join(dir, 'time.txt');
  rmSync(timeFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%M %U %S', '-o', timeFile, process.execPath, bin, 'replay', file, '--output-format', 'none', '--report', join(dir, 'r.json')], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${bin} replay ${file}: exit ${r.status}: ${r.stderr}`);
  const [rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { ms, cpuMs: (user + sys) * 1000, rssMiB: rss / 1024, stderr: r.stderr.toString() };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const range = (xs) => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;

const o = parseArgs(process.argv.slice(2));
const bins = { base: join(o.base, 'bin', 'ha-dedup'), head: join(ROOT, 'bin', 'ha-dedup') };
const rows = [];
for (const size of o.sizes) {
  const { file, stats } = ensureCapture(size);
  const dir = join(DATA_DIR, 'out', `hint-${size}`);
  mkdirSync(dir, { recursive: true });
  once(bins.head, file, dir); // warm the page cache
  const res = { base: [], head: [] };
  for (let i = 0; i < o.runs; i++) {
    for (const side of i % 2 === 0 ? ['base', 'head'] : ['head', 'base']) res[side].push(once(bins[side], file, dir));
    const b = res.base[i];
    const h = res.head[i];
    console.error(`${size} round ${i + 1}/${o.runs}: base ${b.ms.toFixed(0)} ms (cpu ${b.cpuMs.toFixed(0)}), head ${h.ms.toFixed(0)} ms (cpu ${h.cpuMs.toFixed(0)})`);
  }
  const wall = res.head.map((h, i) => h.ms / res.base[i].ms);
  const cpu = res.head.map((h, i) => h.cpuMs / res.base[i].cpuMs);
  rows.push(
    `| ${size} (${stats.samples.toLocaleString('en-US')} samples) | ${median(res.base.map((r) => r.ms)).toFixed(0)} / ${median(res.head.map((r) => r.ms)).toFixed(0)} | ${range(wall)} | ` +
      `${median(res.base.map((r) => r.cpuMs)).toFixed(0)} / ${median(res.head.map((r) => r.cpuMs)).toFixed(0)} | ${range(cpu)} | ` +
      `${Math.max(...res.base.map((r) => r.rssMiB)).toFixed(0)} / ${Math.max(...res.head.map((r) => r.rssMiB)).toFixed(0)} |`,
  );
}
console.log(
  [
    `${o.runs} rounds, base and head alternating; ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end; node ${process.version}.`,
    '',
    '| capture | wall ms, median base / head | head/base wall, median (range) | CPU ms, median base / head | head/base CPU, median (range) | peak RSS MiB base / head |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
