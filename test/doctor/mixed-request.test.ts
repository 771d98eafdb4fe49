// mixed-request (SPEC 12.1): an HA request with more than one pair (unless all share one replica
// value); how many samples were decided by another series' labels, and what --dedupe per-sample
// changes, from a second lane over the same stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorPlan } from '../../src/doctor/plan.js';
import { defaults, findings, pairStream, runPlan, T0 } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'mixed-request';

/** A proxy that merges the pair's requests two by two: replica1's series then replica2's. */
function merged(scrapes = 6): RequestSpec[] {
  const single = pairStream({ scrapes, series: 10, offset: 0 });
  const out: RequestSpec[] = [];
  for (let k = 0; k + 1 < single.length; k += 2) out.push({ at: single[k + 1]!.at, tenant: 't1', series: [...single[k]!.series, ...single[k + 1]!.series] });
  return out;
}

test('merged replicas: every request is mixed, replica2 decided by replica1\'s labels', () => {
  const f = findings(merged(), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['error', 't1', 'c1', 'replica1', 6]);
  // 6 requests x 10 series of replica2, one sample each
  assert.match(x.fix, /60 samples were decided by another series' labels/);
  assert.match(x.fix, /accept_mixed_ha_samples: true/);
  assert.match(x.fix, /ha_tracker_per_sample_dedupe: true/);
  assert.equal(x.examples.length, 3);
  assert.equal(x.examples[0]!.labels!.__replica__, 'replica2');
  assert.match(x.examples[0]!.note, /decided as c1\/replica1 .*: accepted/);
});

test('the per-sample lane gives the computed difference', () => {
  const report = runPlan(doctorPlan({ ladder: [] }), merged());
  const x = report.findings.find((f) => f.code === CODE)!;
  // per request every sample is accepted (120); per sample replica2's 60 are deduplicated
  assert.match(x.fix, /in these requests accepted 120 -> 60 \(-60\), deduplicated 0 -> 60 \(\+60\)/);
  assert.match(x.fix, /in the whole tenant accepted 120 -> 60 \(-60\), deduplicated 0 -> 60 \(\+60\)/);
});

test('a tenant already deduping per sample: nothing decided by another\'s labels', () => {
  const f = findings(merged(), CODE, { config: () => defaults({ perSample: true }) });
  assert.equal(f.length, 1);
  assert.match(f[0]!.fix, /each series was decided on its own labels \(0 samples/);
});

test('two pairs sharing one replica value are a cluster-label collision, not a mixed request', () => {
  const r: RequestSpec = {
    at: T0,
    tenant: 't1',
    series: [
      { labels: { __name__: 'a', cluster: 'c1', __replica__: 'r1' }, samples: [[T0, 1]] },
      { labels: { __name__: 'b', cluster: 'app', __replica__: 'r1' }, samples: [[T0, 1]] },
    ],
  };
  assert.deepEqual(findings([r], CODE), []);
  assert.equal(findings([r], 'cluster-label-collision').length, 1);
});

test('one pair per request: nothing', () => {
  assert.deepEqual(findings(pairStream(), CODE), []);
});
