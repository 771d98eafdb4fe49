// The timeline consumer on hand-made request events: binning by outcome per (tenant, cluster,
// replica), traffic outside HA per tenant, and memory bounded by lanes x bins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTCOME_ACCEPTED, OUTCOME_DEDUPED, OUTCOME_NON_HA, OUTCOME_PASSTHROUGH, OUTCOME_REJECTED } from '../../src/model/index.js';
import { TIMELINE_MAX_BINS, TIMELINE_SLOTS, TimelineConsumer, laneCount, slotOf, type Timeline, type TimelineLane } from '../../src/report/timeline.js';
import { decoded, ha, requestAt } from './timeline-events.js';

function lane(tl: Timeline, cluster: string, replica: string): TimelineLane {
  const l = tl.lanes.find((x) => x.cluster === cluster && x.replica === replica);
  assert.ok(l, `lane ${cluster}/${replica}`);
  return l;
}

/** Sum of one counter over every bin of a lane. */
function total(l: TimelineLane, outcome: number, what: 'requests' | 'samples'): number {
  let s = 0;
  for (let b = 0; b < l.bins; b++) s += laneCount(l, b, slotOf(outcome, what));
  return s;
}

test('requests are binned by now per replica lane, by outcome, with their samples', () => {
  const c = new TimelineConsumer();
  c.request(requestAt(1000, [ha('c1', 'a', 3), ha('c1', 'a', 2)], 'accepted'));
  c.request(requestAt(1005, [ha('c1', 'b', 4)], 'deduped'));
  c.request(requestAt(1010, [ha('c1', 'a', 1)], 'accepted'));
  c.request(requestAt(1010, [ha('c2', 'x', 7)], 'rejected_too_many_clusters'));
  const tl = c.finish();
  assert.equal(tl.originMs, 1000);
  assert.equal(tl.binMs, 1);
  assert.deepEqual(tl.lanes.map((l) => `${l.tenant}/${l.cluster}/${l.replica}`), ['t1/c1/a', 't1/c1/b', 't1/c2/x']);
  const a = lane(tl, 'c1', 'a');
  assert.equal(a.bins, 11);
  assert.equal(laneCount(a, 0, slotOf(OUTCOME_ACCEPTED, 'requests')), 1); // one request, two series
  assert.equal(laneCount(a, 0, slotOf(OUTCOME_ACCEPTED, 'samples')), 5);
  assert.equal(laneCount(a, 10, slotOf(OUTCOME_ACCEPTED, 'requests')), 1);
  assert.equal(laneCount(a, 5, slotOf(OUTCOME_ACCEPTED, 'requests')), 0);
  const b = lane(tl, 'c1', 'b');
  assert.equal(laneCount(b, 5, slotOf(OUTCOME_DEDUPED, 'requests')), 1);
  assert.equal(laneCount(b, 5, slotOf(OUTCOME_DEDUPED, 'samples')), 4);
  assert.equal(laneCount(b, 5, slotOf(OUTCOME_ACCEPTED, 'requests')), 0);
  const x = lane(tl, 'c2', 'x');
  assert.equal(laneCount(x, 10, slotOf(OUTCOME_REJECTED, 'samples')), 7);
  assert.equal(tl.tenants.length, 0);
});

test('per-sample decisions: each series counts in its own lane; a request once per lane and outcome', () => {
  const c = new TimelineConsumer();
  c.request(requestAt(0, [ha('c1', 'a', 2), ha('c1', 'b', 3), ha('c1', 'a', 1), ha('c1', 'a', 4)], ['accepted', 'deduped', 'accepted', 'deduped']));
  const tl = c.finish();
  const a = lane(tl, 'c1', 'a');
  const b = lane(tl, 'c1', 'b');
  assert.equal(laneCount(a, 0, slotOf(OUTCOME_ACCEPTED, 'requests')), 1);
  assert.equal(laneCount(a, 0, slotOf(OUTCOME_ACCEPTED, 'samples')), 3);
  assert.equal(laneCount(a, 0, slotOf(OUTCOME_DEDUPED, 'requests')), 1);
  assert.equal(laneCount(a, 0, slotOf(OUTCOME_DEDUPED, 'samples')), 4);
  assert.equal(laneCount(b, 0, slotOf(OUTCOME_DEDUPED, 'requests')), 1);
  assert.equal(laneCount(b, 0, slotOf(OUTCOME_DEDUPED, 'samples')), 3);
});

test('traffic outside HA is summarised in one lane per tenant (non-HA series, passthrough, metadata only)', () => {
  const c = new TimelineConsumer();
  c.request(requestAt(0, [{ labels: { __name__: 'up', cluster: 'c1' }, ts: [1, 2] }], 'non_ha', 'tb'));
  c.request(requestAt(3, [{ labels: { __name__: 'up' }, ts: [1] }], 'passthrough', 'ta'));
  const meta = requestAt(4, [], 'passthrough', 'ta');
  c.request({ ...meta, request: decoded([]) });
  // per sample, a request mixing HA and non-HA series: each series counts where its pair says
  c.request(requestAt(5, [ha('c1', 'a', 1), { labels: { __name__: 'x' }, ts: [1, 2, 3] }], ['accepted', 'non_ha'], 'ta'));
  const tl = c.finish();
  assert.deepEqual(tl.tenants.map((l) => l.tenant), ['ta', 'tb']);
  const ta = tl.tenants[0]!;
  assert.equal(ta.cluster, null);
  assert.equal(total(ta, OUTCOME_PASSTHROUGH, 'requests'), 2);
  assert.equal(total(ta, OUTCOME_PASSTHROUGH, 'samples'), 1);
  assert.equal(total(ta, OUTCOME_NON_HA, 'samples'), 3);
  assert.equal(total(tl.tenants[1]!, OUTCOME_NON_HA, 'samples'), 2);
  assert.equal(total(tl.tenants[1]!, OUTCOME_NON_HA, 'requests'), 1);
  assert.equal(tl.lanes.length, 1);
});

test('events without a decision (a lane without tracker) are not drawn', () => {
  const c = new TimelineConsumer();
  c.request({ ...requestAt(0, [ha('c1', 'a')], 'accepted'), decision: null });
  const tl = c.finish();
  assert.equal(tl.originMs, null);
  assert.equal(tl.lanes.length + tl.tenants.length, 0);
});

test('a long run keeps at most TIMELINE_MAX_BINS bins per lane, and every count', () => {
  const c = new TimelineConsumer();
  const day = 86_400_000;
  const n = 50_000;
  let samples = 0;
  for (let i = 0; i < n; i++) {
    const t = 1_700_000_000_000 + Math.floor((i * day) / n);
    c.request(requestAt(t, [ha('c1', i % 2 === 0 ? 'a' : 'b', 1 + (i % 3))], i % 2 === 0 ? 'accepted' : 'deduped'));
    samples += 1 + (i % 3);
  }
  const tl = c.finish();
  assert.ok(tl.binMs >= day / TIMELINE_MAX_BINS && tl.binMs < (2 * day) / TIMELINE_MAX_BINS, `bin ${tl.binMs} ms`);
  assert.equal(Math.log2(tl.binMs) % 1, 0, 'a power of two');
  for (const l of tl.lanes) assert.ok(l.bins <= TIMELINE_MAX_BINS && l.bins > TIMELINE_MAX_BINS / 2, `${l.replica}: ${l.bins} bins`);
  const a = lane(tl, 'c1', 'a');
  const b = lane(tl, 'c1', 'b');
  assert.equal(total(a, OUTCOME_ACCEPTED, 'requests') + total(b, OUTCOME_DEDUPED, 'requests'), n);
  assert.equal(total(a, OUTCOME_ACCEPTED, 'samples') + total(b, OUTCOME_DEDUPED, 'samples'), samples);
  // each request is in the bin of its time on the final grid
  const probe = new TimelineConsumer();
  const times = [0, 1, 7, 999, 1234567, 86_399_999].map((d) => 1_700_000_000_000 + d);
  for (const t of times) probe.request(requestAt(t, [ha('c1', 'a')], 'accepted'));
  const p = probe.finish();
  const pa = lane(p, 'c1', 'a');
  for (const t of times) {
    const bin = Math.floor((t - p.originMs!) / p.binMs);
    assert.ok(laneCount(pa, bin, slotOf(OUTCOME_ACCEPTED, 'requests')) >= 1, `request at +${t - p.originMs!} in bin ${bin}`);
  }
  assert.equal(total(pa, OUTCOME_ACCEPTED, 'requests'), times.length);
});

test('memory is bounded by lanes x bins, not by requests', () => {
  const run = (n: number) => {
    const c = new TimelineConsumer();
    for (let i = 0; i < n; i++) c.request(requestAt(i * 997, [ha('c1', 'a'), ha('c1', 'b')], ['accepted', 'deduped']));
    return c.footprint();
  };
  const small = run(20_000);
  const large = run(200_000);
  assert.equal(small.lanes, 2);
  assert.equal(large.bytes, small.bytes);
  assert.ok(large.bytes <= 2 * TIMELINE_MAX_BINS * TIMELINE_SLOTS * 8);
});

test('a metadata-only request that opens its tenant lane is counted', () => {
  const c = new TimelineConsumer();
  for (let i = 0; i < 3; i++) c.request({ ...requestAt(i * 100, [], 'passthrough', 'tm'), request: decoded([]) });
  assert.equal(total(c.finish().tenants[0]!, OUTCOME_PASSTHROUGH, 'requests'), 3);
});

test('histogram samples count like floats, per series run', () => {
  const c = new TimelineConsumer();
  c.request(
    requestAt(0, [{ ...ha('c1', 'a', 2), hist: 3 }, { ...ha('c1', 'a', 0), hist: 4 }, { ...ha('c1', 'b', 1), hist: 5 }, ha('c1', 'a', 1)], ['accepted', 'accepted', 'deduped', 'accepted']),
  );
  const tl = c.finish();
  assert.equal(total(lane(tl, 'c1', 'a'), OUTCOME_ACCEPTED, 'samples'), 2 + 3 + 4 + 1);
  assert.equal(total(lane(tl, 'c1', 'a'), OUTCOME_ACCEPTED, 'requests'), 1);
  assert.equal(total(lane(tl, 'c1', 'b'), OUTCOME_DEDUPED, 'samples'), 6);
});
