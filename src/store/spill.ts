// A temporary on-disk SQLite table of records, for what the pipeline must not hold in memory:
// `--sort` (an external sort of every record by clock time, issue 12.8) and the records without a
// time of their own at the start of an input (issue 12.4). The file lives in a directory of its
// own under the system's temporary directory and is removed on close; SQLite's page cache is
// capped, so memory stays bounded whatever the number of rows. Rows come back ordered by
// (time, group, seq). Only this module (and sqlite.ts) imports better-sqlite3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stateError } from '../model/index.js';

/** One spilled record: its sort key (time, group, seq) and what it takes to rebuild the record. */
export interface SpillRow {
  /** Record time, ms (the first sort key). */
  time: number;
  /** Records with the same time and a non-empty group belong together (the second sort key). */
  group: string;
  /** Arrival order (the last sort key: ties keep input order). */
  seq: number;
  inputIndex: number;
  recordIndex: number;
  offset: number;
  tenant: string | null;
  receivedAtMs: number | null;
  /** How `data` encodes the record (the caller's code). */
  kind: number;
  wireBytes: number;
  decodedBytes: number;
  data: Uint8Array;
}

/** SQLite's page cache for the spill: pages beyond it go to the file. */
const CACHE_KIB = 16 * 1024;
/** Rows inserted per transaction. */
const BATCH = 2000;

export class RecordSpill {
  private readonly dir: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private pending: SpillRow[] = [];
  private closed = false;
  /** Rows added in all. */
  rows = 0;

  constructor() {
    try {
      this.dir = mkdtempSync(join(tmpdir(), 'ha-dedup-spill-'));
    } catch (e) {
      throw stateError(`cannot create the temporary table for records waiting on disk (--sort, or records without a time) in ${tmpdir()}: ${(e as Error).message}; set TMPDIR to a writable directory`);
    }
    try {
      this.db = new Database(join(this.dir, 'spill.sqlite'));
      this.db.pragma('journal_mode = OFF');
      this.db.pragma('synchronous = OFF');
      this.db.pragma('temp_store = FILE');
      this.db.pragma(`cache_size = -${CACHE_KIB}`);
      this.db.exec(`CREATE TABLE spill (
        t INTEGER NOT NULL, g TEXT NOT NULL, seq INTEGER NOT NULL,
        input INTEGER NOT NULL, rec INTEGER NOT NULL, off INTEGER NOT NULL,
        tenant TEXT, recv INTEGER, kind INTEGER NOT NULL,
        wire INTEGER NOT NULL, decoded INTEGER NOT NULL, data BLOB NOT NULL)`);
      this.insert = this.db.prepare('INSERT INTO spill VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true });
      throw stateError(`cannot create the temporary table for records waiting on disk in ${this.dir}: ${(e as Error).message}`);
    }
  }

  add(row: SpillRow): void {
    this.pending.push(row);
    this.rows++;
    if (this.pending.length >= BATCH) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const r of rows) {
        this.insert.run(r.time, r.group, r.seq, r.inputIndex, r.recordIndex, r.offset, r.tenant, r.receivedAtMs, r.kind, r.wireBytes, r.decodedBytes, r.data);
      }
    })();
  }

  /** Every row, ordered by (time, group, seq); read one at a time from the file. */
  *sorted(): Generator<SpillRow> {
    this.flush();
    this.db.exec('CREATE INDEX spill_order ON spill (t, g, seq)');
    yield* this.rowsOf('SELECT * FROM spill ORDER BY t, g, seq');
  }

  /** Every row in the order added (seq), then the table is emptied (the spill can be used again). */
  *drain(): Generator<SpillRow> {
    this.flush();
    yield* this.rowsOf('SELECT * FROM spill ORDER BY rowid'); // rowid: the order added
    this.db.exec('DELETE FROM spill');
  }

  private *rowsOf(sql: string): Generator<SpillRow> {
    const stmt = this.db.prepare(sql).raw(true);
    for (const r of stmt.iterate() as IterableIterator<unknown[]>) {
      yield {
        time: r[0] as number,
        group: r[1] as string,
        seq: r[2] as number,
        inputIndex: r[3] as number,
        recordIndex: r[4] as number,
        offset: r[5] as number,
        tenant: r[6] as string | null,
        receivedAtMs: r[7] as number | null,
        kind: r[8] as number,
        wireBytes: r[9] as number,
        decodedBytes: r[10] as number,
        data: r[11] as Uint8Array,
      };
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    try {
      this.db.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
