// The replay hint: the number of error findings doctor would report, from one consumer on
// replay's own lane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorHint, hintLine } from '../../src/doctor/hint.js';
import { doctorPlan } from '../../src/doctor/plan.js';
import { defaults, merge, pairStream, runLane, runPlan, sender, targetSeries } from './helpers.js';
import type { RequestSpec } from './helpers.js';

test('the line', () => {
  assert.equal(hintLine(0), null);
  assert.equal(hintLine(1), 'ha-dedup: 1 HA configuration problem found; run ha-dedup doctor');
  assert.equal(hintLine(2), 'ha-dedup: 2 HA configuration problems found; run ha-dedup doctor');
});

/** Every error-severity problem at once, plus warnings the hint must not count. */
function troubled(): RequestSpec[] {
  const pair = pairStream({ scrapes: 8, series: 10 }).map((r, k) => {
    if (r.series[0]!.labels.__replica__ !== 'replica2') return r;
    // a partial series, a target with its own cluster, and (every other request) replica1's series mixed in
    const extra: RequestSpec['series'] = [
      { labels: { __name__: 'partial_total', cluster: 'c1' }, samples: [[r.at! - 1000, 1]] as [number, number][] },
      { labels: { __name__: 'own_cluster_total', cluster: 'app', __replica__: 'replica2' }, samples: [[r.at! - 1000, 1]] as [number, number][] },
      ...(k % 4 === 1 ? [{ labels: { __name__: 'mixed_total', cluster: 'c1', __replica__: 'replica1' }, samples: [[r.at! - 1000, 1]] as [number, number][] }] : []),
    ];
    return { ...r, series: [...r.series, ...extra] };
  });
  const unconfigured = merge(sender(targetSeries(10, { cluster: 'x', prom: 'a' })), sender(targetSeries(10, { cluster: 'x', prom: 'b' }), { offset: 1000 }));
  // replica-collision: a second value at a timestamp already sent in another cluster
  const coll: RequestSpec[] = [0, 1].map((k) => ({ at: pair[0]!.at! + 10 + k, tenant: 't1', series: [{ labels: { __name__: 'c_total', cluster: 'c3', __replica__: 'r' }, samples: [[pair[0]!.at! - 1000, k]] }] }));
  // a third HA cluster, over max clusters (2)
  const third = pairStream({ cluster: 'c4', scrapes: 2, series: 2 });
  return merge(pair, unconfigured, coll, third);
}

test('the hint counts exactly the error findings doctor reports (and no warning)', () => {
  const opts = { config: () => defaults({ maxClusters: 2 }) };
  const report = runPlan(doctorPlan(), troubled(), opts);
  const errors = report.findings.filter((f) => f.severity === 'error');
  assert.ok(report.findings.some((f) => f.severity !== 'error'), 'the stream has warnings too');
  const codes = new Set(errors.map((f) => f.code));
  for (const c of ['unconfigured-ha-pair', 'partial-ha-labels', 'mixed-request', 'cluster-label-collision', 'replica-collision', 'too-many-clusters']) assert.ok(codes.has(c as never), c);
  const hint = new ErrorHint();
  runLane(troubled(), [hint], opts);
  assert.deepEqual(
    hint.findings().map((f) => [f.code, f.tenant, f.cluster, f.replica, f.count]).sort(),
    errors.map((f) => [f.code, f.tenant, f.cluster, f.replica, f.count]).sort(),
  );
  assert.equal(hint.line(), `ha-dedup: ${errors.length} HA configuration problems found; run ha-dedup doctor`);
});

test('a healthy pair: no hint', () => {
  const hint = new ErrorHint();
  runLane(pairStream({ down: [['replica1', 60_000, 120_000]] }), [hint]);
  assert.equal(hint.line(), null);
});

/** The hint's error findings and doctor's, as comparable tuples. */
function both(specs: RequestSpec[], opts: { config?: () => ReturnType<typeof defaults> } = {}) {
  const key = (f: { code: string; tenant: string; cluster: string | null; replica: string | null; count: number }) => [f.code, f.tenant, f.cluster, f.replica, f.count].join(' ');
  const doctor = runPlan(doctorPlan(), specs, opts)
    .findings.filter((f) => f.severity === 'error')
    .map(key)
    .sort();
  const hint = new ErrorHint();
  runLane(specs, [hint], opts);
  return { doctor, hint: hint.findings().map(key).sort() };
}

/** One request of tenant `tenant` at `at`: series s (of `n`, pair c1/r1) gets samples `samples(s)`. */
function req(at: number, n: number, samples: (s: number) => [number, number][], tenant = 't1', replica = 'r1'): RequestSpec {
  return { at, tenant, series: targetSeries(n, { cluster: 'c1', __replica__: replica }).map((labels, s) => ({ labels, samples: samples(s) })) };
}

test('replica-collision: the hint (its fast path and the rest of a request after it) counts what doctor counts', () => {
  const t = 1_795_000_000_000;
  const streams: [string, RequestSpec[]][] = [
    // a conflict in the middle of a request: the fast path takes the series before it
    ['conflict mid-request', [req(t + 500, 200, (s) => [[t, s]]), req(t + 600, 200, (s) => [[t + (s < 100 ? 1000 : 0), s + 0.5]])]],
    // 150 series x 1 sample going back 3 s, after 99 good scrapes
    ['back in time', Array.from({ length: 100 }, (_, j) => req(t + j * 10_000 + 100, 150, () => [[j === 99 ? t + 98 * 10_000 - 3000 : t + j * 10_000, j]]))],
    // runs of 3 samples: newer runs on the fast path, a resent run, a run out of order, a run older than the latest
    [
      'runs',
      [
        req(t + 2500, 120, (s) => [[t, s], [t + 1000, s], [t + 2000, s]]),
        req(t + 2600, 120, (s) => [[t, s], [t + 1000, s], [t + 2000, s]]),
        req(t + 5500, 120, (s) => (s % 2 ? [[t + 5000, s], [t + 4000, s], [t + 6000, s]] : [[t + 3000, s], [t + 4000, s], [t + 5000, s]])),
        req(t + 9500, 120, (s) => [[t + 1000, s + 1], [t + 7000, s], [t + 8000, s]]),
      ],
    ],
    // the same label sets in two tenants: t2's state is its own (t1 is ahead of it, and t2 resends with other values)
    [
      'two tenants',
      [
        req(t + 5500, 150, (s) => [[t + 5000, s]]),
        req(t + 5600, 150, (s) => [[t, s]], 't2'),
        req(t + 5700, 150, (s) => [[t, s + 1]], 't2'),
        req(t + 10_500, 150, (s) => [[t + 10_000, s]]),
        req(t + 10_600, 150, (s) => [[t + 1000, s]], 't2'),
      ],
    ],
  ];
  for (const [name, specs] of streams) {
    const { doctor, hint } = both(specs);
    assert.deepEqual(hint, doctor, name);
    assert.ok(doctor.some((k) => k.startsWith('replica-collision ')), `${name}: the stream has a replica-collision finding`);
  }
});
