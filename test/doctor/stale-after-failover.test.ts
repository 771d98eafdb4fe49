// stale-after-failover (SPEC 12.1): stale markers accepted from the new leader within 2 scrape
// intervals after an election, for series the old leader last sent a non-stale value for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, pairStream, T0 } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'stale-after-failover';
const S = 1000;

/**
 * replica1 leads and stops at 60s; replica2 (scraping at 2s, 7s, 12s, ...) takes over with its
 * request for the 77s scrape, received at 78s, 30s after replica1's last KV write. replica2 marks
 * its first `n` series stale in its requests whose scrape time is in [from, to) seconds.
 */
function staleOnReplica2(n: number, from: number, to: number, r1LastStale = false): RequestSpec[] {
  return pairStream({ scrapes: 40, series: 4, down: [['replica1', 60 * S, 1e9]] }).map((r) => {
    const rep = r.series[0]!.labels.__replica__;
    const t = r.series[0]!.samples[0]![0] - T0;
    const mark = (rep === 'replica2' && t >= from * S && t < to * S) || (r1LastStale && rep === 'replica1' && t === 55 * S);
    if (!mark) return r;
    return { ...r, series: r.series.map((s, i) => (i < n ? { ...s, samples: s.samples.map(([ts]) => [ts, 'stale'] as [number, 'stale']) } : s)) };
  });
}

test('stale markers from the new leader right after the failover: info, per series', () => {
  const f = findings(staleOnReplica2(2, 80, 85), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['info', 't1', 'c1', 'replica2', 2]);
  assert.match(x.examples[0]!.note, /^stale marker at \d+, 4\.000s after replica1 -> replica2 \(scrape interval 5\.000s\); replica1's last value was not stale$/);
  assert.match(x.fix, /within 2 scrape intervals of 1 election/);
});

test('more than 2 scrape intervals after the election: nothing', () => {
  // the election is at 78s; 2 x 5s later is 88s
  assert.equal(findings(staleOnReplica2(2, 85, 90), CODE).length, 1, 'the 87s scrape is within');
  assert.deepEqual(findings(staleOnReplica2(2, 90, 95), CODE), []);
});

test('when the old leader\'s last value was stale too: nothing', () => {
  assert.deepEqual(findings(staleOnReplica2(2, 80, 85, true), CODE), []);
});

test('stale markers that were deduplicated (before the failover) are not accepted ones', () => {
  assert.deepEqual(findings(staleOnReplica2(2, 40, 55), CODE), []);
});
