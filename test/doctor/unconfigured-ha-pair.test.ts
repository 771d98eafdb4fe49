// unconfigured-ha-pair (SPEC 12.1): >= 10 series arriving twice, identical but for one label L
// with two values, >= 90% of the smaller side matched, among series without the replica label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaults, findings, merge, sender, targetSeries } from './helpers.js';

const CODE = 'unconfigured-ha-pair';
const twins = (n: number, label: string, value: string, extra: Record<string, string> = { cluster: 'prod' }) => targetSeries(n, { ...extra, [label]: value });

test('two senders differing only in prometheus_replica: found, named, with the overrides that make it HA', () => {
  const f = findings(merge(sender(twins(10, 'prometheus_replica', 'a')), sender(twins(10, 'prometheus_replica', 'b'), { offset: 1000 })), CODE);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.equal(x.severity, 'error');
  assert.equal(x.tenant, 't1');
  assert.equal(x.cluster, 'prod');
  assert.equal(x.replica, null);
  assert.equal(x.count, 10);
  assert.match(x.fix, /`ha_replica_label: prometheus_replica` \(-distributor\.ha-tracker\.replica=prometheus_replica\)/);
  assert.match(x.fix, /cluster label `cluster` \(prod\) already/);
  assert.match(x.fix, /overrides: \{t1: \{ha_replica_label: prometheus_replica\}\}/);
  assert.match(x.fix, /accept_ha_samples: true/);
  assert.ok(x.examples.length >= 1 && x.examples.length <= 3);
  assert.equal(x.examples[0]!.labels!.prometheus_replica, 'b');
});

test('9 matched series are not enough (at least 10)', () => {
  assert.deepEqual(findings(merge(sender(twins(9, 'prometheus_replica', 'a')), sender(twins(9, 'prometheus_replica', 'b'), { offset: 1000 })), CODE), []);
});

test('90% of the smaller side matched: 18 of 20 is found, 17 of 20 is not', () => {
  const a = twins(20, 'rep', 'a');
  const b = (matched: number) => [...twins(matched, 'rep', 'b'), ...targetSeries(20 - matched, { cluster: 'prod', rep: 'b' }, 'other_metric')];
  assert.equal(findings(merge(sender(a), sender(b(18), { offset: 1000 })), CODE).length, 1);
  assert.deepEqual(findings(merge(sender(a), sender(b(17), { offset: 1000 })), CODE), []);
});

test('two targets of one Prometheus (same series but for instance, in the same requests) are not a pair', () => {
  const series = [...targetSeries(15, { cluster: 'prod' }).map((l) => ({ ...l, instance: 'a:9100' })), ...targetSeries(15, { cluster: 'prod' }).map((l) => ({ ...l, instance: 'b:9100' }))];
  assert.deepEqual(findings(sender(series), CODE), []);
});

test('without the cluster label, a label with one value on all of them names the cluster', () => {
  const f = findings(merge(sender(twins(12, 'replica', 'r1', { env: 'staging' })), sender(twins(12, 'replica', 'r2', { env: 'staging' }), { offset: 1000 })), CODE);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.cluster, 'staging');
  assert.match(f[0]!.fix, /`ha_cluster_label: env`/);
  assert.match(f[0]!.fix, /--replica-label replica --cluster-label env/);
});

test('also in a tenant with HA off', () => {
  const f = findings(merge(sender(twins(10, 'prometheus_replica', 'a')), sender(twins(10, 'prometheus_replica', 'b'), { offset: 1000 })), CODE, { config: () => defaults({ acceptHaSamples: false }) });
  assert.equal(f.length, 1);
});

test('series that carry the configured replica label are not looked at', () => {
  const f = findings(merge(sender(twins(12, 'other', 'a', { cluster: 'c', __replica__: 'x' })), sender(twins(12, 'other', 'b', { cluster: 'c', __replica__: 'x' }), { offset: 1000 })), CODE);
  assert.deepEqual(f, []);
});

test('in any tenant: each tenant is looked at on its own', () => {
  const f = findings(merge(sender(twins(10, 'prometheus_replica', 'a'), { tenant: 'x' }), sender(twins(10, 'prometheus_replica', 'b'), { tenant: 'y', offset: 1000 })), CODE);
  assert.deepEqual(f, [], 'the two halves are in different tenants');
  const g = findings(merge(sender(twins(10, 'prometheus_replica', 'a'), { tenant: 'y' }), sender(twins(10, 'prometheus_replica', 'b'), { tenant: 'y', offset: 1000 })), CODE);
  assert.equal(g.length, 1);
  assert.equal(g[0]!.tenant, 'y');
});
