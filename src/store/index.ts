// Opening a state store: SQLite in memory by default, a SQLite file with --db (SPEC 7).
import { openSqliteStore, type SqliteOptions } from './sqlite.js';
import type { StateStore } from './port.js';

export type { StateStore, StateSnapshot, ClusterMemory, TrackerStore } from './port.js';
export { snapshotOf } from './port.js';
export { openMemoryStore, newMemoryBacking, type MemoryBacking } from './memory.js';
export { openSqliteStore, SCHEMA_VERSION, type SqliteOptions } from './sqlite.js';

/** The replay's store: `openStore({})` is in-memory SQLite, `openStore({ path })` a file (created if missing, resumed if present). */
export function openStore(opts: SqliteOptions = {}): StateStore {
  return openSqliteStore(opts);
}
