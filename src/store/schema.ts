// What makes an SQLite file a ha-dedup state database of this version (issue 13 point 4): its
// state_version (SQLite's user_version, and the tracker's `tracker.state_version` meta entry)
// is SCHEMA_VERSION, and it has every table with every column this version reads. Both the
// replay's store (sqlite.ts) and `state show` (readonly.ts) check a file with checkStateSchema
// before using it, so an unknown version or a missing table is one exit-4 line, never an SQLite
// message ("ON CONFLICT clause does not match ...") or a table created into someone else's file.
import type Database from 'better-sqlite3';
import { stateError } from '../model/index.js';

export const SCHEMA_VERSION = 1;

/** The meta entry that repeats the state_version inside the data (written by the tracker). */
export const STATE_VERSION_META = 'tracker.state_version';

/** The tables (and the columns read) of a state database of SCHEMA_VERSION; sqlite.ts writes them. */
export const TABLES: Record<string, readonly string[]> = {
  replica_desc: ['tenant', 'cluster', 'replica', 'received_at', 'deleted_at', 'elected_at', 'elected_changes'],
  cluster_memory: ['tenant', 'cluster', 'elected_last_seen', 'non_elected_replica', 'non_elected_last_seen', 'non_elected_sample_time'],
  elections: ['seq', 'tenant', 'cluster', 'at_ms', 'from_replica', 'to_replica'],
  meta: ['key', 'value'],
};

export function notOurs(file: string, why: string): never {
  throw stateError(`state database ${file} is not a ha-dedup state database of this version (${why}); give the --db file a replay of this ha-dedup wrote`);
}

type Row = Record<string, unknown>;

/**
 * Throw the "not a ha-dedup state database of this version" state error naming why, unless `db`
 * is one. `emptyOk`: a database with no tables at all passes (a new --db, created by the replay).
 * Returns false for such an empty database, true for a state database.
 */
export function checkStateSchema(db: Database.Database, file: string, emptyOk: boolean): boolean {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = new Map<string, Set<string>>();
  for (const r of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Row[]) {
    const name = String(r.name);
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Row[]).map((c) => String(c.name));
    tables.set(name, new Set(cols));
  }
  if (tables.size === 0) {
    if (emptyOk && version === 0) return false;
    notOurs(file, version === 0 ? 'it is an empty SQLite database: no tables' : `it has no tables but its state_version is ${version}`);
  }
  const missing = Object.keys(TABLES).filter((t) => !tables.has(t));
  if (missing.length === Object.keys(TABLES).length) notOurs(file, `an SQLite database without ha-dedup's tables (it has ${[...tables.keys()].sort().join(', ')})`);
  if (version !== SCHEMA_VERSION) notOurs(file, `its state_version is ${version}; this ha-dedup reads ${SCHEMA_VERSION}`);
  if (missing.length > 0) notOurs(file, `missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  for (const [t, cols] of Object.entries(TABLES)) {
    const lack = cols.filter((c) => !tables.get(t)!.has(c));
    if (lack.length > 0) notOurs(file, `table ${t} lacks column${lack.length > 1 ? 's' : ''} ${lack.join(', ')}`);
  }
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(STATE_VERSION_META) as Row | undefined;
  if (row !== undefined && String(row.value) !== String(SCHEMA_VERSION)) {
    notOurs(file, `its ${STATE_VERSION_META} is ${JSON.stringify(String(row.value))}; this ha-dedup reads ${SCHEMA_VERSION}`);
  }
  return true;
}
