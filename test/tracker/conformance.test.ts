// Runs every scenario of fixtures/conformance/ (Cortex and Mimir HA tracker test timelines) against
// each model it names, straight through and then resumed from a store at every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDuration, type Election, type Semantics } from '../../src/model/index.js';
import { createTracker, type HATracker, type RandomSource } from '../../src/tracker/index.js';
import { newMemoryBacking, openMemoryStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import { configsFrom, fixedRandom, series, request, START_MS } from './helpers.js';

const DIR = fileURLToPath(new URL('../../fixtures/conformance/', import.meta.url));

type PerModel<T> = T | { cortex?: T; mimir?: T };

interface Step {
  at: string;
  tenant?: string;
  cluster?: string | null;
  replica?: string | null;
  labels?: Record<string, string>;
  sample_delay?: string;
  metadata_only?: boolean;
  expect?: PerModel<string>;
  check?: Record<string, PerModel<unknown>>;
}

interface Scenario {
  name: string;
  source?: string;
  models?: Semantics[];
  config?: Record<string, unknown>;
  tenants?: Record<string, unknown>;
  random?: number[];
  steps: Step[];
  elections: PerModel<{ at: string; tenant?: string; cluster: string; from: string | null; to: string }[]>;
}

function pick<T>(v: PerModel<T>, model: Semantics): T | undefined {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && ('cortex' in v || 'mimir' in v)) return (v as { cortex?: T; mimir?: T })[model];
  return v as T;
}

function ms(text: string, what: string): number {
  const v = parseDuration(String(text));
  if (v === undefined) throw new Error(`${what}: "${text}" is not a duration`);
  return v;
}

function run(sc: Scenario, model: Semantics, splitAt: number | null): void {
  const configs = configsFrom(sc.config, sc.tenants);
  const newRandom = (seed: number): RandomSource => (sc.random ? fixedRandom(sc.random) : createPrng(seed));
  const backing = newMemoryBacking();
  let store = openMemoryStore(backing);
  let tracker: HATracker = createTracker({ semantics: model, configs, store, random: newRandom(1), commitEvery: 0 });
  const elections: Election[] = [];
  sc.steps.forEach((step, i) => {
    if (i === splitAt) {
      // Hand over to a new tracker through the store, as a second run on the same --db would.
      tracker.flush();
      store.close();
      store = openMemoryStore(backing);
      tracker = createTracker({ semantics: model, configs, store, random: newRandom(12345), commitEvery: 0 });
    }
    const where = `step ${i} (at ${step.at})`;
    const now = START_MS + ms(step.at, where);
    const tenant = step.tenant ?? 'user';
    tracker.advance(now);
    if (step.check) {
      const c = step.check;
      const cluster = String(pick(c.cluster, model));
      const rec = tracker.record(String(pick(c.tenant, model) ?? tenant), cluster);
      if (pick(c.absent, model) === true) {
        assert.equal(rec, undefined, `${where}: expected no record for ${cluster}, found ${JSON.stringify(rec)}`);
      } else {
        assert.ok(rec, `${where}: expected a record for ${cluster}`);
        const replica = pick(c.replica, model);
        if (replica !== undefined) assert.equal(rec.replica, replica, `${where}: elected replica`);
        const receivedAt = pick(c.received_at, model);
        if (receivedAt !== undefined) assert.equal(rec.receivedAt - START_MS, ms(String(receivedAt), where), `${where}: received_at`);
        const deleted = pick(c.deleted, model);
        if (deleted !== undefined) assert.equal(rec.deletedAt > 0, deleted, `${where}: deleted (deleted_at=${rec.deletedAt})`);
        const changes = pick(c.elected_changes, model);
        if (changes !== undefined) assert.equal(rec.electedChanges, changes, `${where}: elected_changes`);
      }
    } else {
      const expect = pick(step.expect, model);
      assert.ok(expect, `${where}: no expectation for ${model}`);
      let write;
      if (step.metadata_only) {
        write = { timeseries: [], metadata: [{ type: 'gauge' as const, metricFamilyName: 'up', help: '', unit: '' }] };
      } else {
        const cfg = tracker.config(tenant);
        const labels: Record<string, string> = { __name__: 'up' };
        if (step.labels) Object.assign(labels, step.labels);
        else {
          if (step.cluster !== null && step.cluster !== undefined) labels[cfg.clusterLabel] = step.cluster;
          if (step.replica !== null && step.replica !== undefined) labels[cfg.replicaLabel] = step.replica;
        }
        const delay = step.sample_delay ? ms(step.sample_delay, where) : 0;
        write = request(series(labels, now - delay));
      }
      const d = tracker.decide(tenant, write, now);
      assert.equal(d.outcome, expect, `${where}: ${tenant}/${step.cluster}/${step.replica} decided ${d.outcome}${d.message ? ` (${d.message})` : ''}`);
    }
    elections.push(...tracker.drainElections());
  });
  const want = (pick(sc.elections, model) ?? []).map((e) => ({
    tenant: e.tenant ?? 'user',
    cluster: e.cluster,
    atMs: START_MS + ms(e.at, 'elections'),
    from: e.from,
    to: e.to,
  }));
  assert.deepEqual(elections, want, 'elections');
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

test('the conformance fixtures exist', () => {
  assert.ok(files.length >= 8, `found ${files.length} scenario files`);
});

for (const file of files) {
  const doc = parse(readFileSync(join(DIR, file), 'utf8')) as { scenarios: Scenario[] };
  for (const sc of doc.scenarios) {
    for (const model of sc.models ?? (['cortex', 'mimir'] as Semantics[])) {
      test(`${file}: ${sc.name} [${model}]`, () => run(sc, model, null));
      test(`${file}: ${sc.name} [${model}, resumed at every step]`, () => {
        for (let k = 1; k < sc.steps.length; k++) {
          try {
            run(sc, model, k);
          } catch (err) {
            (err as Error).message = `split before step ${k}: ${(err as Error).message}`;
            throw err;
          }
        }
      });
    }
  }
}
