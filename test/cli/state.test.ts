// `ha-dedup state --db FILE [show|reset]` end to end (spawns bin/ha-dedup: run `npm run build` first).
// show only reads (issue 13 point 6): no -wal/-shm left beside the file, readable on a read-only
// file system and while a replay holds the database; errors name their cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { lockHolders } from '../../src/store/readonly.js';

const BIN = fileURLToPath(new URL('../../bin/ha-dedup', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function cli(args: string[], opts: { uid?: number; gid?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A db holding the fixture replayed with the cortex model (no jitter), written by `replay --db`. */
function fixtureDb(dir: string): string {
  const file = join(dir, 'state.db');
  const r = cli(['replay', FIXTURE, '--db', file, '--update-timeout-jitter-max', '0s', '--output-format', 'none', '--report-format', 'json']);
  assert.equal(r.code, 0, r.stderr);
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
    const r = cli(['state', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /semantics: cortex/);
    assert.match(r.stdout, /clusters: 1, elections recorded: 3/);
    const row = r.stdout.split('\n').find((l) => l.includes('dev-pair'));
    assert.ok(row, r.stdout);
    // cortex on the fixture: replica1 elected again at 171.985s after the first request (18:55:30.198 UTC)
    assert.match(row, /│ tenant-a +│ dev-pair +│ replica1 +│ 2026-11-24T18:5\d:\d\d\.\d{3}Z │ - +│ 2026-11-24T18:58:22\.183Z │ 3 +│/);
    assert.equal(cli(['state', '--db', db, 'show']).stdout, r.stdout);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour codes');
  }));

test('state show --json: version 1, keys sorted, one entry per cluster and per election', () =>
  withDir((dir) => {
    const db = fixtureDb(dir);
    const r = cli(['state', '--db', db, 'show', '--json']);
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
    const r = cli(['state', '--db', db, 'reset']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cleared all tracker state/);
    const doc = JSON.parse(cli(['state', '--db', db, '--json']).stdout);
    assert.deepEqual([doc.clusters, doc.elections, doc.meta, doc.semantics], [[], [], {}, null]);
  }));

test('state errors: missing file and non-database are exit 4 with one line; bad usage exit 2', () =>
  withDir((dir) => {
    const missing = cli(['state', '--db', join(dir, 'nope.db')]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /^ha-dedup: state database .*nope\.db does not exist/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.equal(cli(['state', '--db', join(dir, 'nope.db'), 'reset']).code, 4);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite at all, just some text that is long enough'.repeat(100));
    const bad = cli(['state', '--db', junk]);
    assert.equal(bad.code, 4);
    assert.match(bad.stderr, /not an SQLite database/);
    assert.equal(cli(['state']).code, 2);
    assert.equal(cli(['state', '--db', junk, 'frobnicate']).code, 2);
  }));

/** The names in a directory, sorted. */
const ls = (dir: string) => readdirSync(dir).sort();

test('state show writes nothing beside the database: no -wal, no -shm (directory the same before and after)', () =>
  withDir((dir) => {
    const db = fixtureDb(dir);
    const before = ls(dir);
    assert.deepEqual(before, ['state.db'], 'a finished replay leaves only the database');
    assert.equal(cli(['state', '--db', db]).code, 0);
    assert.equal(cli(['state', '--db', db, '--json']).code, 0);
    assert.deepEqual(ls(dir), before);
  }));

test('state show while a replay holds the database: its last committed state, the replay named; reset says locked by its pid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-state-cli-'));
  try {
    const db = fixtureDb(dir);
    // a replay that has opened the database and waits for input on stdin: it holds it
    // (with the settings the database was written with: other ones are refused at once, issue 13.4)
    const replay = spawn(process.execPath, [BIN, 'replay', '-', '--db', db, '--output-format', 'none', '--update-timeout-jitter-max', '0s'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let replayErr = '';
    replay.stderr!.on('data', (c: Buffer) => (replayErr += c.toString()));
    const exited = new Promise<number | null>((res) => replay.on('close', (code) => res(code)));
    try {
      for (let i = 0; lockHolders(db).length === 0; i++) {
        assert.ok(i < 200, `the replay did not lock ${db}: ${replayErr}`);
        await new Promise((res) => setTimeout(res, 25));
      }
      assert.deepEqual(lockHolders(db).map((h) => h.pid), [replay.pid]);
      const before = ls(dir);
      const r = cli(['state', '--db', db, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.elections.map((e: { from: string | null; to: string }) => `${e.from}->${e.to}`), ['null->replica1', 'replica1->replica2', 'replica2->replica1']);
      assert.match(r.stderr, new RegExp(`note: .*state\\.db is in use by pid ${replay.pid} \\(ha-dedup replay - --db .*state\\.db --output-format none --update-timeout-jitter-max 0s\\): this is its state as of its last commit`));
      assert.deepEqual(ls(dir), before, 'nothing created beside the database');
      const reset = cli(['state', '--db', db, 'reset']);
      assert.equal(reset.code, 4);
      assert.match(reset.stderr, new RegExp(`^ha-dedup: state database .*state\\.db is locked by pid ${replay.pid} \\(ha-dedup replay -`));
      assert.equal(reset.stderr.trim().split('\n').length, 1);
    } finally {
      replay.stdin!.end();
      replay.kill('SIGKILL');
      await exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('state show on a read-only file system; reset there says read-only', { skip: isRoot ? false : 'needs root to bind-mount a directory read-only' }, () =>
  withDir((dir) => {
    const src = join(dir, 'src');
    const ro = join(dir, 'ro');
    mkdirSync(src);
    mkdirSync(ro);
    fixtureDb(src);
    const m = spawnSync('sh', ['-c', `mount --bind "${src}" "${ro}" && mount -o remount,ro,bind "${ro}"`], { encoding: 'utf8' });
    if (m.status !== 0) {
      // a container without CAP_SYS_ADMIN: the read-only directory test below covers the same SQLite failure
      process.stderr.write(`# read-only mount not possible here (${m.stderr.trim()}); only the non-root case runs\n`);
      return;
    }
    try {
      const db = join(ro, 'state.db');
      const before = ls(ro);
      const r = cli(['state', '--db', db]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /clusters: 1, elections recorded: 3/);
      assert.deepEqual(ls(ro), before);
      const reset = cli(['state', '--db', db, 'reset']);
      assert.equal(reset.code, 4);
      assert.match(reset.stderr, /^ha-dedup: cannot write state database .*state\.db: it is on a read-only file system\n$/);
    } finally {
      spawnSync('umount', [ro]);
    }
  }));

test('state show as a user who may only read (read-only file and directory); permission denied named; reset refused naming it', { skip: isRoot ? false : 'needs root to run ha-dedup as another user' }, () =>
  withDir((dir) => {
    const d = join(dir, 'ro');
    mkdirSync(d);
    const db = fixtureDb(d);
    chmodSync(db, 0o444);
    chmodSync(d, 0o555);
    chmodSync(dir, 0o755);
    const as = { uid: NOBODY, gid: NOBODY };
    const before = ls(d);
    const r = cli(['state', '--db', db], as);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /clusters: 1, elections recorded: 3/);
    assert.deepEqual(ls(d), before);
    const reset = cli(['state', '--db', db, 'reset'], as);
    assert.equal(reset.code, 4);
    assert.match(reset.stderr, /^ha-dedup: cannot write state database .*state\.db: permission denied on .*state\.db \(writing needs write permission on the file and its directory\)\n$/);
    // not even readable: permission denied, not "unable to open database file"
    const secret = join(dir, 'secret.db');
    copyFileSync(db, secret);
    chmodSync(secret, 0o600);
    chownSync(secret, 0, 0);
    const denied = cli(['state', '--db', secret], as);
    assert.equal(denied.code, 4);
    assert.match(denied.stderr, /^ha-dedup: cannot read state database .*secret\.db: permission denied on .*secret\.db \(the user running ha-dedup needs read permission on it\)\n$/);
    chmodSync(d, 0o755);
  }));

test('not a ha-dedup state database of this version: no tables, foreign tables, unknown state_version, a missing table (exit 4)', () =>
  withDir((dir) => {
    const make = (name: string, sql: string): string => {
      const f = join(dir, name);
      const d = new Database(f);
      d.exec(sql);
      d.close();
      return f;
    };
    const cases: [string, RegExp][] = [
      [make('empty.db', 'PRAGMA user_version = 0'), /an empty SQLite database: no tables/],
      [make('other.db', 'CREATE TABLE users (id INTEGER)'), /an SQLite database without ha-dedup's tables \(it has users\)/],
      [make('future.db', `CREATE TABLE replica_desc (tenant, cluster, replica, received_at, deleted_at, elected_at, elected_changes);
        CREATE TABLE cluster_memory (tenant, cluster, elected_last_seen, non_elected_replica, non_elected_last_seen, non_elected_sample_time);
        CREATE TABLE elections (seq, tenant, cluster, at_ms, from_replica, to_replica); CREATE TABLE meta (key, value); PRAGMA user_version = 99`), /its state_version is 99; this ha-dedup reads 1/],
      [make('partial.db', 'CREATE TABLE replica_desc (tenant, cluster, replica, received_at, deleted_at, elected_at, elected_changes); PRAGMA user_version = 1'), /missing tables cluster_memory, elections, meta/],
    ];
    for (const [f, re] of cases) {
      const r = cli(['state', '--db', f]);
      assert.equal(r.code, 4, `${f}: ${r.stderr}`);
      assert.match(r.stderr, /^ha-dedup: state database .* is not a ha-dedup state database of this version \(/);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  }));
