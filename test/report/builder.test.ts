// The report fold on small hand-made streams where the right answer is obvious (SPEC 9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTCOME_STATUS, type Outcome, type WriteRequest } from '../../src/model/index.js';
import type { RequestDecision } from '../../src/tracker/api.js';
import { scrapeInterval, type Report } from '../../src/report/index.js';
import { ReportBuilder } from './round1-builder.js';
import { TsLog } from '../../src/report/tslog.js';
import { createPrng } from '../../src/clock/prng.js';

const S = 1000;
const ctx = { config: null, inputs: [], clock: { source: 'sample', first_ms: 0, last_ms: 0, clock_regressions: 0 }, badRecords: [], badRecordCount: 0 };

/** One request from `replica` of cluster c1 with one sample per named series at `t` seconds. */
function send(b: ReportBuilder, replica: string, outcome: Outcome, t: number, names = ['up']): void {
  const write: WriteRequest = {
    timeseries: names.map((n) => ({
      labels: [
        { name: '__name__', value: n },
        { name: '__replica__', value: replica },
        { name: 'cluster', value: 'c1' },
      ],
      samples: [{ value: 1, timestamp: t * S }],
      exemplars: [],
      histograms: [],
    })),
    metadata: [],
  };
  const decision: RequestDecision = {
    outcome,
    replicaLabel: '__replica__',
    status: OUTCOME_STATUS[outcome],
    series: names.map(() => ({ outcome, cluster: 'c1', replica, stripReplica: outcome === 'accepted' })),
  };
  b.request('t1', write, decision, t * S);
}

function elect(b: ReportBuilder, t: number, from: string | null, to: string): void {
  b.election({ tenant: 't1', cluster: 'c1', atMs: t * S, from, to });
}

test('clean failover: the new leader is deduped for one scrape after the old one died', () => {
  const b = new ReportBuilder();
  const names = ['up', 'node_load1'];
  elect(b, 0, null, 'a');
  for (const t of [0, 10, 20, 30]) {
    send(b, 'a', 'accepted', t, names);
    send(b, 'b', 'deduped', t + 5, names);
  }
  send(b, 'b', 'deduped', 45, names); // a is dead, b not elected yet: lost
  elect(b, 55, 'a', 'b');
  send(b, 'b', 'accepted', 55, names);
  send(b, 'b', 'accepted', 65, names);
  const r: Report = b.finish(ctx);
  assert.equal(r.totals.lost_samples, 2); // one per series
  assert.equal(r.totals.elections, 2);
  assert.equal(r.elections.length, 2);
  const [first, second] = r.elections;
  assert.equal(first!.from, null);
  assert.equal(first!.gap_ms, null);
  assert.equal(first!.lost_samples, 0);
  assert.equal(second!.from, 'a');
  assert.equal(second!.to, 'b');
  assert.equal(second!.lost_samples, 2);
  assert.equal(second!.lost_scrapes, 1); // largest loss of any one series
  assert.equal(second!.gap_ms, 25 * S); // 55 - 30
  assert.equal(second!.previous_last_seen_ms, 30 * S);
  assert.equal(r.totals.max_gap_ms, 25 * S);
  assert.equal(r.totals.overlap_samples, 0);
  assert.equal(r.clusters[0]!.elected_replica, 'b');
  assert.equal(r.clusters[0]!.lost_samples, 2);
  assert.equal(r.clusters[0]!.series, 2);
  const [ra, rb] = r.clusters[0]!.replicas;
  assert.deepEqual([ra!.replica, ra!.accepted_samples, ra!.deduped_samples, ra!.requests], ['a', 8, 0, 4]);
  assert.deepEqual([rb!.replica, rb!.accepted_samples, rb!.deduped_samples, rb!.requests], ['b', 4, 10, 7]);
  assert.equal(r.totals.accepted_samples + r.totals.deduped_samples, r.totals.samples);
  assert.deepEqual(r.status_codes, { '200': 6, '202': 5, '400': 0 });
});

test('a flap shorter than the failover timeout loses nothing', () => {
  const b = new ReportBuilder();
  elect(b, 0, null, 'a');
  for (const t of [0, 10, 20, 40, 50]) send(b, 'a', 'accepted', t); // a misses the scrape at 30
  for (const t of [5, 15, 25, 35, 45, 55]) send(b, 'b', 'deduped', t);
  const r = b.finish(ctx);
  assert.equal(r.totals.lost_samples, 0);
  assert.equal(r.totals.elections, 1);
  assert.equal(r.totals.max_gap_ms, 20 * S); // 20 -> 40: the hole is visible as a gap
});

test('a lagging new leader produces overlap samples', () => {
  const b = new ReportBuilder();
  elect(b, 0, null, 'a');
  for (const t of [0, 10, 20, 30, 40]) send(b, 'a', 'accepted', t);
  elect(b, 41, 'a', 'b');
  for (const t of [25, 35, 45, 55]) send(b, 'b', 'accepted', t); // b's clock is behind
  const r = b.finish(ctx);
  assert.equal(r.totals.overlap_samples, 2); // 25 and 35 are not after 40
  assert.equal(r.totals.lost_samples, 0);
  assert.equal(r.elections[1]!.gap_ms, 25 * S - 40 * S); // negative: the leaders overlap
});

test('a retried batch is not counted twice', () => {
  const b = new ReportBuilder();
  elect(b, 0, null, 'a');
  for (const t of [0, 10, 20, 30]) send(b, 'a', 'accepted', t);
  send(b, 'a', 'accepted', 30); // accepted retry: an overlap, not a new sample time
  for (const t of [5, 15, 25, 35]) send(b, 'b', 'deduped', t);
  send(b, 'b', 'deduped', 45);
  send(b, 'b', 'deduped', 45); // deduped retry of a lost sample: still one lost sample
  send(b, 'b', 'deduped', 55);
  elect(b, 70, 'a', 'b');
  send(b, 'b', 'accepted', 65);
  const r = b.finish(ctx);
  assert.equal(r.totals.lost_samples, 2); // 45 and 55, once each
  assert.equal(r.elections[1]!.lost_samples, 2);
  assert.equal(r.elections[1]!.lost_scrapes, 2);
  assert.equal(r.totals.overlap_samples, 1);
  assert.equal(r.totals.deduped_samples, 7);
});

test('losses after the last accepted sample belong to no election; a series never accepted loses all', () => {
  const b = new ReportBuilder();
  elect(b, 0, null, 'a');
  for (const t of [0, 10]) send(b, 'a', 'accepted', t);
  for (const t of [5, 15, 25, 35]) send(b, 'b', 'deduped', t); // 25, 35 lost, a never comes back
  send(b, 'b', 'deduped', 40, ['only_b']); // no accepted twin and no interval: lost
  const r = b.finish(ctx);
  assert.equal(r.totals.lost_samples, 3);
  assert.equal(r.clusters[0]!.lost_samples, 3);
  // the first election's window is (-inf, first accepted from a) = (-inf, 0): none of these
  assert.equal(r.elections[0]!.lost_samples, 0);
});

test('scrape interval: median of distinct differences, mean of the middle two for an even count', () => {
  const scratch = new Float64Array(16);
  assert.equal(scrapeInterval(Float64Array.from([0, 10, 30]), 3, scratch), 15);
  assert.equal(scrapeInterval(Float64Array.from([30, 0, 10, 10, 20]), 5, scratch), 10);
  assert.equal(scrapeInterval(Float64Array.from([7, 7]), 2, scratch), Infinity);
  // against the definition on random series: mostly one step (a majority), some gaps, some jitter
  const prng = createPrng(4);
  const rnd = (n: number) => Math.floor(prng.next() * n);
  const big = new Float64Array(256);
  for (let k = 0; k < 3000; k++) {
    const n = 2 + rnd(40);
    const ts = new Float64Array(n);
    let t = rnd(1000);
    const regular = 1 + rnd(3) * 5;
    for (let i = 0; i < n; i++) {
      ts[i] = t;
      t += rnd(4) === 0 ? rnd(30) : regular;
    }
    if (rnd(2) === 0) ts.reverse();
    const distinct = [...new Set(ts)].sort((a, b) => a - b);
    const diffs = distinct.slice(1).map((x, i) => x - distinct[i]!).sort((a, b) => a - b);
    const d = diffs.length;
    const want = d === 0 ? Infinity : d % 2 === 1 ? diffs[(d - 1) / 2]! : (diffs[d / 2 - 1]! + diffs[d / 2]!) / 2;
    assert.equal(scrapeInterval(ts, n, big), want, `series ${k}: ${[...ts].join(',')}`);
  }
});

test('interval is the smallest over replicas; half of it decides whether a sample is lost', () => {
  const b = new ReportBuilder();
  elect(b, 0, null, 'a');
  for (const t of [0, 20, 40, 60]) send(b, 'a', 'accepted', t); // a every 20s
  for (const t of [6, 16, 26, 36]) send(b, 'b', 'deduped', t); // b every 10s: interval 10, half 5
  const r = b.finish(ctx);
  // 6 (0 is 6 away), 16 (20 is 4 away: kept), 26 (6 away), 36 (4 away: kept)
  assert.equal(r.totals.lost_samples, 2);
});

test('TsLog round-trips timestamps and kinds, with runs, negative steps and large values', () => {
  const log = new TsLog();
  const ts: number[] = [];
  const kinds: number[] = [];
  let t = 1_795_978_523_123;
  for (let i = 0; i < 1000; i++) {
    t += i % 97 === 0 ? -15_000 : 5000;
    const k = i % 300 < 150 ? 0 : 1;
    ts.push(t);
    kinds.push(k);
    log.append(t, k);
  }
  const outT = new Float64Array(1000);
  const outK = new Uint8Array(1000);
  assert.equal(log.decode(outT, outK), 1000);
  assert.deepEqual([...outT], ts);
  assert.deepEqual([...outK], kinds);
  assert.ok(log.byteLength < 512, `regular timestamps should compress, got ${log.byteLength} bytes`);
});

test('memory does not grow with samples: 2 million samples of 200 series fit in a few kilobytes of logs', () => {
  const b = new ReportBuilder();
  b.election({ tenant: 't1', cluster: 'c1', atMs: 0, from: null, to: 'a' });
  const names = Array.from({ length: 100 }, (_, i) => `m${i}`);
  // one decoded labels array per series, shared across requests, as the decoders do
  const labels = (replica: string) =>
    names.map((n) => [
      { name: '__name__', value: n },
      { name: '__replica__', value: replica },
      { name: 'cluster', value: 'c1' },
    ]);
  const la = labels('a');
  const lb = labels('b');
  const dec = (outcome: 'accepted' | 'deduped', replica: string): RequestDecision => ({
    outcome,
    replicaLabel: '__replica__',
    status: outcome === 'accepted' ? 200 : 202,
    series: names.map(() => ({ outcome, cluster: 'c1', replica, stripReplica: outcome === 'accepted' })),
  });
  const da = dec('accepted', 'a');
  const db = dec('deduped', 'b');
  const t0 = 1_700_000_000_000;
  for (let k = 0; k < 10_000; k++) {
    const ta = t0 + k * 15_000;
    const mk = (ls: typeof la, t: number): WriteRequest => ({
      metadata: [],
      timeseries: ls.map((l) => ({ labels: l, samples: [{ value: k, timestamp: t }], exemplars: [], histograms: [] })),
    });
    b.request('t1', mk(la, ta), da, ta);
    b.request('t1', mk(lb, ta + 700), db, ta + 700);
  }
  const f = b.footprint();
  assert.equal(f.series, 100);
  assert.equal(f.logs, 200);
  assert.ok(f.logBytes <= 200 * 64, `log bytes ${f.logBytes}`);
  const r = b.finish(ctx);
  assert.equal(r.totals.samples, 2_000_000);
  assert.equal(r.totals.lost_samples, 0);
  assert.equal(r.totals.max_gap_ms, 15_000);
});
