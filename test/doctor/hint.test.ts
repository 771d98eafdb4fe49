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
