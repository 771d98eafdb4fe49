// doctor on real captures, through the real event pipeline (issue 15). Written before the engine
// exists: `runDoctor` below is the one place to adapt when it lands (the lead turns these on at
// integration). The rest states what must hold.
//
// The bundled fixture is a healthy Prometheus HA pair whose replicas were stopped and restarted in
// turn (each away ~58s between requests; the old leader is back after 1.5 x F = 45s, so the two
// failovers are not flaps): nothing at or above `warn`, in either decision model, with the
// defaults (jitter 5s, seed 1) or without jitter. The README capture (fixtures/doctor/) holds three
// written-in mistakes: doctor finds each.
//
// Written before the engine existed; `runDoctor` now drives src/pipeline/engine.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { doctorPlan, laneConfigs, type DoctorPlan } from '../../src/doctor/plan.js';
import type { DoctorReport } from '../../src/doctor/types.js';
import { runPipeline, type LaneOptions } from '../../src/pipeline/engine.js';
import { tenantConfigs, defaultHAConfig } from '../../src/tracker/index.js';
import { openStore } from '../../src/store/index.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
const README = fileURLToPath(new URL('../../fixtures/doctor/readme.rwcap', import.meta.url));

/**
 * Every lane of `plan` over `paths` through the engine (runPipeline(run, lanes)): each lane its
 * own tracker and in-memory store, its settings from laneConfigs().
 */
async function runDoctor(plan: DoctorPlan, paths: string[], semantics: 'cortex' | 'mimir', jitterMs: number): Promise<DoctorReport> {
  const configs = tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: jitterMs, maxClusters: semantics === 'mimir' ? 100 : 0 });
  const stores: { close(): Promise<void> }[] = [];
  try {
    const lanes: LaneOptions[] = [];
    for (const lane of plan.lanes) {
      const store = await openStore('memory:');
      stores.push(store);
      lanes.push({ semantics, configs: laneConfigs(configs, lane.settings), seed: 1, store, consumers: lane.consumers });
    }
    await runPipeline({ inputs: paths, format: 'auto', maxDecodedSize: 64 * 1024 * 1024, strict: false, clock: null, delayMs: 0, defaultTenant: 'anonymous' }, lanes);
  } finally {
    for (const s of stores) await s.close();
  }
  return plan.finish();
}

for (const semantics of ['cortex', 'mimir']) {
  for (const jitter of [5000, 0]) {
    test(`the bundled fixture (a healthy pair), ${semantics}, jitter max ${jitter} ms: nothing at or above warn`, async () => {
      const report = await runDoctor(doctorPlan(), [FIXTURE], semantics as 'cortex' | 'mimir', jitter);
      assert.deepEqual(
        report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code} ${f.cluster}/${f.replica}: ${f.fix}`),
        [],
      );
      assert.deepEqual(report.inputs, [{ path: FIXTURE, format: 'rwcap', records: 146, bad_records: 0 }]);
    });
  }
}

test('the README capture: partial-ha-labels, mixed-request, cluster-label-collision, target-set-mismatch', async () => {
  const report = await runDoctor(doctorPlan(), [README], 'cortex', 5000);
  assert.deepEqual(
    report.findings.map((f) => [f.severity, f.code, f.cluster, f.replica, f.count]),
    [
      ['error', 'partial-ha-labels', 'dev-pair', 'replica1', 7],
      ['error', 'partial-ha-labels', 'dev-pair', 'replica2', 7],
      ['error', 'mixed-request', 'dev-pair', 'replica1', 14],
      ['error', 'cluster-label-collision', 'dev-pair', 'replica1', 29],
      ['error', 'cluster-label-collision', 'dev-pair', 'replica2', 28],
      ['warn', 'target-set-mismatch', 'dev-pair', 'replica1', 7],
    ],
  );
  const mixed = report.findings.find((f) => f.code === 'mixed-request')!;
  assert.match(mixed.fix, /4,361 samples were decided by another series' labels/);
  assert.match(mixed.fix, /Replayed with --dedupe per-sample over the same stream: in these requests accepted 7,168 -> 3,584/);
});
