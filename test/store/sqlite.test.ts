// What only the SQLite adapter does: files in WAL mode, clear state errors (missing, not a
// database, someone else's database, locked, corrupt), reading with a read-only handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HaDedupError } from '../../src/model/index.js';
import { openSqliteStore, openStore } from '../../src/store/index.js';

function tmp(): { dir: string; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-sqlite-'));
  return { dir, file: join(dir, 'state.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

function stateErr(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HaDedupError, `expected HaDedupError, got ${String(err)}`);
    assert.equal(err.exitCode, 4);
    assert.match(err.message, re);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

const desc = { tenant: 't', cluster: 'c', replica: 'r1', receivedAt: 1, deletedAt: 0, electedAt: 1, electedChanges: 0 };

test('openStore() is SQLite in memory; with a path it is a file in WAL mode', () => {
  const t = tmp();
  try {
    const m = openStore();
    assert.equal(m.kind, 'sqlite');
    assert.equal(m.path, null);
    m.close();
    const s = openStore({ path: t.file });
    s.putRecord(desc);
    s.commit();
    s.close();
    assert.ok(existsSync(t.file));
    const db = new Database(t.file, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.prepare('SELECT count(*) AS n FROM replica_desc').get()!.n, 1);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  } finally {
    t.done();
  }
});

test('a missing file is a state error when it must exist', () => {
  const t = tmp();
  try {
    stateErr(() => openSqliteStore({ path: t.file, mustExist: true, readonly: true }), /state database .*state\.db does not exist/);
    assert.ok(!existsSync(t.file), 'no file created');
  } finally {
    t.done();
  }
});

test('a file that is not a database is a state error', () => {
  const t = tmp();
  try {
    writeFileSync(t.file, 'RWCAP1\n' + 'x'.repeat(5000));
    stateErr(() => openSqliteStore({ path: t.file }), /state\.db.*not an SQLite database/);
    stateErr(() => openSqliteStore({ path: t.file, readonly: true, mustExist: true }), /not an SQLite database/);
  } finally {
    t.done();
  }
});

test("someone else's SQLite database is refused, not written to", () => {
  const t = tmp();
  try {
    const db = new Database(t.file);
    db.exec('CREATE TABLE users (id INTEGER)');
    db.close();
    stateErr(() => openSqliteStore({ path: t.file }), /not a ha-dedup state database of this version \(an SQLite database without ha-dedup's tables \(it has users\)\)/);
    const again = new Database(t.file, { readonly: true });
    const tables = again.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[];
    again.close();
    assert.deepEqual(tables.map((r) => r.name), ['users']);
  } finally {
    t.done();
  }
});

test('a database in use by another run is locked: a state error, not a hang', () => {
  const t = tmp();
  try {
    const a = openSqliteStore({ path: t.file });
    a.putRecord(desc);
    a.commit();
    stateErr(() => openSqliteStore({ path: t.file }), /locked by another process/);
    stateErr(() => openSqliteStore({ path: t.file, readonly: true, mustExist: true }), /locked by another process/);
    a.close();
    const b = openSqliteStore({ path: t.file, readonly: true, mustExist: true });
    assert.deepEqual(b.loadRecords(), [desc]);
    b.close();
  } finally {
    t.done();
  }
});

test('a corrupt database is a state error', () => {
  const t = tmp();
  try {
    const s = openSqliteStore({ path: t.file });
    for (let i = 0; i < 2000; i++) s.putRecord({ ...desc, cluster: `cluster-${i}`, replica: 'r'.repeat(50) });
    s.commit();
    s.close();
    // Fold the WAL into the file, then overwrite everything after the first page.
    const db = new Database(t.file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(t.file);
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
    writeFileSync(t.file, bytes);
    stateErr(() => {
      const c = openSqliteStore({ path: t.file });
      try {
        c.loadRecords();
      } finally {
        c.close();
      }
    }, /state database .*state\.db/);
  } finally {
    t.done();
  }
});

test('a read-only store reads but cannot write', () => {
  const t = tmp();
  try {
    const s = openSqliteStore({ path: t.file });
    s.setMeta('k', 'v');
    s.commit();
    s.close();
    const r = openSqliteStore({ path: t.file, readonly: true, mustExist: true });
    assert.equal(r.getMeta('k'), 'v');
    r.setMeta('k', 'w');
    stateErr(() => r.commit(), /read-only/);
    r.close();
  } finally {
    t.done();
  }
});

test('a file that cannot be created is a state error naming it', () => {
  const t = tmp();
  try {
    stateErr(() => openSqliteStore({ path: join(t.dir, 'no', 'such', 'dir', 'state.db') }), /cannot open state database .*no\/such\/dir\/state\.db: /);
  } finally {
    t.done();
  }
});
