// `ha-dedup state --db FILE [show|reset]` end to end (spawns bin/ha-dedup: run `npx tsc -p .` first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTracker, defaultHAConfig, tenantConfigs } from '../../src/tracker/index.js';
import { openStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import { fixtureRequests } from '../tracker/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/ha-dedup', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A db holding the fixture replayed with the cortex model (no jitter). */
function fixtureDb(dir: string): string {
  const file = join(dir, 'state.db');
  const store = openStore({ path: file });
  const t = createTracker({ semantics: 'cortex', configs: tenantConfigs({ ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 }), store, random: createPrng(1) });
  let now = -Infinity;
  for (const r of fixtureRequests()) {
    now = Math.max(now, r.receivedAtMs);
    t.advance(now);
    t.decide(r.tenant, r.write, now);
  }
  t.flush();
  store.close();
  return file;
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-state-cli-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('state show prints clusters, elected replicas, UTC times and election counts', () =>
  withDir((dir) => {
    const db = fixtureDb(dir);
    const r = cli('state', '--db', db);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /semantics: cortex/);
    assert.match(r.stdout, /clusters: 1, elections recorded: 3/);
    const row = r.stdout.split('\n').find((l) => l.includes('dev-pair'));
    assert.ok(row, r.stdout);
    // cortex on the fixture: replica1 elected again at 171.985s after the first request (18:55:30.198 UTC)
    assert.match(row, /│ tenant-a +│ dev-pair +│ replica1 +│ 2026-11-24T18:5\d:\d\d\.\d{3}Z │ - +│ 2026-11-24T18:58:22\.183Z │ 3 +│/);
    assert.equal(cli('state', '--db', db, 'show').stdout, r.stdout);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour codes');
  }));

test('state show --json: version 1, keys sorted, one entry per cluster and per election', () =>
  withDir((dir) => {
    const db = fixtureDb(dir);
    const r = cli('state', '--db', db, 'show', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.version, 1);
    assert.equal(doc.semantics, 'cortex');
    assert.equal(doc.clusters.length, 1);
    assert.deepEqual(
      { ...doc.clusters[0], received_at: undefined, received_at_ms: undefined },
      { tenant: 'tenant-a', cluster: 'dev-pair', elected_replica: 'replica1', deleted_at: null, elected_at: '2026-11-24T18:58:22.183Z', elected_changes: 2, elections: 3, received_at: undefined, received_at_ms: undefined },
    );
    assert.deepEqual(doc.elections.map((e: { from: string | null; to: string }) => `${e.from}->${e.to}`), ['null->replica1', 'replica1->replica2', 'replica2->replica1']);
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    assert.equal(r.stdout, JSON.stringify(sorted(doc), null, 2) + '\n');
  }));

test('state reset clears everything without asking', () =>
  withDir((dir) => {
    const db = fixtureDb(dir);
    const r = cli('state', '--db', db, 'reset');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cleared all tracker state/);
    const doc = JSON.parse(cli('state', '--db', db, '--json').stdout);
    assert.deepEqual([doc.clusters, doc.elections, doc.meta, doc.semantics], [[], [], {}, null]);
  }));

test('state errors: missing file and non-database are exit 4 with one line; bad usage exit 2', () =>
  withDir((dir) => {
    const missing = cli('state', '--db', join(dir, 'nope.db'));
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /^ha-dedup: state database .*nope\.db does not exist/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.equal(cli('state', '--db', join(dir, 'nope.db'), 'reset').code, 4);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite at all, just some text that is long enough'.repeat(100));
    const bad = cli('state', '--db', junk);
    assert.equal(bad.code, 4);
    assert.match(bad.stderr, /not an SQLite database/);
    assert.equal(cli('state').code, 2);
    assert.equal(cli('state', '--db', junk, 'frobnicate').code, 2);
  }));

test('state show on a database a run is using: exit 4, locked', () =>
  withDir((dir) => {
    const db = fixtureDb(dir);
    const holder = openStore({ path: db }); // holds the exclusive lock, like a running replay
    try {
      const r = cli('state', '--db', db);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /^ha-dedup: state database .*state\.db is locked by another process/);
    } finally {
      holder.close();
    }
    assert.equal(cli('state', '--db', db).code, 0);
  }));
