// Reading a state database without writing anything beside it (`ha-dedup state show`), and the
// causes of a failure to open one, named (permission denied, read-only file system, locked by
// pid N, not a ha-dedup state database of this version) instead of SQLite's "unable to open
// database file" or "disk I/O error".
//
// Even a read-only SQLite connection writes: on a WAL database it creates FILE-wal and FILE-shm
// (and leaves them), it cannot open at all where it may not create them (a read-only file
// system, a directory the user cannot write), and a replay holds its database with an exclusive
// lock that refuses every other connection (SQLITE_BUSY). So state show reads a private copy:
// FILE, and FILE-wal when there is one (it holds the commits not yet checkpointed into FILE),
// copied into a fresh temporary directory and opened there read-only (better-sqlite3 `readonly`,
// `fileMustExist`). The copy needs only read permission, takes no lock and writes nothing beside
// FILE. It is consistent: SQLite's WAL recovery ignores a commit that was being appended while
// the WAL was copied (its frames' checksums do not hold), and the copy is retried when FILE itself
// changed during it (a checkpoint). What it shows is the state as of the last complete commit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { stateError, type ClusterMemory, type Election, type ReplicaDesc, type StateSnapshot } from '../model/index.js';
import { TABLES, checkStateSchema } from './schema.js';

/** A process holding a lock on a database file (from /proc/locks, Linux). */
export interface DbHolder {
  pid: number;
  /** Its command line, shortened ("" when it cannot be read). */
  command: string;
}

export interface ReadonlyState {
  snapshot: StateSnapshot;
  /** Processes other than this one holding a lock on the file (a replay using it), oldest lock first. */
  heldBy: DbHolder[];
}


function errno(e: unknown): string {
  return (e as { code?: string }).code ?? '';
}

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(SLEEP, 0, 0, ms);
}

function shorten(argv: string[]): string {
  // "node /x/bin/ha-dedup replay ..." reads better as "ha-dedup replay ..."
  const i = argv.findIndex((a) => /(^|\/)ha-dedup$/.test(a));
  const words = i >= 0 ? ['ha-dedup', ...argv.slice(i + 1)] : argv;
  const s = words.join(' ');
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function commandOf(pid: number): string {
  try {
    return shorten(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== ''));
  } catch {
    return '';
  }
}

/** Whether process `pid` has `real` open (null when its descriptors cannot be read). */
function hasOpen(pid: number, real: string): boolean | null {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === real) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/**
 * The processes (other than this one) holding a POSIX or flock lock on `file`, as /proc/locks
 * lists them (Linux; elsewhere none are found). SQLite's locks are POSIX advisory locks.
 */
export function lockHolders(file: string): DbHolder[] {
  let text: string;
  let st: fs.BigIntStats;
  let real: string;
  try {
    text = fs.readFileSync('/proc/locks', 'utf8');
    st = fs.statSync(file, { bigint: true });
    real = fs.realpathSync(file);
  } catch {
    return [];
  }
  const dev = st.dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 16215 fe:00:2146784 1073741826 1073742335" ("->" lines wait for a lock)
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[1] === '->') continue;
    const pid = Number(f[4]);
    const id = f[5]!.split(':');
    if (id.length !== 3 || BigInt(id[2]!) !== st.ino || !Number.isInteger(pid) || pid === process.pid || pids.includes(pid)) continue;
    const open = hasOpen(pid, real);
    const sameDev = parseInt(id[0]!, 16) === major && parseInt(id[1]!, 16) === minor;
    if (open === true || (open === null && sameDev)) pids.push(pid);
  }
  return pids.map((pid) => ({ pid, command: commandOf(pid) }));
}

/** "pid 123 (ha-dedup replay x.rwcap --db s.db)" */
export function describeHolder(h: DbHolder): string {
  return `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`;
}


function readError(file: string, e: unknown, what = file): never {
  const code = errno(e);
  if (code === 'ENOENT') throw stateError(`state database ${file} does not exist (give the --db file a replay wrote)`);
  if (code === 'EACCES' || code === 'EPERM') {
    throw stateError(`cannot read state database ${file}: permission denied on ${what} (the user running ha-dedup needs read permission on it)`);
  }
  if (code === 'EISDIR') throw stateError(`state database ${file} is a directory, not a database file`);
  throw stateError(`cannot read state database ${file}: ${(e as Error).message}`);
}

interface FileId {
  ino: bigint;
  size: bigint;
  mtime: bigint;
  ctime: bigint;
}
function fileId(p: string): FileId {
  const s = fs.statSync(p, { bigint: true });
  return { ino: s.ino, size: s.size, mtime: s.mtimeNs, ctime: s.ctimeNs };
}
const sameId = (a: FileId, b: FileId) => a.ino === b.ino && a.size === b.size && a.mtime === b.mtime && a.ctime === b.ctime;

/** Copy FILE (and FILE-wal, FILE-journal) into `dir` while FILE does not change; returns the copy's path. */
function copyConsistent(file: string, dir: string): string {
  const copy = path.join(dir, 'state.db');
  for (let attempt = 0; ; attempt++) {
    let before: FileId;
    try {
      before = fileId(file);
      if (!fs.statSync(file).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      fs.copyFileSync(file, copy);
    } catch (e) {
      readError(file, e);
    }
    for (const side of ['-wal', '-journal']) {
      try {
        fs.copyFileSync(file + side, copy + side);
      } catch (e) {
        if (errno(e) === 'ENOENT') {
          fs.rmSync(copy + side, { force: true });
          continue;
        }
        readError(file, e, `${file}${side} (${side === '-wal' ? 'its write-ahead log, which holds the latest commits' : 'its rollback journal'})`);
      }
    }
    let after: FileId | null = null;
    try {
      after = fileId(file);
    } catch {
      // gone meanwhile: the next attempt says so
    }
    if (after !== null && sameId(before, after)) return copy;
    if (attempt >= 20) {
      const held = lockHolders(file);
      throw stateError(
        `cannot read state database ${file}: it kept changing while it was copied${held.length > 0 ? ` (it is in use by ${describeHolder(held[0]!)})` : ''}; try again`,
      );
    }
    sleepMs(10 + attempt * 10);
  }
}

type Row = Record<string, unknown>;

function readSnapshot(db: Database.Database, file: string): StateSnapshot {
  checkStateSchema(db, file, false);
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  const records: ReplicaDesc[] = all(`SELECT ${TABLES.replica_desc!.join(', ')} FROM replica_desc ORDER BY tenant, cluster`).map((r) => ({
    tenant: String(r.tenant),
    cluster: String(r.cluster),
    replica: String(r.replica),
    receivedAt: Number(r.received_at),
    deletedAt: Number(r.deleted_at),
    electedAt: Number(r.elected_at),
    electedChanges: Number(r.elected_changes),
  }));
  const memory: ClusterMemory[] = all(`SELECT ${TABLES.cluster_memory!.join(', ')} FROM cluster_memory ORDER BY tenant, cluster`).map((r) => ({
    tenant: String(r.tenant),
    cluster: String(r.cluster),
    electedLastSeenMs: Number(r.elected_last_seen),
    nonElectedReplica: String(r.non_elected_replica),
    nonElectedLastSeenMs: Number(r.non_elected_last_seen),
    nonElectedSampleTimeMs: Number(r.non_elected_sample_time),
  }));
  const elections: Election[] = all('SELECT tenant, cluster, at_ms, from_replica, to_replica FROM elections ORDER BY seq').map((r) => ({
    tenant: String(r.tenant),
    cluster: String(r.cluster),
    atMs: Number(r.at_ms),
    from: r.from_replica === null ? null : String(r.from_replica),
    to: String(r.to_replica),
  }));
  const meta: [string, string][] = all('SELECT key, value FROM meta').map((r) => [String(r.key), String(r.value)]);
  meta.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { records, memory, elections, meta };
}

function sqliteError(file: string, e: unknown): never {
  const msg = (e as Error).message ?? String(e);
  const code = errno(e);
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(msg)) throw stateError(`cannot read state database ${file}: the file is not an SQLite database`);
  if (code.startsWith('SQLITE_CORRUPT') || /malformed/i.test(msg)) {
    throw stateError(`cannot read state database ${file}: the database is corrupt (${msg}); move it away or start with another --db`);
  }
  throw stateError(`cannot read state database ${file}: ${msg}`);
}

/**
 * Read the whole state of a database without writing anything beside it and without taking a
 * lock on it (see the file comment): works on a read-only file or file system and while a
 * replay holds the database. Every failure is a state error (exit 4) naming its cause.
 */
export function readStateReadonly(file: string): ReadonlyState {
  try {
    fs.statSync(file);
  } catch (e) {
    readError(file, e);
  }
  try {
    fs.closeSync(fs.openSync(file, 'r'));
  } catch (e) {
    readError(file, e);
  }
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-dedup-state-'));
  } catch (e) {
    throw stateError(`cannot read state database ${file}: no private copy can be made in ${os.tmpdir()} (${(e as Error).message}); set TMPDIR to a writable directory`);
  }
  try {
    const copy = copyConsistent(file, dir);
    let db: Database.Database;
    try {
      db = new Database(copy, { readonly: true, fileMustExist: true });
    } catch (e) {
      sqliteError(file, e);
    }
    try {
      let snapshot: StateSnapshot;
      try {
        snapshot = readSnapshot(db, file);
      } catch (e) {
        if ((e as { name?: string }).name === 'HaDedupError') throw e;
        sqliteError(file, e);
      }
      return { snapshot, heldBy: lockHolders(file) };
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Before writing to an existing database (`state reset`): a state error naming why it cannot be
 * written, or nothing. Missing file, read-only file system, permission denied (on the file, or on
 * its directory, where SQLite creates FILE-wal), locked by a running process (its pid).
 */
export function checkWritable(file: string): void {
  try {
    fs.statSync(file);
  } catch (e) {
    readError(file, e);
  }
  const dir = path.dirname(path.resolve(file));
  for (const [p, what] of [
    [file, file],
    [dir, `its directory ${dir}, where SQLite writes ${path.basename(file)}-wal`],
  ] as const) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      if (errno(e) === 'EROFS') throw stateError(`cannot write state database ${file}: it is on a read-only file system`);
      if (errno(e) === 'EACCES' || errno(e) === 'EPERM') {
        throw stateError(`cannot write state database ${file}: permission denied on ${what} (writing needs write permission on the file and its directory)`);
      }
      throw stateError(`cannot write state database ${file}: ${(e as Error).message}`);
    }
  }
  const held = lockHolders(file);
  if (held.length > 0) throw lockedError(file, held);
}

/** "locked by pid N (command)" from /proc/locks, else "locked by another process". */
export function lockedError(file: string, held: DbHolder[] = lockHolders(file)): ReturnType<typeof stateError> {
  const who = held.length > 0 ? describeHolder(held[0]!) : 'another process';
  return stateError(`state database ${file} is locked by ${who}; try again once that run has ended`);
}
