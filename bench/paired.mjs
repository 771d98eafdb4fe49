// Paired before/after timing of two builds of ha-dedup on the same capture: the runs of the two
// builds alternate (A B A B ...), so background load on a shared machine hits both alike; the
// median wall time of each and the ratio (before / after: above 1 = the new build is faster).
//
// usage: node bench/paired.mjs BEFORE_DIR AFTER_DIR FILE [--runs 7] [-- replay args...]
//   BEFORE_DIR, AFTER_DIR: checkouts with a build (bin/ha-dedup, dist/); FILE: the input.
//   Default args: replay FILE --output-format none --report-format json (report to /dev/null).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const rest = dd >= 0 ? argv.slice(dd + 1) : null;
const pos = dd >= 0 ? argv.slice(0, dd) : argv;
let runs = 7;
const ri = pos.indexOf('--runs');
if (ri >= 0) {
  runs = Number(pos[ri + 1]);
  pos.splice(ri, 2);
}
const [before, after, file] = pos;
if (!before || !after || !file || !(runs > 0)) {
  console.error('usage: node bench/paired.mjs BEFORE_DIR AFTER_DIR FILE [--runs N] [-- replay args]');
  process.exit(2);
}
const args = rest ?? ['replay', file, '--output-format', 'none', '--report-format', 'json'];

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);
const cpu = new Map(); // dir -> CPU seconds (user + sys) per run, when /usr/bin/time is there

function once(dir) {
  const t0 = process.hrtime.bigint();
  const cmd = [process.execPath, join(dir, 'bin', 'ha-dedup'), ...args];
  const r = haveTime
    ? spawnSync(TIME, ['-f', 'CPU %U %S', ...cmd], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 })
    : spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    console.error(`${dir}: exit ${r.status}: ${String(r.stderr).slice(0, 400)}`);
    process.exit(1);
  }
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(String(r.stderr));
  if (m) {
    if (!cpu.has(dir)) cpu.set(dir, []);
    cpu.get(dir).push(Number(m[1]) + Number(m[2]));
  }
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

once(before);
once(after); // warm the page cache
cpu.clear();
const a = [];
const b = [];
const ratios = [];
for (let i = 0; i < runs; i++) {
  const x = i % 2 === 0 ? once(before) : 0;
  const y = once(after);
  const x2 = i % 2 === 1 ? once(before) : x;
  a.push(x2);
  b.push(y);
  ratios.push(x2 / y);
}
console.log(`args: ${args.join(' ')}`);
console.log(`before ${before}: median ${median(a).toFixed(0)} ms  (${a.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`after  ${after}: median ${median(b).toFixed(0)} ms  (${b.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`ratio before/after: ${(median(a) / median(b)).toFixed(3)} (median of paired ratios ${median(ratios).toFixed(3)})`);
if (cpu.has(before) && cpu.has(after)) {
  const ca = median(cpu.get(before));
  const cb = median(cpu.get(after));
  console.log(`CPU (user+sys) medians: before ${ca.toFixed(2)} s, after ${cb.toFixed(2)} s, ratio ${(ca / cb).toFixed(3)}`);
}
