// counter-reset-after-failover (SPEC 12.1): at an election, a counter whose first sample
// accepted from the new leader after the old leader's last is lower than that last one, while
// the new leader's own stream did not decrease there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, pairStream } from './helpers.js';
import type { PairOptions } from './helpers.js';

const CODE = 'counter-reset-after-failover';
const S = 1000;
/** replica1 leads and is down from 60s to 200s: one failover to replica2. */
const failover = (o: PairOptions) => pairStream({ scrapes: 40, series: 5, down: [['replica1', 60 * S, 200 * S]], ...o });

test('replica2 reads lower counters: a reset at the failover, per series, with the largest drop', () => {
  const f = findings(failover({ value: (r, s, t) => s * 1000 + t / 1000 - (r === 'replica2' ? 100 : 0) }), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['warn', 't1', 'c1', null, 5]);
  // replica1's last accepted sample at 55s (value 55 for series 0, 4055 for series 4); replica2
  // takes over with its request for the 77s scrape (30s after replica1's last KV write at 46s):
  // 77 - 100 = -23, a drop of 78 for every series
  assert.match(x.fix, /18:01:18\.000Z replica1 -> replica2: 5 series, largest drop 78/);
  assert.match(x.fix, /`rate\(\)` and `increase\(\)` show a spike/);
  assert.match(x.examples[0]!.note, /old leader's last accepted value 55, replica2's first accepted after it -23 at \d+ \(drop 78\); replica2's previous sample -28, not higher/);
});

test('replica2 reading higher counters, or the same: nothing', () => {
  assert.deepEqual(findings(failover({ value: (r, s, t) => s * 1000 + t / 1000 + (r === 'replica2' ? 100 : 0) }), CODE), []);
  assert.deepEqual(findings(failover({}), CODE), []);
});

test('a reset the new leader saw in its own stream too is the target\'s, not the switch\'s', () => {
  // the target restarts at 80s: both replicas read small values from then on
  const v = (_r: string, s: number, t: number) => (t >= 80 * S ? s + t / 1000 - 80 : s * 1000 + t / 1000);
  assert.deepEqual(findings(failover({ value: v }), CODE), []);
});

test('only counters: a gauge (no counter suffix, no counter metadata) is not looked at; counter metadata makes it one', () => {
  const lower = (r: string, s: number, t: number) => s * 1000 + t / 1000 - (r === 'replica2' ? 100 : 0);
  const gauges = failover({ value: lower }).map((r) => ({ ...r, series: r.series.map((s) => ({ ...s, labels: { ...s.labels, __name__: s.labels.__name__!.replace(/_total$/, '') } })) }));
  assert.deepEqual(findings(gauges, CODE), []);
  const withMeta = gauges.map((r, i) => (i === 0 ? { ...r, metadata: [{ type: 'counter' as const, metricFamilyName: 'node_metric_0', help: '', unit: '' }] } : r));
  const f = findings(withMeta, CODE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.count, 1);
});
