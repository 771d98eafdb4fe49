// The bundled real capture (fixtures/prom-ha-dev.rwcap): the elections the tracker makes are
// pinned (they are what Cortex and Mimir themselves decided on it, fixtures README), and a
// capture split in two and replayed in two runs on one SQLite file decides exactly as one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Election, HAConfig, Semantics } from '../../src/model/index.js';
import { createTracker, defaultHAConfig, tenantConfigs } from '../../src/tracker/index.js';
import { openMemoryStore, openStore, type StateStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import { fixtureRequests } from './fixture.js';

const CLOCK_KEY = 'test.clock';

interface RunResult {
  decisions: string[];
  elections: Election[];
}

/** Replay requests [from, to) as the pipeline does: clock = max(previous, received_at), advance, decide, drain. */
function replay(store: StateStore, semantics: Semantics, cfg: HAConfig, from: number, to: number, seed = 1): RunResult {
  const reqs = fixtureRequests();
  const tracker = createTracker({ semantics, configs: tenantConfigs(cfg), store, random: createPrng(seed) });
  let now = Number(store.getMeta(CLOCK_KEY) ?? -Infinity);
  const decisions: string[] = [];
  const elections: Election[] = [];
  for (let i = from; i < to; i++) {
    const r = reqs[i];
    now = Math.max(now, r.receivedAtMs);
    store.setMeta(CLOCK_KEY, String(now));
    tracker.advance(now);
    const d = tracker.decide(r.tenant, r.write, now);
    decisions.push(`${i}:${d.outcome}:${d.status}:${d.series.map((s) => s.outcome[0] + (s.stripReplica ? '-' : '')).join('')}`);
    elections.push(...tracker.drainElections());
  }
  tracker.flush();
  return { decisions, elections };
}

const fmt = (elections: Election[], first: number) => elections.map((e) => `${((e.atMs - first) / 1000).toFixed(3)} ${e.tenant}/${e.cluster} ${e.from ?? 'none'} -> ${e.to}`);

test('the fixture decodes to 146 requests, 4 of them metadata only', () => {
  const reqs = fixtureRequests();
  assert.equal(reqs.length, 146);
  assert.equal(reqs.filter((r) => r.write.timeseries.length === 0).length, 4);
  assert.ok(reqs.every((r) => r.tenant === 'tenant-a'));
});

const GOLDEN: Record<Semantics, string[]> = {
  cortex: ['0.000 tenant-a/dev-pair none -> replica1', '77.284 tenant-a/dev-pair replica1 -> replica2', '171.985 tenant-a/dev-pair replica2 -> replica1'],
  mimir: ['0.000 tenant-a/dev-pair none -> replica1', '90.000 tenant-a/dev-pair replica1 -> replica2', '180.000 tenant-a/dev-pair replica2 -> replica1'],
};

for (const semantics of ['cortex', 'mimir'] as Semantics[]) {
  test(`golden: the elections on the fixture are the ones ${semantics} made (15s/30s, no jitter, per request)`, () => {
    const cfg = { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 };
    const { elections, decisions } = replay(openMemoryStore(), semantics, cfg, 0, fixtureRequests().length);
    assert.deepEqual(fmt(elections, fixtureRequests()[0].receivedAtMs), GOLDEN[semantics]);
    assert.ok(decisions.some((d) => d.includes(':deduped:202:')));
    assert.equal(decisions.filter((d) => d.includes(':passthrough:')).length, 4);
  });
}

const CONFIGS: [string, HAConfig][] = [
  ['no jitter, per request', { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 }],
  ['default jitter, per sample', { ...defaultHAConfig(), perSample: true }],
  ['short timeouts', { ...defaultHAConfig(), updateTimeoutMs: 2000, updateTimeoutJitterMaxMs: 1000, failoverTimeoutMs: 4000 }],
];

for (const semantics of ['cortex', 'mimir'] as Semantics[]) {
  for (const [name, cfg] of CONFIGS) {
    test(`resume: the fixture split in two runs on one --db decides as one run [${semantics}, ${name}]`, () => {
      const n = fixtureRequests().length;
      const whole = replay(openMemoryStore(), semantics, cfg, 0, n);
      assert.ok(whole.elections.length >= 3);
      const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-resume-'));
      try {
        for (const split of [1, 2, 37, 73, 74, 100, 120, 145]) {
          const file = join(dir, `split-${split}.db`);
          const s1 = openStore({ path: file });
          const a = replay(s1, semantics, cfg, 0, split);
          s1.close();
          const s2 = openStore({ path: file });
          const b = replay(s2, semantics, cfg, split, n, 999); // a different seed must not matter on resume
          assert.deepEqual([...a.decisions, ...b.decisions], whole.decisions, `split at ${split}: decisions`);
          assert.deepEqual([...a.elections, ...b.elections], whole.elections, `split at ${split}: elections`);
          assert.deepEqual(s2.loadElections(), whole.elections, `split at ${split}: election history in the db`);
          s2.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

test("the pipeline's reader (openInput) yields the same requests and so the same golden elections", async () => {
  const { openInput } = await import('../../src/pipeline/inputs.js');
  const { FIXTURE } = await import('./fixture.js');
  const bad: unknown[] = [];
  const reqs = [];
  for await (const r of openInput(FIXTURE, 0, { format: 'auto', maxDecodedSize: 64 * 1024 * 1024, strict: false, onBadRecord: (b) => bad.push(b) })) reqs.push(r);
  assert.deepEqual(bad, []);
  const mine = fixtureRequests();
  assert.equal(reqs.length, mine.length);
  reqs.forEach((r, i) => {
    assert.equal(r.receivedAtMs, mine[i].receivedAtMs);
    assert.equal(r.tenant, mine[i].tenant);
    assert.deepEqual(r.write.timeseries.map((s) => s.labels), mine[i].write.timeseries.map((s) => s.labels));
  });
  for (const semantics of ['cortex', 'mimir'] as Semantics[]) {
    const tracker = createTracker({ semantics, configs: tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 }), store: openMemoryStore(), random: createPrng(1) });
    let now = -Infinity;
    const elections: Election[] = [];
    for (const r of reqs) {
      now = Math.max(now, r.receivedAtMs!);
      tracker.advance(now);
      tracker.decide(r.tenant ?? 'anonymous', r.write, now);
      elections.push(...tracker.drainElections());
    }
    assert.deepEqual(fmt(elections, reqs[0].receivedAtMs!), GOLDEN[semantics]);
  }
});
