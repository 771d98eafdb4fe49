// `ha-dedup state --db FILE [show|reset]`: show or clear the tracker state a replay persisted.
// show only reads (store/readonly.ts: a private copy, no lock, nothing written beside the file),
// so it works on a read-only file system and while a replay holds the database; reset writes
// through the SQLite store, after checking that it can (store/readonly.ts names the cause).
import type { Command } from 'commander';
import { HaDedupError, isoUtc, stableJson, usageError, type Election, type ReplicaDesc } from '../../model/index.js';
import { META } from '../../tracker/index.js';
import type { openSqliteStore as OpenSqliteStore } from '../../store/index.js';
import { fitGrid, wrapText } from '../../report/grid.js';
import { printable } from '../../report/format.js';
import { terminalWidth } from '../tty.js';
import type { CliIo } from '../io.js';

// the store is loaded when `state` runs, not for every command (start-up of the CLI)
let openSqliteStore: typeof OpenSqliteStore;
let ro: typeof import('../../store/readonly.js');

interface StateOptions {
  db?: string;
  json?: boolean;
}


export interface ClusterView {
  tenant: string;
  cluster: string;
  elected_replica: string;
  received_at: string;
  received_at_ms: number;
  deleted_at: string | null;
  elected_at: string | null;
  elected_changes: number;
  elections: number;
}

function clusterViews(records: ReplicaDesc[], elections: Election[]): ClusterView[] {
  const counts = new Map<string, number>();
  for (const e of elections) {
    const k = `${e.tenant}\u0000${e.cluster}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return records.map((r) => ({
    tenant: r.tenant,
    cluster: r.cluster,
    elected_replica: r.replica,
    received_at: isoUtc(r.receivedAt),
    received_at_ms: r.receivedAt,
    deleted_at: r.deletedAt > 0 ? isoUtc(r.deletedAt) : null,
    elected_at: r.electedAt > 0 ? isoUtc(r.electedAt) : null,
    elected_changes: r.electedChanges,
    elections: counts.get(`${r.tenant}\u0000${r.cluster}`) ?? 0,
  }));
}

/** The clusters of a state database as a table (narrower forms when `width` is too small for it). */
export function renderStateTable(clusters: readonly ClusterView[], width?: number): string {
  return fitGrid(
    {
      head: ['tenant', 'cluster', 'elected replica', 'received at (UTC)', 'deleted at', 'elected at', 'elections'],
      rows: clusters.map((c) => [printable(c.tenant), printable(c.cluster), printable(c.elected_replica), c.received_at, c.deleted_at ?? '-', c.elected_at ?? '-', String(c.elections)]),
    },
    width,
    { titleColumns: 2 },
  );
}

function show(file: string, json: boolean, io: CliIo): void {
  const { snapshot, heldBy } = ro.readStateReadonly(file);
  if (heldBy.length > 0) {
    io.stderr.write(`ha-dedup: note: ${printable(file)} is in use by ${ro.describeHolder(heldBy[0]!)}: this is its state as of its last commit\n`);
  }
  {
    const records = snapshot.records;
    const elections = snapshot.elections;
    const meta = Object.fromEntries(snapshot.meta);
    const clusters = clusterViews(records, elections);
    if (json) {
      const doc = {
        version: 1,
        db: file,
        semantics: meta[META.semantics] ?? null,
        clusters,
        elections: elections.map((e) => ({ tenant: e.tenant, cluster: e.cluster, at: isoUtc(e.atMs), at_ms: e.atMs, from: e.from, to: e.to })),
        meta,
      };
      io.stdout.write(stableJson(doc));
      return;
    }
    const width = terminalWidth(io.stdout, io.env);
    const out: string[] = [];
    out.push(...wrapText(`state database: ${printable(file)}`, width));
    out.push(`semantics: ${meta[META.semantics] ?? '(none yet)'}`);
    if (meta[META.nextPassMs]) out.push(`next background pass: ${isoUtc(Number(meta[META.nextPassMs]))}`);
    if (meta[META.nextCleanupMs]) out.push(`next cleanup: ${isoUtc(Number(meta[META.nextCleanupMs]))}`);
    out.push(`clusters: ${clusters.length}, elections recorded: ${elections.length}`);
    if (clusters.length > 0) out.push(renderStateTable(clusters, width));
    io.stdout.write(out.join('\n') + '\n');
  }
}

function reset(file: string, io: CliIo): void {
  ro.checkWritable(file);
  let store: ReturnType<typeof openSqliteStore>;
  try {
    store = openSqliteStore({ path: file, mustExist: true });
  } catch (e) {
    // a run that took the database after the check: name it
    if (e instanceof HaDedupError && / is locked /.test(e.message)) throw ro.lockedError(file);
    throw e;
  }
  try {
    store.reset();
  } finally {
    store.close();
  }
  io.stderr.write(`ha-dedup: cleared all tracker state in ${printable(file)}\n`);
}

export function register(program: Command, io: CliIo): void {
  program
    .command('state')
    .description('show or clear the tracker state a replay persisted with --db (reset asks no confirmation)')
    .argument('[action]', 'show (default) or reset', 'show')
    .option('--db <file>', 'state database written by `ha-dedup replay --db FILE`')
    .option('--json', 'machine-readable output ("version": 1, keys sorted)')
    .action(async (action: string, opts: StateOptions) => {
      if (!opts.db) throw usageError('state: --db FILE is required');
      openSqliteStore = (await import('../../store/index.js')).openSqliteStore;
      ro = await import('../../store/readonly.js');
      if (action === 'show') return show(opts.db, opts.json === true, io);
      if (action === 'reset') return reset(opts.db, io);
      throw usageError(`state: unknown action "${action}" (use show or reset)`);
    });
}

