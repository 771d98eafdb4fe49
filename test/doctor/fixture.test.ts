// doctor on real captures, through the real event pipeline (issue 15). Written before the engine
// exists: `runDoctor` below is the one place to adapt when it lands (the lead turns these on at
// integration). The rest states what must hold.
//
// The bundled fixture is a healthy Prometheus HA pair whose replicas were stopped and restarted in
// turn (each away ~58s between requests; the old leader is back after 1.5 x F = 45s, so the two
// failovers are not flaps): nothing at or above `warn`, in either decision model, with the
// defaults (jitter 5s, seed 1) or without jitter. The README capture (fixtures/doctor/) holds three
// written-in mistakes: doctor finds each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { doctorPlan, type DoctorPlan } from '../../src/doctor/plan.js';
import type { DoctorReport } from '../../src/doctor/types.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
const README = fileURLToPath(new URL('../../fixtures/doctor/readme.rwcap', import.meta.url));
const TODO = 'needs the event pipeline (issue 15)';

/**
 * ADAPT AT INTEGRATION: run every lane of `plan` over `paths` with replay's options (`args` as
 * on the command line) and return plan.finish(). Expected engine entry point (see
 * /work/coord/NOTES-r2.md): runLanes(options, lanes) where each lane gets its own clock, tracker
 * and in-memory store, configured per tenant by applyLaneSettings(effective, lane.settings).
 */
async function runDoctor(plan: DoctorPlan, paths: string[], args: string[]): Promise<DoctorReport> {
  const engine = (await import('../../src/pipeline/lanes.js' as string)) as {
    runLanes(opts: { inputs: string[]; args: string[] }, lanes: DoctorPlan['lanes']): Promise<void>;
  };
  await engine.runLanes({ inputs: paths, args }, plan.lanes);
  return plan.finish();
}

for (const semantics of ['cortex', 'mimir']) {
  for (const jitter of [[], ['--update-timeout-jitter-max', '0s']]) {
    test(`the bundled fixture (a healthy pair), ${semantics} ${jitter.join(' ') || 'default jitter'}: nothing at or above warn`, { todo: TODO }, async () => {
      const report = await runDoctor(doctorPlan(), [FIXTURE], ['--semantics', semantics, ...jitter]);
      assert.deepEqual(
        report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code} ${f.cluster}/${f.replica}: ${f.fix}`),
        [],
      );
      assert.deepEqual(report.inputs, [{ path: FIXTURE, format: 'rwcap', records: 146, bad_records: 0 }]);
    });
  }
}

test('the README capture: partial-ha-labels, mixed-request, cluster-label-collision, target-set-mismatch', { todo: TODO }, async () => {
  const report = await runDoctor(doctorPlan(), [README], []);
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
