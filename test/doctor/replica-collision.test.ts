// replica-collision (SPEC 12.1): within one pair, two different values at one timestamp, or at
// least 1% (and at least 100) of the pair's samples older than their series' latest from the
// pair; byte-identical resends never count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, merge, T0, targetSeries } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'replica-collision';
const LABELS = (n: number) => targetSeries(n, { cluster: 'c1', __replica__: 'r1' });

/** One request at `at` with one sample per series at `t`, value `v(s)`. */
function req(at: number, t: number, n: number, v: (s: number) => number = (s) => s): RequestSpec {
  return { at, tenant: 't1', series: LABELS(n).map((labels, s) => ({ labels, samples: [[t, v(s)]] })) };
}

test('two senders with one replica value: a second value at a timestamp already sent', () => {
  const f = findings([req(T0 + 500, T0, 5), req(T0 + 600, T0, 5, (s) => s + 0.5), req(T0 + 5500, T0 + 5000, 5)], CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['error', 't1', 'c1', 'r1', 5]);
  assert.match(x.fix, /5 samples got a second, different value/);
  assert.match(x.fix, /`global\.external_labels: \{__replica__: <pod or host name>\}`/);
  assert.match(x.examples[0]!.note, /value 0 at \d+, then 0\.5 at the same timestamp/);
});

/** Sender A scrapes at j*10s, sender B (same labels) at j*10s - 3s, arriving just after A. */
function interleaved(series: number, scrapes: number, backScrapes: number): RequestSpec[] {
  const a: RequestSpec[] = [];
  const b: RequestSpec[] = [];
  for (let j = 1; j <= scrapes; j++) {
    a.push(req(T0 + j * 10_000 + 100, T0 + j * 10_000, series));
    if (j <= backScrapes) b.push(req(T0 + j * 10_000 + 200, T0 + j * 10_000 - 3000, series));
  }
  return merge(a, b);
}

test('samples going back in time: 100 of 10,000 (1%) is found, 99 is not, 100 of 10,100 (< 1%) is not', () => {
  // 100 series: B's one request holds 100 samples older than A's latest
  const found = findings(interleaved(100, 99, 1), CODE); // 99*100 + 100 = 10,000 samples, 100 back
  assert.equal(found.length, 1);
  assert.equal(found[0]!.count, 100);
  assert.match(found[0]!.fix, /100 of the pair's 10,000 samples \(1\.00%\) went back in time/);
  assert.match(found[0]!.examples[0]!.note, /3\.000s older than this series' latest/);
  assert.deepEqual(findings(interleaved(99, 99, 1), CODE), [], '99 samples back in time');
  assert.deepEqual(findings(interleaved(100, 100, 1), CODE), [], '100 of 10,100');
});

test('byte-identical resends never count: a request sent again, and a batch of 3 samples per series sent again', () => {
  const batch = (at: number) => ({
    at,
    tenant: 't1',
    series: LABELS(200).map((labels, s) => ({ labels, samples: [[T0, s], [T0 + 1000, s + 1], [T0 + 2000, s + 2]] as [number, number][] })),
  });
  assert.deepEqual(findings([batch(T0 + 2500), batch(T0 + 9000), batch(T0 + 12000)], CODE), []);
  const once = req(T0 + 500, T0, 300);
  assert.deepEqual(findings([once, { ...once, at: T0 + 800 }, req(T0 + 5500, T0 + 5000, 300), { ...req(T0 + 5500, T0 + 5000, 300), at: T0 + 5600 }], CODE), []);
});

test('the limit: an older batch sent again after a newer one counts as going back in time', () => {
  const once = req(T0 + 500, T0, 300);
  const f = findings([once, req(T0 + 5500, T0 + 5000, 300), { ...once, at: T0 + 5600 }], CODE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.count, 300);
});

test('one sender per pair: nothing', () => {
  assert.deepEqual(findings(interleaved(100, 99, 0), CODE), []);
});
