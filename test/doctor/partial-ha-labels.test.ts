// partial-ha-labels (SPEC 12.1): series in HA requests that lack the cluster or the replica
// label or have it empty; requests with no HA series are not HA traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaults, findings, merge, pairStream, sender, targetSeries } from './helpers.js';
import type { RequestSpec } from './helpers.js';

const CODE = 'partial-ha-labels';

/** A healthy pair where replica2's requests also carry `bad` series (labels given). */
function withPartials(bad: Record<string, string>[], first = false): RequestSpec[] {
  return pairStream({ scrapes: 4 }).map((r) => {
    const rep = r.series[0]!.labels.__replica__;
    if (rep !== 'replica2') return r;
    const extra = bad.map((labels) => ({ labels, samples: [[r.series[0]!.samples[0]![0], 1]] as [number, number][] }));
    return { ...r, series: first ? [...extra, ...r.series] : [...r.series, ...extra] };
  });
}

test('series lacking the replica label or with an empty cluster label in HA requests: found per sender', () => {
  const bad: Record<string, string>[] = [
    { __name__: 'a_total', cluster: 'c1' },
    { __name__: 'b_total', cluster: 'c1' },
    { __name__: 'c_total', cluster: '', __replica__: 'replica2' },
  ];
  const f = findings(withPartials(bad), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.deepEqual([x.severity, x.tenant, x.cluster, x.replica, x.count], ['error', 't1', 'c1', 'replica2', 3]);
  assert.match(x.fix, /2 series lack `__replica__`/);
  assert.match(x.fix, /1 series lack `cluster`/);
  assert.match(x.fix, /\(12 samples\)/);
  assert.match(x.fix, /follow the request's first series/);
  assert.match(x.fix, /per sample they would be non-HA: accepted from every replica, so duplicated/);
  assert.equal(x.examples.length, 3);
  assert.equal(x.examples[0]!.note, 'no `__replica__` label in a request of an HA sender');
  assert.equal(x.examples[2]!.note, '`cluster` is empty in a request of an HA sender');
});

test('a partial first series: the whole request went through as non-HA', () => {
  const f = findings(withPartials([{ __name__: 'a_total', cluster: 'c1' }], true), CODE);
  assert.equal(f.length, 1);
  assert.match(f[0]!.fix, /in 4 requests the first series itself lacked them/);
});

test('a cluster-only sender (no HA series in its requests) is not HA traffic', () => {
  const clusterOnly = sender(targetSeries(10, { cluster: 'c9' }));
  assert.deepEqual(findings(merge(pairStream({ scrapes: 4 }), clusterOnly), CODE), []);
});

test('a tenant with HA off (accept_ha_samples: false) is not looked at: its HA labels decide nothing', () => {
  assert.deepEqual(findings(withPartials([{ __name__: 'a_total', cluster: 'c1' }]), CODE, { config: () => defaults({ acceptHaSamples: false }) }), []);
});

test('a healthy pair has none', () => {
  assert.deepEqual(findings(pairStream(), CODE), []);
});
