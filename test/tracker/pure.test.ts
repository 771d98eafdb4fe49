// The pure tracker (issue 15.4): decide() and advance() return the decision and the state
// changes as ops, and nothing is written anywhere unless the caller writes them; a tracker
// restored from what the ops built continues exactly; and a third decision model is one class
// implementing DecisionModel, run by the same tracker (cleanups, strategies, persistence).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HAConfig, Semantics, StateOp } from '../../src/model/index.js';
import {
  CHECK_ACCEPT,
  CHECK_DEDUPE,
  CHECK_REJECT,
  createPureTracker,
  createTracker,
  defaultHAConfig,
  tenantConfigs,
  type CheckCode,
  type DecisionModel,
  type ModelContext,
  type TenantState,
} from '../../src/tracker/index.js';
import { newMemoryBacking, openMemoryStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import { synthRequest } from '../store/synthetic.js';
import { request, series, START_MS } from './helpers.js';

const configs = tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 3000 });

for (const semantics of ['cortex', 'mimir'] as const) {
  test(`the pure tracker's ops, written and committed by the caller, build the store the synchronous wrapper builds; a tracker restored from them continues exactly [${semantics}]`, () => {
    const N = 3000;
    // Reference: round 1's one object, tracker and store together.
    const refBacking = newMemoryBacking();
    const ref = createTracker({ semantics, configs, store: openMemoryStore(refBacking), random: createPrng(5), commitEvery: 250 });
    const refOut: string[] = [];
    for (let i = 0; i < N; i++) {
      const { now, tenant, write } = synthRequest(i);
      ref.advance(now);
      refOut.push(ref.decide(tenant, write, now).outcome);
    }
    ref.flush();

    // The pure tracker: no store at all; the test is the pipeline, and switches trackers half way.
    const backing = newMemoryBacking();
    const store = openMemoryStore(backing);
    let pure = createPureTracker({ semantics, configs, random: createPrng(5), state: store.load() });
    const out: string[] = [];
    let ops = 0;
    const apply = (list: readonly StateOp[]) => {
      ops += list.length;
      store.write(list);
    };
    for (let i = 0; i < N; i++) {
      if (i === N / 2) {
        apply(pure.checkpoint());
        store.commit();
        pure = createPureTracker({ semantics, configs, random: createPrng(999), state: openMemoryStore(backing).load() });
      }
      const { now, tenant, write } = synthRequest(i);
      const adv = pure.advance(now);
      apply(adv.ops);
      const d = pure.decide(tenant, write, now);
      for (const e of d.elections) assert.ok(d.ops.some((o) => o.op === 'append-election' && o.election === e));
      apply(d.ops);
      out.push(d.decision.outcome);
      if ((i + 1) % 250 === 0) {
        apply(pure.checkpoint());
        store.commit();
      }
    }
    apply(pure.checkpoint());
    store.commit();
    assert.equal(out.join(), refOut.join());
    assert.ok(ops > 100);
    const strip = (m: Map<string, string>) => new Map([...m].filter(([k]) => !k.startsWith('tracker.mimir_jitter_ms.')));
    assert.deepEqual([...backing.records.values()], [...refBacking.records.values()]);
    assert.deepEqual([...backing.memory.values()], [...refBacking.memory.values()]);
    assert.deepEqual(backing.elections, refBacking.elections);
    assert.deepEqual(strip(backing.meta), strip(refBacking.meta));
    assert.ok(refBacking.elections.length >= 4);
  });

  test(`decide() changes nothing outside the tracker: its ops are data, and a dedupe writes none [${semantics}]`, () => {
    const t = createPureTracker({ semantics, configs: tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 }), random: createPrng(1) });
    t.advance(START_MS);
    const first = t.decide('t', request(series({ __name__: 'up', cluster: 'c', __replica__: 'a' }, START_MS)), START_MS);
    assert.equal(first.decision.outcome, 'accepted');
    assert.deepEqual(
      first.ops.map((o) => o.op),
      ['append-election', 'put-record'],
    );
    assert.deepEqual(first.elections, [{ tenant: 't', cluster: 'c', atMs: START_MS, from: null, to: 'a' }]);
    t.advance(START_MS + 1000);
    const dup = t.decide('t', request(series({ __name__: 'up', cluster: 'c', __replica__: 'b' }, START_MS + 1000)), START_MS + 1000);
    assert.equal(dup.decision.outcome, 'deduped');
    assert.deepEqual(dup.ops, []);
    assert.deepEqual(dup.elections, []);
    const meta = t.checkpoint().filter((o) => o.op === 'set-meta');
    assert.ok(meta.some((o) => o.op === 'set-meta' && o.key === 'tracker.semantics' && o.value === semantics));
  });
}

/**
 * A third model, for the interface: "sticky" elects the first replica seen and never fails over
 * (the tracker's 30-minute cleanup still frees a silent cluster). Everything else (strategies,
 * limits, cleanups, persistence) is the tracker's.
 */
class StickyModel implements DecisionModel {
  readonly semantics = 'sticky' as Semantics;
  passPeriodMs(): number {
    return 0;
  }
  start(): void {}
  restore(): void {}
  save(): void {}
  usesSampleTime(_cfg: HAConfig): boolean {
    return false;
  }
  pass(): void {}
  check(ctx: ModelContext, ts: TenantState, cluster: string, replica: string, nowMs: number): CheckCode {
    const e = ts.clusters.get(cluster);
    const d = e?.desc ?? null;
    if (d !== null && d.deletedAt === 0) {
      if (d.replica !== replica) return CHECK_DEDUPE;
      if (nowMs - d.receivedAt >= ts.cfg.updateTimeoutMs) {
        d.receivedAt = nowMs;
        ctx.writeRecord(ts, e!);
      }
      return CHECK_ACCEPT;
    }
    if (ts.cfg.maxClusters > 0 && ts.liveCount + 1 > ts.cfg.maxClusters) return CHECK_REJECT;
    const entry = e ?? ctx.entry(ts, cluster);
    entry.desc = { tenant: ts.tenant, cluster, replica, receivedAt: nowMs, deletedAt: 0, electedAt: nowMs, electedChanges: 0 };
    ts.liveCount += 1;
    ctx.elect({ tenant: ts.tenant, cluster, atMs: nowMs, from: null, to: replica });
    ctx.writeRecord(ts, entry);
    return CHECK_ACCEPT;
  }
}

test('a third decision model is one class: the tracker runs it with its strategies, limits, cleanups and persistence', () => {
  const cfg = tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0, maxClusters: 1 });
  const opts = { semantics: 'sticky' as Semantics, configs: cfg, random: createPrng(1) };
  const t = createPureTracker(opts, new StickyModel());
  const ha = (cluster: string, replica: string) => ({ __name__: 'up', cluster, __replica__: replica });
  const at = (s: number) => START_MS + s * 1000;
  const outcome = (tenant: string, cluster: string, replica: string, s: number) => {
    t.advance(at(s));
    return t.decide(tenant, request(series(ha(cluster, replica), at(s))), at(s)).decision.outcome;
  };
  assert.equal(outcome('t', 'c', 'a', 0), 'accepted');
  assert.equal(outcome('t', 'c', 'b', 60), 'deduped'); // cortex and mimir would have failed over by now
  assert.equal(outcome('t', 'c', 'b', 600), 'deduped');
  assert.equal(outcome('t', 'd', 'a', 601), 'rejected_too_many_clusters'); // the limit is the tracker's
  // a silent for over 30 minutes: the cleanup at 60 minutes marks c deleted, and b is elected
  assert.equal(outcome('t', 'c', 'b', 3500), 'deduped');
  assert.equal(outcome('t', 'c', 'b', 3700), 'accepted');
  assert.equal(t.record('t', 'c')!.replica, 'b');
  // per-sample is the tracker's strategy too
  const ps = createPureTracker({ ...opts, configs: tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0, perSample: true }) }, new StickyModel());
  ps.advance(START_MS);
  const d = ps.decide('t', request(series(ha('c', 'a'), START_MS), series(ha('c', 'b'), START_MS), series({ __name__: 'x' }, START_MS)), START_MS).decision;
  assert.deepEqual(d.series.map((s) => s.outcome), ['accepted', 'deduped', 'non_ha']);
  // persisted under its own name: the model it was saved by is the one that may resume it
  const meta = new Map(t.checkpoint().flatMap((o) => (o.op === 'set-meta' ? [[o.key, o.value] as const] : [])));
  assert.equal(meta.get('tracker.semantics'), 'sticky');
  assert.throws(
    () => createPureTracker({ semantics: 'cortex', configs: cfg, random: createPrng(1), state: { records: [], memory: [], elections: [], meta: [...meta] } }),
    /holds sticky tracker state and cannot be resumed with --semantics cortex/,
  );
});
