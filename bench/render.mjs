// Issue 18.2, in process: the human table (and its narrow TTY form) against the JSON report on
// one report scaled to ¼, ½, 1 and 2 times its rows (bench/lib/scale.mjs), interleaved, median
// of --runs. It says whether the table's time per row stays flat (linear in rows).
//
// usage: node bench/render.mjs REPORT.json [--runs N] [--width COLUMNS]
//   REPORT.json  a replay's --report file, e.g. of the clusters-10k capture:
//                node bin/ha-dedup replay bench/data/clusters-10k-*.rwcap --output-format none \
//                  --report-format json > bench/data/out/clusters-10k.json
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { linearity, scaleReport, tableRows } from './lib/scale.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderTable } = await import(pathToFileURL(join(ROOT, 'dist', 'report', 'table.js')).href);
const { renderJson } = await import(pathToFileURL(join(ROOT, 'dist', 'report', 'json.js')).href);

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const file = args.find((a, i) => !a.startsWith('--') && !['--runs', '--width'].includes(args[i - 1]));
if (!file) {
  console.error('usage: node bench/render.mjs REPORT.json [--runs N] [--width COLUMNS]');
  process.exit(2);
}
const runs = opt('--runs', 5);
const width = opt('--width', 80);
const report = JSON.parse(readFileSync(file, 'utf8'));
const time = (f) => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const points = [];
console.log(`| scale | clusters | rows | table ms | µs/row | TTY ${width} cols ms | µs/row | json ms | table / json |`);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const k of [0.25, 0.5, 1, 2]) {
  const r = scaleReport(report, k);
  const rows = tableRows(r);
  const t = [], w = [], j = [];
  for (let i = 0; i < runs; i++) {
    t.push(time(() => renderTable(r, {})));
    w.push(time(() => renderTable(r, { width })));
    j.push(time(() => renderJson(r)));
  }
  const p = { k, rows, ms: median(t), tty: median(w), json: median(j) };
  points.push(p);
  const us = (ms) => ((ms * 1000) / rows).toFixed(1);
  console.log(`| ${k}× | ${r.clusters.length} | ${rows} | ${p.ms.toFixed(0)} | ${us(p.ms)} | ${p.tty.toFixed(0)} | ${us(p.tty)} | ${p.json.toFixed(0)} | ${(p.ms / p.json).toFixed(2)} |`);
}
const lin = linearity(points);
const linTty = linearity(points.map((p) => ({ ...p, ms: p.tty })));
console.log(`\ntable time per row at 2× over ¼×: ${lin.growth.toFixed(2)} (≤ ${lin.limit}: ${lin.ok ? 'PASS' : 'MISS'}); TTY form: ${linTty.growth.toFixed(2)} (${linTty.ok ? 'PASS' : 'MISS'})`);
