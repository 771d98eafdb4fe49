// target-set-mismatch (SPEC 12.1): in a cluster where two or more replicas sent, HA series that
// only one replica sent while another replica of the cluster was sending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, pairStream, T0 } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'target-set-mismatch';
const S = 1000;

/** replica1 also sends `extra` series in requests whose scrape time is in [from, to) seconds. */
function extraOnReplica1(extra: number, from = 0, to = 1e9, down: [string, number, number][] = []): RequestSpec[] {
  return pairStream({ scrapes: 30, series: 5, down }).map((r) => {
    const t = r.series[0]!.samples[0]![0] - T0;
    if (r.series[0]!.labels.__replica__ !== 'replica1' || t < from * S || t >= to * S) return r;
    const more = Array.from({ length: extra }, (_, k) => ({ labels: { __name__: `only_r1_${k}`, cluster: 'c1', __replica__: 'replica1' }, samples: [[t + T0, k]] as [number, number][] }));
    return { ...r, series: [...r.series, ...more] };
  });
}

test('series only replica1 sends while replica2 sends too: found for replica1', () => {
  const f = findings(extraOnReplica1(3), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['warn', 't1', 'c1', 'replica1', 3]);
  assert.match(x.fix, /3 series came only from replica1 while replica2 of the same cluster was sending/);
  assert.match(x.fix, /hashmod/);
  assert.match(x.examples[0]!.note, /^sent only by replica1 .* while replica2 was sending$/);
});

test('series sent only while the other replica was down are not a mismatch', () => {
  // replica2 is down from 50s to 120s (more than F = 30s); the extra series live from 60s to 100s
  assert.deepEqual(findings(extraOnReplica1(3, 60, 100, [['replica2', 50 * S, 120 * S]]), CODE), []);
  // but one that also lives on after replica2 is back is
  assert.equal(findings(extraOnReplica1(3, 60, 130, [['replica2', 50 * S, 120 * S]]), CODE).length, 1);
});

test('a cluster with one replica has nothing to mismatch', () => {
  const single = extraOnReplica1(3).filter((r) => r.series[0]!.labels.__replica__ === 'replica1');
  assert.deepEqual(findings(single, CODE), []);
});

test('the same series from both: nothing', () => {
  assert.deepEqual(findings(extraOnReplica1(0), CODE), []);
});

test('a tenant with HA off (accept_ha_samples: false) is not looked at, and its series do not upset the others', async () => {
  const { doctorPlan } = await import('../../src/doctor/plan.js');
  const { defaults, runPlan } = await import('./helpers.js');
  // t1 sends a healthy pair plus series only replica1 sends; with HA off for t1 none of it is a
  // finding. More series than the checks' columns start with (256), as on a real capture.
  const specs = extraOnReplica1(300);
  const off = runPlan(doctorPlan(), specs, { config: () => defaults({ acceptHaSamples: false }) });
  assert.deepEqual(off.findings.map((f) => f.code), []);
  const on = runPlan(doctorPlan(), specs);
  assert.deepEqual(on.findings.map((f) => f.code), [CODE]);
});
