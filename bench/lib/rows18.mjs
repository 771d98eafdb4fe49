// Issue 18 (performance at real cardinality) rows for `npm run bench`: the sizes, the extra cases
// and the checks against the issue's targets, kept out of bench/run.mjs so that it calls them
// with a few lines. Cases have run.mjs's shape ({ id, label, argv, report? }) plus:
//   cmd     the program to run instead of node (the native reference, taskset); argv are its args
//   counts  'stdout' when the process prints a JSON line with `samples` (floor-like), checked
//           against the generator's count like the floor's
// Rows have run.mjs's shape ({ size, id, samples, ms, rate, rssMiB, runMs: [ms per round] }).
import { join } from 'node:path';
import { PRESETS } from '../gen.mjs';

/** The issue-18 captures (bench/gen.mjs presets), in the order the bench runs them. */
export const SIZES18 = ['card-1e4', 'card-1e5', 'card-1e6', 'clusters-10k'];

/** Short labels for the table's size column (every preset). */
export const SIZE_LABELS = {
  tiny: '~3·10^4',
  small: '~10^5',
  medium: '~10^6',
  large: '~10^7',
  'card-1e4': '4M, 10^4 series',
  'card-1e5': '4M, 10^5 series',
  'card-1e6': '4M, 10^6 series',
  'clusters-10k': '3.4M, 10k clusters',
};

/** Is `s` a size the bench can run (a generator preset)? */
export const isSize = (s) => Object.hasOwn(PRESETS, s);

export const sizeLabel = (s) => SIZE_LABELS[s] ?? s;

/**
 * The issue-18 cases for one size. `bin` is bin/ha-dedup; `native` the result of
 * buildNativeRef() (bench/native/build.mjs): its row is there when it built, else `skipped`
 * gives the reason to print.
 */
export function cases18(size, file, dir, { bin, native }) {
  const cases = [];
  const skipped = [];
  if (native?.ok) cases.push({ id: 'native', label: 'native reference (C++, libsnappy, one varint pass)', cmd: native.path, argv: [file], counts: 'stdout' });
  else if (native) skipped.push(`native reference: ${native.reason}`);
  if (size === 'clusters-10k' || size === 'large') {
    // the human table report is the default; --output-format none keeps only the report's cost
    cases.push({ id: 'none', label: 'replay --output-format none (table report)', argv: [bin, 'replay', file, '--output-format', 'none'] });
  }
  if (size === 'clusters-10k') {
    cases.push({ id: 'json', label: 'replay --output-format none --report-format json', argv: [bin, 'replay', file, '--output-format', 'none', '--report-format', 'json'] });
  }
  if (size === 'large') {
    cases.push({ id: 'vmjson', label: 'replay --output-format vm-json -o out.json', argv: [bin, 'replay', file, '--output-format', 'vm-json', '-o', join(dir, 'out.vm.json')] });
    const report = join(dir, 'report-1core.json');
    cases.push({
      id: 'onecore',
      label: 'replay none --report, pinned to one core (taskset -c 0)',
      cmd: 'taskset',
      argv: ['-c', '0', process.execPath, bin, 'replay', file, '--output-format', 'none', '--report', report],
      report,
    });
  }
  return { cases, skipped };
}

/**
 * Which of run.mjs's own cases (floor, naive, replay, ...) run on a size: every one on the
 * usual sizes (null = no restriction); on the issue-18 captures only those the issue's checks
 * read (each replay there takes tens of seconds to minutes): the floor and the replay with
 * its report on the cardinality captures, the floor on clusters-10k (whose table and JSON
 * cases come from cases18()).
 */
export function baseCaseIds(size) {
  if (size === 'clusters-10k') return ['floor'];
  if (SIZES18.includes(size)) return ['floor', 'replay'];
  return null;
}

/** Every case id the bench knows (run.mjs's own and cases18()'s), for --cases. */
export const CASE_IDS18 = ['native', 'none', 'json', 'vmjson', 'onecore'];

/**
 * The sizes to run: `sizes` as given, plus with `issue18` the issue-18 captures and ~10^7 (the
 * two cores vs one and outputs rows), in the bench's order, each once.
 */
export function sizesToRun(sizes, issue18) {
  const out = [...sizes];
  if (issue18) for (const s of ['large', ...SIZES18]) if (!out.includes(s)) out.push(s);
  return out;
}

/** Cases that run ha-dedup (a per-series byte figure means something for them only). */
export const isReplayCase = (id) => !['floor', 'naive', 'native'].includes(id);

/** Peak RSS per distinct series of the capture, in bytes ('' when unknown or not a replay). */
export function rssPerSeries(r, uniqueSeries) {
  if (!isReplayCase(r.id) || r.rssMiB == null || !uniqueSeries) return '';
  return Math.round((r.rssMiB * 2 ** 20) / uniqueSeries).toLocaleString('en-US');
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** a.runMs[i] / b.runMs[i] over the rounds both completed: { median, min, max, n }, or null. */
export function paired(a, b) {
  const r = [];
  for (let i = 0; i < Math.min(a?.runMs?.length ?? 0, b?.runMs?.length ?? 0); i++) {
    if (a.runMs[i] != null && b.runMs[i] != null) r.push(a.runMs[i] / b.runMs[i]);
  }
  return r.length ? { median: median(r), min: Math.min(...r), max: Math.max(...r), n: r.length } : null;
}

const x2 = (v) => `${v.toFixed(2)}×`;
const range = (p) => (p ? ` (run by run ${x2(p.median)}, ${x2(p.min)}–${x2(p.max)}, ${p.n} pairs)` : '');
/** "; by cpu time 1.05×" when both rows have a median cpu time (GNU time), else ''. */
const byCpu = (a, b) => (a?.cpuS > 0 && b?.cpuS > 0 ? `; by cpu time ${x2(a.cpuS / b.cpuS)}` : '');

/**
 * The issue's targets, checked on the rows (each only when its rows are there):
 * [{ check, value, target, result: 'PASS' | 'MISS' }]. `uniqueSeries` maps size -> distinct series
 * (the generator's stats). Time ratios are of the median times, with the run-by-run ratios beside.
 */
export function checks18(rows, uniqueSeries) {
  const row = (size, id) => rows.find((r) => r.size === size && r.id === id && r.ms != null);
  const out = [];
  const add = (check, value, target, ok) => out.push({ check, value, target, result: ok ? 'PASS' : 'MISS' });

  // 1. cardinality
  const r4 = row('card-1e4', 'replay');
  const r6 = row('card-1e6', 'replay');
  if (r4 && r6) {
    const slow = r6.ms / r4.ms;
    // (not run by run: the sizes run one after the other, so their rounds are not side by side)
    add('replay --report at 10^6 series vs 10^4 (same samples)', `${x2(slow)} the time`, '≤ 1.5×', slow <= 1.5);
  }
  const f6 = row('card-1e6', 'floor');
  if (r6 && f6) {
    const v = f6.ms / r6.ms;
    add('replay --report vs the floor at 10^6 series', `${x2(v)}${range(paired(f6, r6))}`, '≥ 0.6×', v >= 0.6);
  }
  if (r4?.rssMiB != null && r6?.rssMiB != null && uniqueSeries['card-1e4'] && uniqueSeries['card-1e6']) {
    const b = perSeriesBytes(r4.rssMiB, r6.rssMiB, uniqueSeries['card-1e4'], uniqueSeries['card-1e6']);
    add('peak RSS per distinct series ((RSS@10^6 − RSS@10^4) / Δseries)', `${b.toFixed(0)} B`, '≤ 600 B', b <= 600);
    add('peak RSS at 10^6 series', `${r6.rssMiB.toFixed(0)} MiB`, '< 1 GB (953.7 MiB)', r6.rssMiB * 2 ** 20 < 1e9);
  }
  // 2. many clusters
  const table = row('clusters-10k', 'none');
  const json = row('clusters-10k', 'json');
  if (table && json) {
    const v = table.ms / json.ms;
    add('10k clusters: table report vs --report-format json', `${x2(v)}${range(paired(table, json))}${byCpu(table, json)}`, '≤ 1.2×', v <= 1.2);
  }
  // 3. outputs (10^7)
  const none = row('large', 'none');
  for (const [id, name, limit] of [['ndjson', '-o ndjson', 1.5], ['vmjson', 'vm-json -o', 2]]) {
    const r = row('large', id);
    if (r && none) {
      const v = r.ms / none.ms;
      add(`10^7: ${name} vs --output-format none`, `${x2(v)}${range(paired(r, none))}${byCpu(r, none)}`, `≤ ${limit}×`, v <= limit);
    }
  }
  // 4. both cores (10^7)
  const two = row('large', 'replay');
  const one = row('large', 'onecore');
  if (two && one) {
    const v = one.ms / two.ms;
    add('10^7: replay on two cores vs pinned to one (speed-up)', `${x2(v)}${range(paired(one, two))}${byCpu(one, two)}`, '≥ 1.4×', v >= 1.4);
  }
  const fl = row('large', 'floor');
  if (two && fl) {
    const v = fl.ms / two.ms;
    add('10^7: replay vs the floor', `${x2(v)}${range(paired(fl, two))}`, '≥ 1.4×', v >= 1.4);
  }
  return out;
}

/** Bytes of peak RSS per distinct series between two captures of the same sample count. */
export function perSeriesBytes(rssLowMiB, rssHighMiB, seriesLow, seriesHigh) {
  return ((rssHighMiB - rssLowMiB) * 2 ** 20) / (seriesHigh - seriesLow);
}

/** Each row's rate over the native reference's in the same size ('' when there is none). */
export function vsNative(rows, r) {
  const n = rows.find((x) => x.size === r.size && x.id === 'native' && x.rate);
  return n && r.rate ? (r.rate / n.rate).toFixed(2) : '';
}

/** The checks as a markdown table (empty string when there are none). */
export function formatChecks(checks) {
  if (!checks.length) return '';
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  return ['| issue 18 | measured | target | result |', '|---|---|---|---|', ...checks.map((c) => `| ${esc(c.check)} | ${esc(c.value)} | ${esc(c.target)} | ${c.result} |`)].join('\n') + '\n';
}
