// The SQLite adapter (better-sqlite3): in memory by default, a file with --db. The tracker works
// from memory; this adapter receives its writes through BufferedStore and writes them behind, in
// one transaction per commit, with prepared statements. Files use WAL, and an exclusive lock so
// two runs never share one database.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { stateError, type ClusterMemory, type Election, type ReplicaDesc } from '../model/index.js';
import { BufferedStore, type Batch } from './buffered.js';
import { SCHEMA_VERSION, checkStateSchema } from './schema.js';

export { SCHEMA_VERSION };

/*
 * Schema. One row of replica_desc is the KV value Cortex/Mimir keep under "<tenant>/<cluster>"
 * (Mimir's ReplicaDesc in pkg/distributor/ha_tracker.proto):
 *
 *   tenant, cluster   the key: tenant (X-Scope-OrgID) and the value of the cluster label.
 *   replica           the elected replica: samples from any other replica of the cluster are deduped.
 *   received_at       ms; the last time the KV entry was written for the elected replica: when a
 *                     request from it was accepted and the update timeout had passed (Cortex), or
 *                     the last-seen time a background pass wrote (Mimir). Failover is measured from it.
 *   deleted_at        ms; 0 while the entry is live. Set by the 30-minute cleanup when received_at is
 *                     more than 30 minutes old: the cluster then leaves the cache, frees its
 *                     max-clusters slot, and the next replica seen is elected. The row is deleted 30
 *                     minutes later.
 *   elected_at        ms; when the current replica was elected.
 *   elected_changes   how many times the elected replica changed (0 for the first election; a
 *                     revival after deletion starts again at 0, as in Mimir).
 *
 * cluster_memory is what a Mimir distributor holds only in memory for a live cluster
 * (haClusterInfo), needed so a resumed run decides exactly as one that never stopped:
 *   elected_last_seen         ms; last request seen from the elected replica (-1e15 = not since elected).
 *   non_elected_replica       last replica seen that is not the elected one ('' = none).
 *   non_elected_last_seen     ms; when it was seen (-1e15 = never).
 *   non_elected_sample_time   ms; earliest sample time of that request (for the sample failover timeout).
 *
 * elections: every leader change, in order (from_replica NULL for a cluster's first election).
 * meta: key/value text: tracker.* (semantics, generator state, next background pass and cleanup
 * times, drawn jitter) and whatever the pipeline saves (e.g. its simulated clock).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS replica_desc (
  tenant          TEXT    NOT NULL,
  cluster         TEXT    NOT NULL,
  replica         TEXT    NOT NULL,
  received_at     INTEGER NOT NULL,
  deleted_at      INTEGER NOT NULL DEFAULT 0,
  elected_at      INTEGER NOT NULL DEFAULT 0,
  elected_changes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, cluster)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cluster_memory (
  tenant                  TEXT    NOT NULL,
  cluster                 TEXT    NOT NULL,
  elected_last_seen       INTEGER NOT NULL,
  non_elected_replica     TEXT    NOT NULL,
  non_elected_last_seen   INTEGER NOT NULL,
  non_elected_sample_time INTEGER NOT NULL,
  PRIMARY KEY (tenant, cluster)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS elections (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant       TEXT    NOT NULL,
  cluster      TEXT    NOT NULL,
  at_ms        INTEGER NOT NULL,
  from_replica TEXT,
  to_replica   TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

export interface SqliteOptions {
  /** Database file; omitted (or ":memory:") = an in-memory database. */
  path?: string;
  /** Open an existing file read-only (state show). */
  readonly?: boolean;
  /** Fail with a state error when the file does not exist. */
  mustExist?: boolean;
}

/** Turn any SQLite failure into a one-line state error (exit 4). */
function wrap(path: string, doing: string, err: unknown): never {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  const code = e?.code ?? '';
  if (code.startsWith('SQLITE_BUSY') || /locked/i.test(msg)) {
    throw stateError(`state database ${path} is locked by another process (is another ha-dedup run using this --db?)`);
  }
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(msg)) {
    throw stateError(`cannot ${doing} state database ${path}: the file is not an SQLite database`);
  }
  if (code.startsWith('SQLITE_CORRUPT') || /malformed/i.test(msg)) {
    throw stateError(`cannot ${doing} state database ${path}: the database is corrupt (${msg}); move it away or start with another --db`);
  }
  throw stateError(`cannot ${doing} state database ${path}: ${msg}`);
}

type Row = Record<string, unknown>;

class SqliteStore extends BufferedStore {
  readonly kind = 'sqlite' as const;
  readonly path: string | null;
  private readonly label: string;
  private readonly db: Database.Database;
  private readonly readonlyMode: boolean;
  private stmts!: {
    putRecord: Database.Statement;
    delRecord: Database.Statement;
    putMemory: Database.Statement;
    delMemory: Database.Statement;
    addElection: Database.Statement;
    putMeta: Database.Statement;
  };
  private writeBatch!: (b: Batch) => void;
  private closed = false;

  constructor(opts: SqliteOptions) {
    super();
    const file = opts.path !== undefined && opts.path !== ':memory:' ? opts.path : null;
    this.path = file;
    this.label = file ?? '(in memory)';
    this.readonlyMode = opts.readonly === true;
    if (file !== null && opts.mustExist && !existsSync(file)) {
      throw stateError(`state database ${file} does not exist (give the --db file a replay wrote)`);
    }
    try {
      this.db = new Database(file ?? ':memory:', { readonly: this.readonlyMode, fileMustExist: opts.mustExist === true });
    } catch (err) {
      wrap(this.label, 'open', err);
    }
    try {
      this.db.pragma('busy_timeout = 200');
      if (file !== null && !this.readonlyMode) {
        // Hold the database for the whole run; WAL keeps each commit cheap and crash-safe.
        this.db.pragma('locking_mode = EXCLUSIVE');
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
      }
      this.checkIsOurs();
      if (!this.readonlyMode) {
        this.db.exec('BEGIN IMMEDIATE');
        this.db.exec(SCHEMA);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        this.db.exec('COMMIT');
        this.prepare();
      }
      for (const r of this.all('SELECT key, value FROM meta')) this.committedMeta.set(String(r.key), String(r.value));
    } catch (err) {
      try {
        this.db.close();
      } catch {
        // already failing
      }
      if ((err as { name?: string }).name === 'HaDedupError') throw err;
      wrap(this.label, 'open', err);
    }
  }

  private checkIsOurs(): void {
    const tables = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[]).map((r) => String(r.name));
    if (this.readonlyMode && tables.length === 0) {
      throw stateError(`state database ${this.label} holds no ha-dedup state`);
    }
    // issue 13.4: an unknown state_version or a missing table is refused before anything is
    // written (no table created into someone else's file, no SQLite message)
    checkStateSchema(this.db, this.label, !this.readonlyMode);
  }

  private prepare(): void {
    const db = this.db;
    this.stmts = {
      putRecord: db.prepare(
        `INSERT INTO replica_desc (tenant, cluster, replica, received_at, deleted_at, elected_at, elected_changes)
         VALUES (@tenant, @cluster, @replica, @receivedAt, @deletedAt, @electedAt, @electedChanges)
         ON CONFLICT (tenant, cluster) DO UPDATE SET replica = excluded.replica, received_at = excluded.received_at,
           deleted_at = excluded.deleted_at, elected_at = excluded.elected_at, elected_changes = excluded.elected_changes`,
      ),
      delRecord: db.prepare('DELETE FROM replica_desc WHERE tenant = ? AND cluster = ?'),
      putMemory: db.prepare(
        `INSERT INTO cluster_memory (tenant, cluster, elected_last_seen, non_elected_replica, non_elected_last_seen, non_elected_sample_time)
         VALUES (@tenant, @cluster, @electedLastSeenMs, @nonElectedReplica, @nonElectedLastSeenMs, @nonElectedSampleTimeMs)
         ON CONFLICT (tenant, cluster) DO UPDATE SET elected_last_seen = excluded.elected_last_seen,
           non_elected_replica = excluded.non_elected_replica, non_elected_last_seen = excluded.non_elected_last_seen,
           non_elected_sample_time = excluded.non_elected_sample_time`,
      ),
      delMemory: db.prepare('DELETE FROM cluster_memory WHERE tenant = ? AND cluster = ?'),
      addElection: db.prepare('INSERT INTO elections (tenant, cluster, at_ms, from_replica, to_replica) VALUES (?, ?, ?, ?, ?)'),
      putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    const s = this.stmts;
    this.writeBatch = db.transaction((b: Batch) => {
      for (const [k, r] of b.records) {
        if (r === null) {
          const [t, c] = b.keys.get(k)!;
          s.delRecord.run(t, c);
        } else {
          s.putRecord.run(r);
        }
      }
      for (const [k, m] of b.memory) {
        if (m === null) {
          const [t, c] = b.keys.get(k)!;
          s.delMemory.run(t, c);
        } else {
          s.putMemory.run(m);
        }
      }
      for (const e of b.elections) s.addElection.run(e.tenant, e.cluster, e.atMs, e.from, e.to);
      for (const [k, v] of b.meta) s.putMeta.run(k, v);
    });
  }

  private all(sql: string): Row[] {
    try {
      return this.db.prepare(sql).all() as Row[];
    } catch (err) {
      wrap(this.label, 'read', err);
    }
  }

  protected readRecords(): ReplicaDesc[] {
    return this.all('SELECT tenant, cluster, replica, received_at, deleted_at, elected_at, elected_changes FROM replica_desc ORDER BY tenant, cluster').map((r) => ({
      tenant: String(r.tenant),
      cluster: String(r.cluster),
      replica: String(r.replica),
      receivedAt: Number(r.received_at),
      deletedAt: Number(r.deleted_at),
      electedAt: Number(r.elected_at),
      electedChanges: Number(r.elected_changes),
    }));
  }

  protected readMemory(): ClusterMemory[] {
    return this.all(
      'SELECT tenant, cluster, elected_last_seen, non_elected_replica, non_elected_last_seen, non_elected_sample_time FROM cluster_memory ORDER BY tenant, cluster',
    ).map((r) => ({
      tenant: String(r.tenant),
      cluster: String(r.cluster),
      electedLastSeenMs: Number(r.elected_last_seen),
      nonElectedReplica: String(r.non_elected_replica),
      nonElectedLastSeenMs: Number(r.non_elected_last_seen),
      nonElectedSampleTimeMs: Number(r.non_elected_sample_time),
    }));
  }

  protected readElections(): Election[] {
    return this.all('SELECT tenant, cluster, at_ms, from_replica, to_replica FROM elections ORDER BY seq').map((r) => ({
      tenant: String(r.tenant),
      cluster: String(r.cluster),
      atMs: Number(r.at_ms),
      from: r.from_replica === null ? null : String(r.from_replica),
      to: String(r.to_replica),
    }));
  }

  protected persist(b: Batch): void {
    if (this.closed) throw stateError(`state database ${this.label} is closed`);
    if (this.readonlyMode) throw stateError(`state database ${this.label} was opened read-only`);
    try {
      this.writeBatch(b);
    } catch (err) {
      wrap(this.label, 'write', err);
    }
  }

  protected clearAll(): void {
    if (this.readonlyMode) throw stateError(`state database ${this.label} was opened read-only`);
    try {
      this.db.transaction(() => {
        for (const t of ['replica_desc', 'cluster_memory', 'elections', 'meta']) this.db.exec(`DELETE FROM ${t}`);
      })();
    } catch (err) {
      wrap(this.label, 'reset', err);
    }
  }

  /** SQLite's own consistency check ("ok" when the file is sound). */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } catch (err) {
      wrap(this.label, 'close', err);
    }
  }
}

/** A SQLite-backed store: in memory unless `path` is given. Every failure is a state error (exit 4). */
export function openSqliteStore(opts: SqliteOptions = {}): SqliteStore {
  return new SqliteStore(opts);
}

export type { SqliteStore };
