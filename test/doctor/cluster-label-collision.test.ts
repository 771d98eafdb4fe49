// cluster-label-collision (SPEC 12.1): an HA request whose HA series share one replica value but
// carry more than one cluster value (a target sets the cluster label).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, pairStream } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'cluster-label-collision';

/** A healthy pair where `n` series of each request carry the target's own cluster value. */
function targetCluster(n: number, first = false): RequestSpec[] {
  return pairStream({ scrapes: 4, series: 10 }).map((r) => {
    const series = r.series.map((s, i) => (i < n ? { ...s, labels: { ...s.labels, cluster: 'app-a' } } : s));
    if (first) return { ...r, series };
    return { ...r, series: [...series.slice(n), ...series.slice(0, n)] };
  });
}

test('a target with its own cluster label: found per replica, the sender\'s cluster, another ha_cluster_label suggested', () => {
  const f = findings(targetCluster(3), CODE);
  assert.equal(f.length, 2);
  const x = f.find((g) => g.replica === 'replica1')!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.count], ['error', 't1', 'c1', 4]);
  assert.match(x.fix, /3 series from replica replica1 carry app-a \(3 series\) instead of c1/);
  assert.match(x.fix, /`ha_cluster_label: ha_cluster` \(-distributor\.ha-tracker\.cluster=ha_cluster\)/);
  assert.match(x.fix, /external_labels: \{ha_cluster: c1, __replica__: replica1\}/);
  assert.doesNotMatch(x.fix, /first series carried one/);
  assert.equal(x.examples.length, 3);
  assert.equal(x.examples[0]!.labels!.cluster, 'app-a');
});

test('when the first series carries the target\'s value the whole request was decided as that cluster', () => {
  const f = findings(targetCluster(3, true), CODE);
  assert.match(f[0]!.fix, /in 4 requests the first series carried one/);
});

test('one cluster value per request: nothing', () => {
  assert.deepEqual(findings(targetCluster(0), CODE), []);
});
