// Defaults, the systems' validation rule, and the overrides file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HaDedupError } from '../../src/model/index.js';
import { defaultHAConfig, validateHAConfig, goDuration } from '../../src/tracker/index.js';
import { loadOverrides } from '../../src/pipeline/overrides.js';

function usage(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HaDedupError);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, re);
    return true;
  });
}

test('defaults are the systems\' defaults', () => {
  assert.deepEqual(defaultHAConfig(), {
    acceptHaSamples: true,
    clusterLabel: 'cluster',
    replicaLabel: '__replica__',
    maxClusters: 0,
    updateTimeoutMs: 15_000,
    updateTimeoutJitterMaxMs: 5_000,
    failoverTimeoutMs: 30_000,
    sampleFailoverTimeoutMs: 0,
    perSample: false,
  });
  validateHAConfig(defaultHAConfig(), '');
});

test('failover timeout must be at least update timeout + jitter max + 1s, and the message gives both values', () => {
  const cfg = { ...defaultHAConfig(), failoverTimeoutMs: 5000, updateTimeoutMs: 4000, updateTimeoutJitterMaxMs: 2000 };
  usage(() => validateHAConfig(cfg, ''), /^failover timeout 5s must be at least 7s: update timeout 4s \+ jitter max 2s \+ 1s$/);
  usage(() => validateHAConfig(cfg, '', { failoverTimeout: '--failover-timeout' }), /^--failover-timeout 5s must be at least 7s: update timeout 4s \+ jitter max 2s \+ 1s$/);
  validateHAConfig({ ...cfg, failoverTimeoutMs: 7000 }, ''); // exactly the minimum is fine
  usage(() => validateHAConfig({ ...defaultHAConfig(), failoverTimeoutMs: 20_999 }, 'x'), /^x: failover timeout 20\.999s must be at least 21s: update timeout 15s \+ jitter max 5s \+ 1s$/);
});

test('a negative jitter max is an error', () => {
  usage(() => validateHAConfig({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: -1 }, 'cli'), /max update timeout jitter shouldn't be negative/);
});

test('goDuration prints like Go', () => {
  assert.equal(goDuration(7000), '7s');
  assert.equal(goDuration(90_000), '1m30s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});

const YAML_OK = `
overrides:
  tenant-a:
    ha_cluster_label: prom_cluster
    ha_replica_label: prom_replica
    ha_max_clusters: 3
    ha_tracker_update_timeout: 5s
    ha_tracker_update_timeout_jitter_max: 0
    ha_tracker_failover_timeout: 1m30s
    ha_tracker_sample_failover_timeout: 45s
    accept_mixed_ha_samples: true
  tenant-b:
    accept_ha_samples: false
  tenant-c:
`;

test('overrides: each tenant block is merged over the defaults', () => {
  const defaults = { ...defaultHAConfig(), failoverTimeoutMs: 40_000 };
  const c = loadOverrides(YAML_OK, 'o.yaml', defaults);
  assert.equal(c.defaults, defaults);
  assert.deepEqual(c.perTenant.get('tenant-a'), {
    acceptHaSamples: true,
    clusterLabel: 'prom_cluster',
    replicaLabel: 'prom_replica',
    maxClusters: 3,
    updateTimeoutMs: 5000,
    updateTimeoutJitterMaxMs: 0,
    failoverTimeoutMs: 90_000,
    sampleFailoverTimeoutMs: 45_000,
    perSample: true,
  });
  assert.deepEqual(c.perTenant.get('tenant-b'), { ...defaults, acceptHaSamples: false });
  assert.deepEqual(c.perTenant.get('tenant-c'), defaults);
  assert.deepEqual([...c.perTenant.keys()], ['tenant-a', 'tenant-b', 'tenant-c']);
});

test('overrides: empty file and empty overrides are fine', () => {
  assert.equal(loadOverrides('', 'o.yaml', defaultHAConfig()).perTenant.size, 0);
  assert.equal(loadOverrides('overrides: {}\n', 'o.yaml', defaultHAConfig()).perTenant.size, 0);
});

test('overrides: unknown keys name the key and the tenant', () => {
  usage(() => loadOverrides('overrides:\n  t1:\n    ha_failover_timeout: 1m\n', 'o.yaml', defaultHAConfig()), /^o\.yaml: tenant "t1": unknown key "ha_failover_timeout"/);
  usage(() => loadOverrides('limits:\n  x: 1\n', 'o.yaml', defaultHAConfig()), /^o\.yaml: unknown top-level key "limits"/);
});

test('overrides: bad values name the file, tenant and key', () => {
  usage(() => loadOverrides('overrides:\n  t1:\n    ha_tracker_failover_timeout: 30\n', 'o.yaml', defaultHAConfig()), /o\.yaml: tenant "t1": ha_tracker_failover_timeout must be a duration/);
  usage(() => loadOverrides('overrides:\n  t1:\n    ha_max_clusters: -1\n', 'o.yaml', defaultHAConfig()), /tenant "t1": ha_max_clusters must be a whole number/);
  usage(() => loadOverrides('overrides:\n  t1:\n    accept_ha_samples: "yes"\n', 'o.yaml', defaultHAConfig()), /accept_ha_samples must be true or false/);
  usage(() => loadOverrides('overrides:\n  t1:\n    ha_replica_label: ""\n', 'o.yaml', defaultHAConfig()), /ha_replica_label must be a non-empty label name/);
  usage(() => loadOverrides('overrides:\n  t1: 5\n', 'o.yaml', defaultHAConfig()), /tenant "t1": settings must be a mapping/);
});

test('overrides: each tenant is validated with the systems\' rule', () => {
  usage(() => loadOverrides('overrides:\n  t1:\n    ha_tracker_failover_timeout: 10s\n', 'o.yaml', defaultHAConfig()), /^o\.yaml: tenant "t1": ha_tracker_failover_timeout 10s must be at least 21s: update timeout 15s \+ jitter max 5s \+ 1s$/);
});

test('overrides: invalid YAML says where', () => {
  usage(() => loadOverrides('overrides:\n  t1: [\n', 'o.yaml', defaultHAConfig()), /^o\.yaml: not valid YAML at line \d+, column \d+/);
  usage(() => loadOverrides('overrides:\n  t1: {}\n  t1: {}\n', 'o.yaml', defaultHAConfig()), /^o\.yaml: not valid YAML/);
});
