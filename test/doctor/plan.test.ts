// The doctor plan: the lanes it asks the engine for, their settings, and finish().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLaneSettings, doctorPlan, FAILOVER_LADDER, laneConfigs } from '../../src/doctor/plan.js';
import { DoctorConsumer } from '../../src/doctor/consumer.js';
import { FlapCounter } from '../../src/doctor/checks/flap-counter.js';
import { MixedTally } from '../../src/doctor/checks/mixed-tally.js';
import { CODES } from '../../src/doctor/types.js';
import { defaults, pairStream, runPlan } from './helpers.js';

test('lanes: base (every check), per-sample (a tally), one per failover-timeout rung (a flap counter)', () => {
  const plan = doctorPlan();
  assert.deepEqual(
    plan.lanes.map((l) => [l.name, l.settings]),
    [
      ['base', {}],
      ['per-sample', { perSample: true }],
      ...FAILOVER_LADDER.map((k) => [`failover-x${k}`, { failoverTimeoutScale: k }]),
    ],
  );
  const base = plan.lanes[0]!.consumers;
  assert.ok(base[0] instanceof DoctorConsumer);
  assert.deepEqual((base[0] as DoctorConsumer).checks.map((c) => c.code), [...CODES]);
  assert.ok(base[1] instanceof MixedTally);
  assert.ok(plan.lanes[1]!.consumers[0] instanceof MixedTally);
  for (const l of plan.lanes.slice(2)) assert.ok(l.consumers[0] instanceof FlapCounter);
  assert.deepEqual(doctorPlan({ ladder: [], comparePerSample: false }).lanes.map((l) => l.name), ['base']);
});

test('applyLaneSettings: a delta over each tenant\'s own settings', () => {
  const cfg = defaults({ failoverTimeoutMs: 40_000, perSample: false, maxClusters: 3 });
  assert.deepEqual(applyLaneSettings(cfg, {}), cfg);
  assert.deepEqual(applyLaneSettings(cfg, { perSample: true }), { ...cfg, perSample: true });
  assert.deepEqual(applyLaneSettings(cfg, { failoverTimeoutScale: 1.5 }), { ...cfg, failoverTimeoutMs: 60_000 });
  assert.equal(cfg.failoverTimeoutMs, 40_000, 'not mutated');
  const table = { defaults: defaults(), perTenant: new Map([['t9', cfg]]) };
  const lane = laneConfigs(table, { failoverTimeoutScale: 2 });
  assert.equal(lane.defaults.failoverTimeoutMs, 60_000);
  assert.equal(lane.perTenant.get('t9')!.failoverTimeoutMs, 80_000);
  assert.equal(table.perTenant.get('t9')!.failoverTimeoutMs, 40_000, 'not mutated');
});

test('finish: version 1, the base lane\'s inputs, findings sorted by severity then code', () => {
  const specs = pairStream({ scrapes: 4 }).map((r) => ({ ...r, series: [...r.series, { labels: { __name__: 'x_total', cluster: 'c1' }, samples: [[r.at! - 1000, 1]] as [number, number][] }] }));
  const report = runPlan(doctorPlan(), specs, { inputs: ['a.rwcap'], config: () => defaults({ maxClusters: 1 }) });
  assert.equal(report.version, 1);
  assert.deepEqual(report.inputs, [{ path: 'a.rwcap', format: 'rwcap', records: 8, bad_records: 0 }]);
  assert.deepEqual(
    report.findings.map((f) => [f.severity, f.code]),
    [
      ['error', 'partial-ha-labels'],
      ['error', 'partial-ha-labels'],
      ['warn', 'too-many-clusters'],
    ],
  );
});
