// Opening a state store: SQLite in memory by default, a SQLite file with --db (SPEC 7), or the
// plain map adapter (`--db memory:`). The CLI turns the --db value into one of these
// (src/cli/commands/replay.ts); the port they all implement is port.ts.
import { openSqliteStore, type SqliteOptions } from './sqlite.js';
import { openMemoryStore } from './memory.js';
import type { StateStore } from './port.js';

export type { StatePort, StateStore, StateSnapshot, StateOp, ClusterMemory } from './port.js';
export { applyOps } from './port.js';
export { openMemoryStore, newMemoryBacking, type MemoryBacking } from './memory.js';
export { openSqliteStore, SCHEMA_VERSION, type SqliteOptions } from './sqlite.js';

/** A store opened by its --db value: the same port, with a close() to await. */
export interface OpenedStore extends StateStore {
  close(): Promise<void>;
}

/** The --db value of the map adapter (the tracker state in plain maps, nothing on disk). */
export const MEMORY_DB = 'memory:';

/**
 * The replay's store. By --db value: `openStore('memory:')` is the map adapter, any other string
 * a SQLite file (created if missing, resumed if present). By options (round 1):
 * `openStore({})` is in-memory SQLite, `openStore({ path })` a file.
 */
export function openStore(db: string): Promise<OpenedStore>;
export function openStore(opts?: SqliteOptions): StateStore;
export function openStore(spec: string | SqliteOptions = {}): StateStore | Promise<OpenedStore> {
  if (typeof spec !== 'string') return openSqliteStore(spec);
  return new Promise<OpenedStore>((resolve) => {
    const store = spec === MEMORY_DB ? openMemoryStore() : openSqliteStore({ path: spec });
    const close = store.close.bind(store);
    resolve(Object.assign(store, { close: async () => close() }));
  });
}
