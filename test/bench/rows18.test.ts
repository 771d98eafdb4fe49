// The issue-18 bench helpers: the load-average watcher (bench/lib/load.mjs) and the rows and checks
// of bench/lib/rows18.mjs, on made-up rows (no timing here: SPEC 11, the bench measures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-ignore -- plain ESM without types
import { watchLoad, summariseLoad, formatLoad } from '../../bench/lib/load.mjs';
// @ts-ignore -- plain ESM without types
import { linearity, scaleReport, tableRows } from '../../bench/lib/scale.mjs';
// @ts-ignore -- plain ESM without types
import { baseCaseIds, CASE_IDS18, cases18, checks18, formatChecks, isSize, paired, perSeriesBytes, rssPerSeries, sizeLabel, sizesToRun, SIZES18, vsNative } from '../../bench/lib/rows18.mjs';

test('watchLoad samples at start, on every tick and at stop; between() summarises a stretch', () => {
  let t = 1000;
  const loads = [[0.5, 0.4, 0.3], [2.5, 1.0, 0.5], [1.5, 1.2, 0.6], [0.9, 1.1, 0.7]];
  let i = 0;
  let tick: (() => void) | null = null;
  let cleared = false;
  const w = watchLoad({
    read: () => loads[i++]!,
    clock: () => t,
    cpus: 2,
    timers: { setInterval: (f: () => void) => ((tick = f), { unref() {} }), clearInterval: () => (cleared = true) },
  });
  assert.equal(w.samples.length, 1, 'a sample at start');
  t = 2000;
  tick!();
  t = 3000;
  const mark = w.now();
  assert.equal(mark, 3000);
  t = 4000;
  const s = w.stop();
  assert.ok(cleared);
  assert.deepEqual(s, { start: [0.5, 0.4, 0.3], end: [0.9, 1.1, 0.7], min1: 0.5, max1: 2.5, mean1: (0.5 + 2.5 + 1.5 + 0.9) / 4, samples: 4, cpus: 2 });
  assert.equal(w.stop(), s, 'stop is idempotent');
  assert.deepEqual(w.between(2000, 3000)!.samples, 2);
  assert.equal(w.between(5000, 6000), null);
  const line = formatLoad(s);
  assert.match(line, /^load average 0\.50\/0\.40\/0\.30 at start, 0\.90\/1\.10\/0\.70 at end; 1-min load while it ran 0\.50–2\.50 \(mean 1\.35, 4 samples\) on 2 CPUs; more runnable jobs than CPUs/);
  assert.doesNotMatch(formatLoad(summariseLoad([{ t: 0, load: [1, 1, 1] }], 2)), /more runnable/);
});

test('watchLoad reads os.loadavg by default, and its timer does not keep the process alive', () => {
  let timer: any;
  const w = watchLoad({ intervalMs: 10, timers: { setInterval: (f: () => void, ms: number) => (timer = setInterval(f, ms)), clearInterval } });
  assert.equal(timer.hasRef(), false, 'unref\'d');
  const s = w.stop();
  assert.equal(s.samples, 2);
  assert.equal(s.start.length, 3);
  assert.ok(s.start.every((x: number) => x >= 0));
});

test('the issue-18 sizes are generator presets with labels; cases per size', () => {
  for (const s of SIZES18) {
    assert.ok(isSize(s), s);
    assert.notEqual(sizeLabel(s), s);
  }
  assert.ok(isSize('large') && !isSize('huge') && !isSize('toString'));
  const native = { ok: true, path: '/x/ref' };
  const ids = (size: string, n: any = native) => cases18(size, 'F.rwcap', '/d', { bin: 'bin/ha-dedup', native: n }).cases.map((c: any) => c.id);
  assert.deepEqual(ids('card-1e4'), ['native']);
  assert.deepEqual(ids('clusters-10k'), ['native', 'none', 'json']);
  assert.deepEqual(ids('large'), ['native', 'none', 'vmjson', 'onecore']);
  const { cases, skipped } = cases18('large', 'F.rwcap', '/d', { bin: 'bin/ha-dedup', native: { ok: false, reason: 'no C++ compiler: g++ not found' } });
  assert.ok(!cases.some((c: any) => c.id === 'native'));
  assert.deepEqual(skipped, ['native reference: no C++ compiler: g++ not found']);
  const nat = cases18('small', 'F.rwcap', '/d', { bin: 'b', native }).cases[0];
  assert.deepEqual([nat.cmd, nat.argv, nat.counts], ['/x/ref', ['F.rwcap'], 'stdout']);
  const one = cases18('large', 'F.rwcap', '/d', { bin: 'b', native: null }).cases.find((c: any) => c.id === 'onecore');
  assert.deepEqual([one.cmd, ...one.argv.slice(0, 2)], ['taskset', '-c', '0']);
  const json = cases18('clusters-10k', 'F.rwcap', '/d', { bin: 'b', native: null }).cases.find((c: any) => c.id === 'json');
  assert.deepEqual(json.argv.slice(-2), ['--report-format', 'json']);
});

const row = (size: string, id: string, runMs: number[], rssMiB = 100, samples = 4e6) => {
  const ms = [...runMs].sort((a, b) => a - b)[Math.floor(runMs.length / 2)]!;
  return { size, id, samples, ms, rate: samples / (ms / 1000), rssMiB, runMs };
};

test('checks18: the issue\'s targets on the rows that are there', () => {
  const rows = [
    row('card-1e4', 'floor', [4000, 4100, 3900]),
    row('card-1e4', 'replay', [4000, 4200, 4100], 150),
    row('card-1e6', 'floor', [4000, 4000, 4000]),
    row('card-1e6', 'replay', [50000, 48000, 49000], 2700),
    row('clusters-10k', 'none', [279000, 280000, 281000]),
    row('clusters-10k', 'json', [100000, 100000, 100000]),
    row('large', 'floor', [9000, 9000, 9000]),
    row('large', 'replay', [7000, 7200, 7100]),
    row('large', 'none', [7000, 7000, 7000]),
    row('large', 'ndjson', [14000, 14000, 14000]),
    row('large', 'vmjson', [33600, 33600, 33600]),
    row('large', 'onecore', [7000, 7100, 7200]),
  ];
  const c = checks18(rows, { 'card-1e4': 10320, 'card-1e6': 1000008 });
  const by = Object.fromEntries(c.map((x: any) => [x.check, x]));
  assert.equal(c.length, 9);
  assert.equal(by['replay --report at 10^6 series vs 10^4 (same samples)'].value, '11.95× the time');
  assert.equal(by['replay --report at 10^6 series vs 10^4 (same samples)'].result, 'MISS');
  assert.match(by['replay --report vs the floor at 10^6 series'].value, /^0\.08× \(run by run 0\.08×/);
  const b = ((2700 - 150) * 2 ** 20) / (1000008 - 10320);
  assert.equal(by['peak RSS per distinct series ((RSS@10^6 − RSS@10^4) / Δseries)'].value, `${b.toFixed(0)} B`);
  assert.equal(by['peak RSS at 10^6 series'].result, 'MISS');
  assert.equal(by['10k clusters: table report vs --report-format json'].value, '2.80× (run by run 2.80×, 2.79×–2.81×, 3 pairs)');
  assert.equal(by['10^7: -o ndjson vs --output-format none'].result, 'MISS');
  assert.equal(by['10^7: vm-json -o vs --output-format none'].value.slice(0, 5), '4.80×');
  assert.equal(by['10^7: replay on two cores vs pinned to one (speed-up)'].result, 'MISS');
  assert.equal(by['10^7: replay vs the floor'].result, 'MISS');
  assert.match(formatChecks(c), /^\| issue 18 \| measured \| target \| result \|\n\|---\|/);

  // a build that meets them
  const good = [
    row('card-1e4', 'replay', [4000], 150),
    row('card-1e6', 'replay', [5000], 650),
    row('card-1e6', 'floor', [4000]),
    row('clusters-10k', 'none', [110]),
    row('clusters-10k', 'json', [100]),
  ];
  assert.ok(checks18(good, { 'card-1e4': 10320, 'card-1e6': 1000008 }).every((x: any) => x.result === 'PASS'));
  assert.deepEqual(checks18([], {}), []);
  // the cpu times (GNU time) beside the wall-time ratio
  const cpu = checks18([{ ...row('clusters-10k', 'none', [110]), cpuS: 42 }, { ...row('clusters-10k', 'json', [100]), cpuS: 40 }], {});
  assert.equal(cpu[0].value, '1.10× (run by run 1.10×, 1.10×–1.10×, 1 pairs); by cpu time 1.05×');
  assert.equal(formatChecks([]), '');
});

test('paired ratios skip failed rounds; per-series bytes; the ratio to the native reference', () => {
  assert.deepEqual(paired({ runMs: [2, null, 6] }, { runMs: [1, 1, 2] }), { median: 2.5, min: 2, max: 3, n: 2 });
  assert.equal(paired({ runMs: [null] }, { runMs: [1] }), null);
  assert.equal(perSeriesBytes(100, 100 + 600 / 2 ** 20 * 990000, 10000, 1000000).toFixed(3), '600.000');
  const rows = [row('small', 'native', [100]), row('small', 'floor', [700])];
  assert.equal(vsNative(rows, rows[1]), '0.14');
  assert.equal(vsNative(rows, row('medium', 'floor', [1])), '');
});

test('run.mjs\'s own cases per size, --issue18\'s sizes, and the per-series bytes column', () => {
  // SIZES18 = [card-1e4, card-1e5, card-1e6, clusters-10k]; the usual sizes run every case
  assert.equal(baseCaseIds('medium'), null);
  assert.equal(baseCaseIds('large'), null);
  assert.deepEqual(baseCaseIds('card-1e6'), ['floor', 'replay']);
  assert.deepEqual(baseCaseIds('clusters-10k'), ['floor']);
  assert.deepEqual(sizesToRun(['small', 'medium'], false), ['small', 'medium']);
  assert.deepEqual(sizesToRun(['small', 'medium'], true), ['small', 'medium', 'large', 'card-1e4', 'card-1e5', 'card-1e6', 'clusters-10k']);
  assert.deepEqual(sizesToRun(['large', 'card-1e4'], true), ['large', 'card-1e4', 'card-1e5', 'card-1e6', 'clusters-10k']);
  // --cases accepts exactly the ids cases18() can give
  const all = new Set(['large', ...SIZES18].flatMap((s) => cases18(s, 'F', '/d', { bin: 'b', native: { ok: true, path: 'r' } }).cases.map((c: any) => c.id)));
  assert.deepEqual([...all].sort(), [...CASE_IDS18].sort());
  assert.equal(rssPerSeries(row('card-1e6', 'replay', [1], 1000), 1000008), Math.round(1000 * 2 ** 20 / 1000008).toLocaleString('en-US'));
  assert.equal(rssPerSeries(row('card-1e6', 'replay', [1], 1000), 1000008), '1,049');
  assert.equal(rssPerSeries(row('card-1e6', 'floor', [1], 60), 1000008), '');
  assert.equal(rssPerSeries(row('card-1e6', 'native', [1], 5), 1000008), '');
  assert.equal(rssPerSeries({ ...row('x', 'replay', [1]), rssMiB: null }, 10), '');
  assert.equal(rssPerSeries(row('x', 'onecore', [1], 1), undefined), '');
});

test('scaleReport: k times the clusters (renamed copies) and elections; tableRows; linearity', () => {
  const rep = (name: string, n: number) => ({ replica: name, requests: n });
  const report = {
    totals: { samples: 7 },
    clusters: [
      { tenant: 't', cluster: 'a', replicas: [rep('r0', 1), rep('r1', 2)] },
      { tenant: 't', cluster: 'b', replicas: [] },
    ],
    elections: [{ tenant: 't', cluster: 'a', at_ms: 1 }],
  };
  assert.equal(tableRows(report), 2 + 1 + 1, 'a cluster without replicas still takes a row');
  const half = scaleReport(report, 0.5);
  assert.deepEqual(half.clusters.map((c: any) => c.cluster), ['a']);
  const twice = scaleReport(report, 2);
  assert.deepEqual(twice.clusters.map((c: any) => c.cluster), ['a', 'b', 'a~2', 'b~2']);
  assert.deepEqual(twice.elections.map((e: any) => e.cluster), ['a', 'a~2']);
  assert.equal(twice.clusters[2].replicas, report.clusters[0]!.replicas);
  assert.deepEqual(twice.totals, report.totals);
  assert.equal(report.clusters.length, 2, 'the input is not changed');
  assert.equal(tableRows(twice), 8);
  // per-row time flat: linear; per-row time 8x over 0.25..2: quadratic
  assert.deepEqual(linearity([{ rows: 100, ms: 10 }, { rows: 800, ms: 84 }]), { growth: 84 / 800 / 0.1, limit: 1.5, ok: true });
  assert.equal(linearity([{ rows: 100, ms: 10 }, { rows: 800, ms: 640 }]).ok, false);
});
