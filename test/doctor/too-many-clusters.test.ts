// too-many-clusters (SPEC 12.1): warn at >= 80% of max clusters with none rejected; error when
// some were rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaults, findings, merge, pairStream } from './helpers.js';

const CODE = 'too-many-clusters';
const MIN = 60_000;
const clusters = (n: number, start = 0) => merge(...Array.from({ length: n }, (_, k) => pairStream({ cluster: `c${k}`, scrapes: 5, offset: start + 37 * k })));
const max = (n: number) => ({ config: () => defaults({ maxClusters: n }) });

test('4 of 5 clusters (80%): warn; 3 of 5: nothing', () => {
  const f = findings(clusters(4), CODE, max(5));
  assert.equal(f.length, 1);
  assert.deepEqual([f[0]!.severity, f[0]!.tenant, f[0]!.cluster, f[0]!.replica, f[0]!.count], ['warn', 't1', null, null, 4]);
  assert.match(f[0]!.fix, /4 of at most 5 HA clusters were held at once/);
  assert.match(f[0]!.fix, /`ha_max_clusters: 6` \(-distributor\.ha-tracker\.max-clusters=6\)/);
  assert.deepEqual(findings(clusters(3), CODE, max(5)), []);
});

test('rejected clusters: error, with the samples and a limit that fits', () => {
  const f = findings(clusters(7), CODE, max(5));
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.count], ['error', 2]);
  // 2 clusters x 2 replicas x 5 scrapes x 20 series rejected
  assert.match(x.fix, /2 clusters were rejected \(HTTP 400, too many HA clusters; 400 samples\) with the limit at 5 \(5 held at once at most\)/);
  assert.match(x.fix, /`ha_max_clusters: 9`/);
  assert.deepEqual(x.examples.map((e) => e.labels), [{ cluster: 'c5' }, { cluster: 'c6' }]);
});

test('no limit (0): nothing', () => {
  assert.deepEqual(findings(clusters(7), CODE, max(0)), []);
});

test('clusters far apart in time are not held at once (the 30-minute cleanup frees them)', () => {
  const apart = merge(...Array.from({ length: 4 }, (_, k) => pairStream({ cluster: `c${k}`, scrapes: 5 }).map((r) => ({ ...r, at: r.at! + k * 70 * MIN, series: r.series.map((s) => ({ ...s, samples: s.samples.map(([t, v]) => [t + k * 70 * MIN, v] as [number, number]) })) }))));
  assert.deepEqual(findings(apart, CODE, max(5)), []);
});
