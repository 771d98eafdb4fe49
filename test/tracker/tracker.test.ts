// Unit tests of the tracker around the decision models: per-request vs per-sample labels,
// outcomes and statuses, jitter draws, resumed state, and the simulated schedule.
import { test } from 'node:test';
import { emptyHistogram } from '../../src/wire/prompb.js';
import assert from 'node:assert/strict';
import type { Semantics } from '../../src/model/index.js';
import { createTracker, defaultHAConfig, tenantConfigs, META, type HATracker, type TenantConfigs } from '../../src/tracker/index.js';
import { newMemoryBacking, openMemoryStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import { configsFrom, fixedRandom, request, series, START_MS } from './helpers.js';

const MODELS: Semantics[] = ['cortex', 'mimir'];
const noJitter = (): TenantConfigs => tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 });

function tracker(semantics: Semantics, configs: TenantConfigs = noJitter()): HATracker {
  return createTracker({ semantics, configs, store: openMemoryStore(), random: createPrng(1), commitEvery: 0 });
}

const ha = (cluster: string, replica: string, extra: Record<string, string> = {}) => ({ __name__: 'up', ...extra, cluster, __replica__: replica });

for (const model of MODELS) {
  test(`per request: the first series decides for all, and the replica label goes from every series [${model}]`, () => {
    const t = tracker(model);
    t.advance(START_MS);
    const d = t.decide('t', request(series(ha('c', 'r1'), START_MS), series({ __name__: 'other' }, START_MS), series(ha('c', 'r2'), START_MS)), START_MS);
    assert.equal(d.outcome, 'accepted');
    assert.equal(d.status, 200);
    assert.equal(d.replicaLabel, '__replica__');
    assert.deepEqual(
      d.series.map((s) => [s.outcome, s.cluster, s.replica, s.stripReplica]),
      [
        ['accepted', 'c', 'r1', true],
        ['accepted', 'c', 'r1', true],
        ['accepted', 'c', 'r1', true],
      ],
    );
    const dd = t.decide('t', request(series(ha('c', 'r2'), START_MS), series(ha('c', 'r1'), START_MS)), START_MS);
    assert.equal(dd.outcome, 'deduped');
    assert.equal(dd.status, 202);
    assert.equal(dd.message, 'replicas did not match, rejecting sample: replica=r2, elected=r1');
    assert.ok(dd.series.every((s) => s.outcome === 'deduped' && !s.stripReplica));
  });

  test(`per request: a first series without both labels makes the whole request non-HA, labels untouched [${model}]`, () => {
    const t = tracker(model);
    t.advance(START_MS);
    const d = t.decide('t', request(series({ __name__: 'up', __replica__: 'r1' }, START_MS), series(ha('c', 'r1'), START_MS)), START_MS);
    assert.equal(d.outcome, 'non_ha');
    assert.equal(d.status, 200);
    assert.ok(d.series.every((s) => s.outcome === 'non_ha' && !s.stripReplica));
    assert.deepEqual(t.records(), []);
  });

  test(`per sample: each series is decided on its own labels [${model}]`, () => {
    const configs = tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0, perSample: true, maxClusters: 2 });
    const t = tracker(model, configs);
    t.advance(START_MS);
    const d = t.decide(
      't',
      request(
        series(ha('c1', 'r1'), START_MS),
        series(ha('c1', 'r2'), START_MS),
        series({ __name__: 'plain' }, START_MS),
        series(ha('c2', 'r2'), START_MS),
        series(ha('c1', 'r1', { x: '1' }), START_MS),
        series(ha('c3', 'r1'), START_MS),
        series({ __name__: 'x', cluster: 'c9' }, START_MS),
      ),
      START_MS,
    );
    assert.deepEqual(
      d.series.map((s) => `${s.outcome}:${s.cluster}:${s.replica}:${s.stripReplica}`),
      ['accepted:c1:r1:true', 'deduped:c1:r2:false', 'non_ha:null:null:false', 'accepted:c2:r2:true', 'accepted:c1:r1:true', 'rejected_too_many_clusters:c3:r1:false', 'non_ha:null:null:false'],
    );
    assert.equal(d.outcome, 'accepted'); // the first series' outcome
    assert.equal(d.status, 400); // a rejection outranks a dedupe
    assert.equal(d.message, 'too many HA clusters (limit: 2)');
    assert.deepEqual(t.drainElections().map((e) => `${e.cluster}:${e.to}`), ['c1:r1', 'c2:r2']);
  });

  test(`metadata only passes through; a tenant with HA off passes through [${model}]`, () => {
    const configs = configsFrom({ ha_tracker_update_timeout_jitter_max: '0s' }, { off: { accept_ha_samples: false } });
    const t = tracker(model, configs);
    t.advance(START_MS);
    const m = t.decide('t', { timeseries: [], metadata: [{ type: 'counter', metricFamilyName: 'x_total', help: 'h', unit: '' }] }, START_MS);
    assert.deepEqual([m.outcome, m.series.length, m.status], ['passthrough', 0, 200]);
    const off = t.decide('off', request(series(ha('c', 'r1'), START_MS), series(ha('c', 'r2'), START_MS)), START_MS);
    assert.deepEqual(off.series.map((s) => s.outcome), ['passthrough', 'passthrough']);
    assert.ok(off.series.every((s) => !s.stripReplica));
    assert.deepEqual(t.records(), []);
  });

  test(`a replica label with no cluster label keeps its replica label [${model}]`, () => {
    const t = tracker(model, tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0, perSample: true }));
    t.advance(START_MS);
    const d = t.decide('t', request(series({ __name__: 'up', __replica__: 'r1' }, START_MS)), START_MS);
    assert.deepEqual(d.series[0], { outcome: 'non_ha', cluster: null, replica: null, stripReplica: false });
  });

  test(`the same seed gives the same run; the generator state is saved and restored [${model}]`, () => {
    const configs = tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 5000 });
    const run = (seed: number) => {
      const backing = newMemoryBacking();
      const t = createTracker({ semantics: model, configs, store: openMemoryStore(backing), random: createPrng(seed), commitEvery: 0 });
      const out: string[] = [];
      for (let i = 0; i < 400; i++) {
        const now = START_MS + i * 1700;
        const replica = Math.floor(i / 60) % 2 === 0 ? 'a' : 'b';
        t.advance(now);
        out.push(t.decide('t', request(series(ha('c', replica), now)), now).outcome);
        if (i % 60 < 5) out.push(t.decide('t', request(series(ha('c', replica === 'a' ? 'b' : 'a'), now)), now).outcome);
      }
      t.flush();
      return { out: out.join(','), elections: t.drainElections(), backing };
    };
    const a = run(1);
    const b = run(1);
    assert.equal(a.out, b.out);
    assert.deepEqual(a.elections, b.elections);
    assert.ok(a.elections.length >= 4);
    assert.match(a.backing.meta.get(META.prng)!, /^[0-9a-f]{32}$/);
    assert.equal(a.backing.meta.get(META.semantics), model);
  });
}

test('cortex draws its jitter once per run; mimir once per tenant per pass', () => {
  const configs = tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 4000, updateTimeoutMs: 10_000, failoverTimeoutMs: 15_000 });
  let draws = 0;
  const counting = () => {
    const f = fixedRandom([0.75, 0.1, 0.9]);
    return { ...f, next: () => (draws++, f.next()) };
  };
  draws = 0;
  const c = createTracker({ semantics: 'cortex', configs, store: openMemoryStore(), random: counting(), commitEvery: 0 });
  for (let i = 0; i < 10; i++) {
    const now = START_MS + i * 10_000;
    c.advance(now);
    c.decide('t1', request(series(ha('c', 'r1'), now)), now);
    c.decide('t2', request(series(ha('c', 'r1'), now)), now);
  }
  assert.equal(draws, 1);
  draws = 0;
  const m = createTracker({ semantics: 'mimir', configs, store: openMemoryStore(), random: counting(), commitEvery: 0 });
  for (let i = 0; i <= 10; i++) {
    const now = START_MS + i * 10_000;
    m.advance(now);
    m.decide('t1', request(series(ha('c', 'r1'), now)), now);
    m.decide('t2', request(series(ha('c', 'r1'), now)), now);
  }
  // Passes at +10s ... +100s, each drawing for t1 and for t2.
  assert.equal(draws, 20);
});

test('a resumed store with the other semantics is refused with a clear state error', () => {
  const backing = newMemoryBacking();
  const t = createTracker({ semantics: 'cortex', configs: noJitter(), store: openMemoryStore(backing), random: createPrng(1) });
  t.advance(START_MS);
  t.decide('t', request(series(ha('c', 'r1'), START_MS)), START_MS);
  t.flush();
  assert.throws(
    () => createTracker({ semantics: 'mimir', configs: noJitter(), store: openMemoryStore(backing), random: createPrng(1) }),
    (err: Error & { exitCode?: number }) => err.exitCode === 4 && /holds cortex tracker state and cannot be resumed with --semantics mimir/.test(err.message),
  );
});

test('commits happen every commitEvery requests, and flush() commits the rest', () => {
  const backing = newMemoryBacking();
  const t = createTracker({ semantics: 'cortex', configs: noJitter(), store: openMemoryStore(backing), random: createPrng(1), commitEvery: 3 });
  t.advance(START_MS);
  for (let i = 0; i < 2; i++) t.decide('t', request(series(ha(`c${i}`, 'r1'), START_MS)), START_MS);
  assert.equal(backing.records.size, 0);
  t.decide('t', request(series(ha('c2', 'r1'), START_MS)), START_MS);
  assert.equal(backing.records.size, 3);
  t.decide('t', request(series(ha('c3', 'r1'), START_MS)), START_MS);
  assert.equal(backing.records.size, 3);
  t.flush();
  assert.equal(backing.records.size, 4);
  assert.equal(backing.elections.length, 4);
});

test('mimir: the earliest sample time (first sample or histogram of each series) drives the sample failover timeout', () => {
  const configs = configsFrom({
    ha_tracker_update_timeout: '15s',
    ha_tracker_update_timeout_jitter_max: '0s',
    ha_tracker_failover_timeout: '30s',
    ha_tracker_sample_failover_timeout: '30s',
  });
  const t = createTracker({ semantics: 'mimir', configs, store: openMemoryStore(), random: createPrng(1), commitEvery: 0 });
  t.advance(START_MS);
  t.decide('t', request(series(ha('c', 'r1'), START_MS)), START_MS);
  const at = START_MS + 50_000;
  t.advance(at);
  // One series with fresh samples, one whose histogram is older: the histogram's time counts.
  const s1 = series(ha('c', 'r2'), at - 1000);
  const s2 = series(ha('c', 'r2', { le: 'x' }), at - 1000);
  s2.histograms.push({ ...emptyHistogram(), timestamp: START_MS + 10_000 });
  t.decide('t', request(s1, s2), at);
  assert.equal(t.memory('t', 'c')!.nonElectedSampleTimeMs, START_MS + 10_000);
  t.advance(START_MS + 60_000);
  assert.equal(t.record('t', 'c')!.replica, 'r1', 'samples only 10s after received_at: no failover');
});


// Without skipping idle ticks a year of 1s passes would be ~31M iterations; the timeout is a hang
// guard for that, not a performance assertion (performance is measured by npm run bench).
test('a long silence skips idle ticks and still cleans up', { timeout: 120_000 }, () => {
  const t = tracker('mimir', tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0, updateTimeoutMs: 1000, failoverTimeoutMs: 2000 }));
  t.advance(START_MS);
  t.decide('t', request(series(ha('c', 'r1'), START_MS)), START_MS);
  const later = START_MS + 365 * 24 * 3600_000;
  t.advance(later);
  assert.equal(t.record('t', 'c'), undefined, 'marked and then removed by the cleanups');
  assert.equal(t.decide('t', request(series(ha('c', 'r2'), later)), later).outcome, 'accepted');
});

test('the KV record is written only when the real KV would be', () => {
  const count = (semantics: Semantics) => {
    const store = openMemoryStore();
    const writes: string[] = [];
    const put = store.putRecord.bind(store);
    store.putRecord = (d) => {
      writes.push(`${(d.receivedAt - START_MS) / 1000}`);
      put(d);
    };
    const t = createTracker({ semantics, configs: noJitter(), store, random: createPrng(1), commitEvery: 0 });
    // replica a every 5s from 0s to 60s (plus a request every 1s from b, always deduped)
    for (let s = 0; s <= 60; s++) {
      const now = START_MS + s * 1000 + 100;
      t.advance(now);
      if (s % 5 === 0) assert.equal(t.decide('t', request(series(ha('c', 'a'), now)), now).outcome, 'accepted');
      assert.equal(t.decide('t', request(series(ha('c', 'b'), now)), now).outcome, 'deduped');
    }
    return writes;
  };
  // Cortex: a write when the record is 15s old and a accepted again: at 0, 15, 30, 45, 60 (+100ms).
  assert.deepEqual(count('cortex'), ['0.1', '15.1', '30.1', '45.1', '60.1']);
  // Mimir: the in-band creation, then the passes (every 15s after the first request) write a's
  // last-seen time once the record is 15s old.
  assert.deepEqual(count('mimir'), ['0.1', '10.1', '25.1', '40.1', '55.1']);
});

test('mimir needs an update timeout above zero (its pass period); cortex accepts zero', () => {
  const zero = tenantConfigs({ ...defaultHAConfig(), updateTimeoutMs: 0, updateTimeoutJitterMaxMs: 0 });
  assert.throws(() => tracker('mimir', zero), (err: Error & { exitCode?: number }) => err.exitCode === 2 && /--update-timeout must be greater than 0 with --semantics mimir/.test(err.message));
  const c = tracker('cortex', zero);
  c.advance(START_MS);
  assert.equal(c.decide('t', request(series(ha('c', 'r1'), START_MS)), START_MS).outcome, 'accepted');
});
