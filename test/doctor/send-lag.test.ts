// send-lag (SPEC 12.1): per replica, p99 of (received time - newest sample time of the request)
// greater than F - U (30s - 15s by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, pairStream } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'send-lag';

/** 100 requests per replica; replica2's lag is `lag(k)` for its k-th request, replica1's 1s. */
function lagged(lag: (k: number) => number): RequestSpec[] {
  let k = 0;
  return pairStream({ scrapes: 100, lag: 1000 })
    .map((r) => {
      if (r.series[0]!.labels.__replica__ !== 'replica2') return r;
      return { ...r, at: r.series[0]!.samples[0]![0] + lag(k++) };
    })
    .sort((a, b) => a.at! - b.at!);
}

test('p99 over F - U: found for that replica, with p50 / p99 / max and both fixes', () => {
  const f = findings(lagged(() => 16_000), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['warn', 't1', 'c1', 'replica2', 100]);
  assert.match(x.fix, /over 100 requests: p50 16\.000s, p99 16\.000s, max 16\.000s; 100 over failover timeout - update timeout = 15\.000s/);
  assert.match(x.fix, /batch_send_deadline/);
  assert.match(x.fix, /`ha_tracker_failover_timeout: 32s`/);
  assert.match(x.examples[0]!.note, /^received 16\.000s after its newest sample/);
});

test('exactly F - U is not over it', () => {
  assert.deepEqual(findings(lagged(() => 15_000), CODE), []);
});

test('p99 by nearest rank: 1 slow request in 100 is not p99, 2 are', () => {
  assert.deepEqual(findings(lagged((k) => (k === 50 ? 60_000 : 1000)), CODE), []);
  const f = findings(lagged((k) => (k === 50 || k === 51 ? 60_000 : 1000)), CODE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.count, 2);
  assert.match(f[0]!.fix, /p50 1\.000s, p99 1m00\.000s, max 1m00\.000s/);
});

test('without receive times there is no lag to measure', () => {
  assert.deepEqual(findings(lagged(() => 16_000).map((r) => ({ ...r, at: null })), CODE), []);
});
