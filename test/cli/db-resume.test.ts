// `replay --db FILE` resumed (issue 13 points 4 and 5, issue 12 point 14), through the built CLI
// on real SQLite files: the settings a database records and a resume under other ones, an
// unknown state_version or a missing table, input older than the saved state, the clusters and
// elections of an earlier run in the report, and SIGINT/SIGTERM/kill -9 on a real child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');

function run(args: string[], opts: { input?: string | Buffer } = {}) {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, input: opts.input, maxBuffer: 256 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-db-resume-'));
  return (async () => {
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('ha-dedup: warning:'));

/** The fixture as ndjson lines, and a request boundary (a change of received_at_ms) at or after `at` of them. */
function fixtureLines(dir: string): string[] {
  const nd = join(dir, 'all.ndjson');
  const conv = run(['convert', FIXTURE, '-o', nd, '--to', 'ndjson']);
  assert.equal(conv.code, 0, conv.stderr);
  return readFileSync(nd, 'utf8').split('\n').filter(Boolean);
}
function boundary(lines: string[], at: number): number {
  const recv = (l: string) => JSON.parse(l).received_at_ms;
  let cut = at;
  while (recv(lines[cut]!) === recv(lines[cut - 1]!)) cut++;
  return cut;
}

test('13.4: the settings that shape decisions are recorded; a resume under others is exit 2 naming each, unless --allow-config-change', () =>
  withDir((dir) => {
    const db = join(dir, 's.db');
    const lines = fixtureLines(dir);
    const cut = boundary(lines, Math.floor(lines.length / 2));
    writeFileSync(join(dir, 'p1.ndjson'), lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(join(dir, 'p2.ndjson'), lines.slice(cut).join('\n') + '\n');
    const ov = join(dir, 'ov.yaml');
    writeFileSync(ov, 'overrides:\n  tenant-b:\n    ha_tracker_failover_timeout: 1m  # a comment\n    ha_max_clusters: 2\n');
    const first = run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--overrides', ov, '--output-format', 'none', '-q']);
    assert.equal(first.code, 0, first.stderr);
    // what the database holds: every setting of the list
    const raw = new Database(db, { readonly: true });
    const saved = JSON.parse((raw.prepare("SELECT value FROM meta WHERE key = 'replay.settings'").get() as { value: string }).value);
    raw.close();
    assert.deepEqual(Object.keys(saved).sort(), [
      'cluster_label', 'dedupe', 'failover_timeout_ms', 'max_clusters', 'overrides_digest', 'replica_label', 'sample_failover_timeout_ms',
      'seed', 'semantics', 'tenant', 'update_timeout_jitter_max_ms', 'update_timeout_ms',
    ]);
    assert.match(saved.overrides_digest, /^sha256:[0-9a-f]{64}$/);

    // the same settings, the overrides rewritten without changing what they set: no difference
    writeFileSync(ov, 'overrides:\n  tenant-b:\n    ha_max_clusters: 2\n    ha_tracker_failover_timeout: 60s\n');
    const same = run(['replay', join(dir, 'p2.ndjson'), '--db', db, '--overrides', ov, '--output-format', 'none', '-q', '--report', join(dir, 'same.json')]);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(json(join(dir, 'same.json')).config.db.changes, []);

    // other settings: exit 2, one line naming each difference, nothing written to the database
    writeFileSync(ov, 'overrides:\n  tenant-b:\n    ha_max_clusters: 3\n    ha_tracker_failover_timeout: 60s\n');
    const dump = () => {
      const d = new Database(db, { readonly: true });
      const rows = ['meta', 'replica_desc', 'cluster_memory', 'elections'].map((t) => d.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all());
      d.close();
      return rows;
    };
    const before = dump();
    const args = [
      'replay', join(dir, 'p2.ndjson'), '--db', db, '--overrides', ov, '--output-format', 'none', '--report', join(dir, 'r.json'),
      '--failover-timeout', '45s', '--seed', '7', '--dedupe', 'per-sample', '--replica-label', 'replica', '--tenant', 'other',
      '--update-timeout', '10s', '--update-timeout-jitter-max', '2s', '--max-clusters', '5', '--cluster-label', 'ha_cluster',
    ];
    const refused = run(args);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr.split('\n').filter(Boolean).length, 1, refused.stderr);
    for (const part of [
      '--tenant anonymous in the database, other now',
      '--dedupe per-request in the database, per-sample now',
      '--cluster-label cluster in the database, ha_cluster now',
      '--replica-label __replica__ in the database, replica now',
      '--update-timeout 15s in the database, 10s now',
      '--update-timeout-jitter-max 5s in the database, 2s now',
      '--seed 1 in the database, 7 now',
      '--failover-timeout 30s in the database, 45s now',
      '--max-clusters 0 in the database, 5 now',
      '--overrides: the per-tenant overrides differ (tenant "tenant-b" ha_max_clusters 2 -> 3)',
    ]) assert.ok(refused.stderr.includes(part), `names ${part}: ${refused.stderr}`);
    assert.match(refused.stderr, /^ha-dedup: --db .*s\.db was written with other settings: .*; resume with the same settings, or give --allow-config-change/);
    assert.ok(!existsSync(join(dir, 'r.json')), 'no report of a run that did not start');
    assert.deepEqual(dump(), before, 'the state is untouched');

    // --allow-config-change: one warning per difference, the report's config shows both values
    const allowed = run([...args, '--allow-config-change']);
    assert.equal(allowed.code, 0, allowed.stderr);
    const w = warnings(allowed.stderr).filter((l) => l.includes('resumed under another setting'));
    assert.equal(w.length, 10, allowed.stderr);
    const rep = json(join(dir, 'r.json'));
    assert.equal(rep.config.db.settings.failover_timeout_ms, 30000, 'the recorded value');
    assert.equal(rep.config.defaults.ha_tracker_failover_timeout, '45s', 'the effective value');
    assert.deepEqual(rep.config.db.changes.find((c: { setting: string }) => c.setting === 'failover_timeout_ms'), { setting: 'failover_timeout_ms', option: '--failover-timeout', db: '30s', run: '45s' });
    assert.equal(rep.config.db.changes.length, 10);
    // from now on the database records the new settings: the same command resumes silently
    const again = run([...args]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(warnings(again.stderr).filter((l) => l.includes('another setting')).length, 0, again.stderr);

    // the semantics never change on a database: exit 2 even with --allow-config-change
    const mimir = run([...args, '--semantics', 'mimir', '--allow-config-change']);
    assert.equal(mimir.code, 2, mimir.stderr);
    assert.match(mimir.stderr, /^ha-dedup: --db .*s\.db holds cortex tracker state: it cannot be resumed with --semantics mimir, not even with --allow-config-change/);
    const mimirPlain = run([...args, '--semantics', 'mimir']);
    assert.equal(mimirPlain.code, 2);
    assert.ok(mimirPlain.stderr.includes('--semantics cortex in the database, mimir now'), mimirPlain.stderr);
    // --allow-config-change means nothing without a database
    const noDb = run(['replay', join(dir, 'p2.ndjson'), '--allow-config-change', '--output-format', 'none', '-q']);
    assert.equal(noDb.code, 2);
    assert.match(noDb.stderr, /--allow-config-change: only with --db FILE/);
  }));

test('13.4: a database written before settings were recorded resumes with one warning and records them', () =>
  withDir((dir) => {
    const db = join(dir, 'old.db');
    assert.equal(run(['replay', FIXTURE, '--db', db, '--output-format', 'none', '-q']).code, 0);
    const raw = new Database(db);
    raw.prepare("DELETE FROM meta WHERE key LIKE 'replay.%' AND key != 'replay.clock'").run();
    raw.close();
    const r = run(['replay', FIXTURE, '--db', db, '--output-format', 'none', '--failover-timeout', '40s']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      warnings(r.stderr).filter((l) => l.includes('records no settings')),
      [`ha-dedup: warning: --db ${db}: the database records no settings (an older ha-dedup wrote it): they cannot be compared; this run's are recorded now`],
    );
    const next = run(['replay', FIXTURE, '--db', db, '--output-format', 'none']);
    assert.equal(next.code, 2, 'the settings recorded by the previous run are checked');
    assert.match(next.stderr, /--failover-timeout 40s in the database, 30s now/);
  }));

test('13.4: an unknown state_version or a missing table is exit 4 "not a ha-dedup state database of this version"; nothing is created in the file', () =>
  withDir((dir) => {
    const make = (name: string, sql: string): string => {
      const f = join(dir, name);
      const d = new Database(f);
      d.exec(sql);
      d.close();
      return f;
    };
    const all = `CREATE TABLE replica_desc (tenant, cluster, replica, received_at, deleted_at, elected_at, elected_changes);
      CREATE TABLE cluster_memory (tenant, cluster, elected_last_seen, non_elected_replica, non_elected_last_seen, non_elected_sample_time);
      CREATE TABLE elections (seq, tenant, cluster, at_ms, from_replica, to_replica); CREATE TABLE meta (key, value);`;
    const cases: [string, RegExp][] = [
      [make('future.db', `${all} PRAGMA user_version = 2`), /its state_version is 2; this ha-dedup reads 1/],
      [make('zero.db', `${all} PRAGMA user_version = 0`), /its state_version is 0; this ha-dedup reads 1/],
      [make('meta.db', `${all} INSERT INTO meta VALUES ('tracker.state_version', '9'); PRAGMA user_version = 1`), /its tracker\.state_version is "9"; this ha-dedup reads 1/],
      [make('partial.db', 'CREATE TABLE replica_desc (tenant, cluster, replica, received_at, deleted_at, elected_at, elected_changes); PRAGMA user_version = 1'), /missing tables cluster_memory, elections, meta/],
      [make('other.db', 'CREATE TABLE users (id INTEGER)'), /an SQLite database without ha-dedup's tables \(it has users\)/],
    ];
    for (const [f, re] of cases) {
      const tablesBefore = new Database(f, { readonly: true });
      const names = (d: Database.Database) => (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      const before = names(tablesBefore);
      tablesBefore.close();
      const r = run(['replay', FIXTURE, '--db', f, '--output-format', 'none']);
      assert.equal(r.code, 4, `${f}: ${r.stderr}`);
      assert.match(r.stderr, /^ha-dedup: state database .* is not a ha-dedup state database of this version \(/);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      const after = new Database(f, { readonly: true });
      assert.deepEqual(names(after), before, `${f}: no table created`);
      after.close();
    }
  }));

test('13.4: input older than the saved clock warns once, with the count; the same capture given again is skipped as applied', () =>
  withDir((dir) => {
    const db = join(dir, 's.db');
    const lines = fixtureLines(dir);
    const cut = boundary(lines, Math.floor(lines.length / 2));
    writeFileSync(join(dir, 'p1.ndjson'), lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(join(dir, 'p2.ndjson'), lines.slice(cut).join('\n') + '\n');
    assert.equal(run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--output-format', 'none', '-q']).code, 0);
    assert.equal(run(['replay', join(dir, 'p2.ndjson'), '--db', db, '--output-format', 'none', '-q']).code, 0);
    // the first half again, now behind the saved clock (the database's last run was the second half)
    const r = run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--output-format', 'none', '--report', join(dir, 'r.json')]);
    assert.equal(r.code, 0, r.stderr);
    const rep = json(join(dir, 'r.json'));
    const w = warnings(r.stderr).filter((l) => l.includes('before the saved state'));
    assert.equal(w.length, 1, r.stderr);
    assert.equal(rep.resume.records_before_state, rep.totals.requests, 'every request of the first half is before the clock');
    assert.ok(rep.totals.requests > 10);
    assert.match(w[0]!, new RegExp(`p1\\.ndjson: the input starts before the saved state: ${rep.totals.requests} records are before it \\(the --db clock is at .*Z\\); did you replay the same capture twice\\?$`));
    assert.equal(rep.resume.skipped_records, 0);
    // that run applied the first half again: a run on it now skips every record as already applied
    const twice = run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--output-format', 'none', '--report', join(dir, 't.json')]);
    assert.equal(twice.code, 0, twice.stderr);
    const t = json(join(dir, 't.json'));
    assert.equal(t.resume.skipped_records, rep.totals.requests);
    assert.equal(t.totals.requests, 0);
    assert.equal(warnings(twice.stderr).filter((l) => l.includes('before the saved state')).length, 0, twice.stderr);
  }));

test('12.14: a resumed run shows the replica the state elected for clusters elected earlier, and which elections were before it', () =>
  withDir((dir) => {
    const db = join(dir, 's.db');
    const lines = fixtureLines(dir);
    // cut after the last election of the capture (at +2m47s): the second part elects nothing
    const one = run(['replay', join(dir, 'all.ndjson'), '--output-format', 'none', '--report', join(dir, 'one.json'), '-q']);
    assert.equal(one.code, 0);
    const oneRep = json(join(dir, 'one.json'));
    const lastElection = oneRep.elections[oneRep.elections.length - 1].at_ms;
    let cut = lines.findIndex((l) => JSON.parse(l).received_at_ms > lastElection + 5000);
    cut = boundary(lines, cut);
    writeFileSync(join(dir, 'p1.ndjson'), lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(join(dir, 'p2.ndjson'), lines.slice(cut).join('\n') + '\n');
    assert.equal(run(['replay', join(dir, 'p1.ndjson'), '--db', db, '--output-format', 'none', '-q']).code, 0);
    const r = run(['replay', join(dir, 'p2.ndjson'), '--db', db, '--output-format', 'none', '--report', join(dir, 'p2.json')]);
    assert.equal(r.code, 0, r.stderr);
    const rep = json(join(dir, 'p2.json'));
    assert.equal(rep.totals.elections, 0, 'no election in the second part');
    assert.equal(rep.clusters.length, 1);
    assert.equal(rep.clusters[0].elected_replica, oneRep.clusters[0].elected_replica, 'the replica the state elected, not null');
    assert.deepEqual(
      rep.resume.elections_before,
      oneRep.elections.map((e: { tenant: string; cluster: string; at_ms: number; from: string | null; to: string }) => ({ tenant: e.tenant, cluster: e.cluster, at_ms: e.at_ms, from: e.from, to: e.to })),
    );
    // the human table: the elected replica instead of "-", and the elections before the run
    const table = r.stdout.toString('utf8');
    const row = table.split('\n').find((l) => l.includes('dev-pair'))!;
    const cells = row.split('│').map((c) => c.trim());
    assert.deepEqual(cells.slice(1, 4), ['tenant-a', 'dev-pair', oneRep.clusters[0].elected_replica], row);
    assert.match(table, /resumed from --db .*s\.db \(its clock at .*Z\): 3 elections before this run/);
    assert.match(table, /before this run: tenant-a \/ dev-pair: replica2 → replica1 at 2026-11-24T18:58:17\.183Z/);
  }));

// ---- signals on a real child process (13.5) ------------------------------------------------------

/** An ndjson input of `n` one-sample requests from a pair that fails over half way: big enough to be stopped while it runs. */
function bigInput(file: string, n: number): void {
  const out: string[] = [];
  const t0 = 1_795_546_530_000;
  for (let i = 0; i < n; i++) {
    const t = t0 + i * 100;
    const rep = i < n / 2 ? 'a' : i % 2 ? 'a' : 'b';
    if (i > n / 2 && i < n / 2 + 400 && rep === 'a') continue; // a stops for 40s: b takes over
    out.push(JSON.stringify({ labels: { __name__: 'up', cluster: 'c', __replica__: rep, job: 'j' }, timestamp: t, value: i, received_at_ms: t }));
  }
  writeFileSync(file, out.join('\n') + '\n');
}

/** Size of the output being written to `file`: the file itself, or one staged beside it (`.NAME.*.tmp`); 0 when there is none yet. */
function outputSize(file: string): number {
  const dir = dirname(file);
  const name = basename(file);
  for (const f of [name, ...readdirSync(dir).filter((n) => n.startsWith(`.${name}.`) && n.endsWith('.tmp'))]) {
    try {
      const size = statSync(join(dir, f)).size;
      if (size > 0) return size;
    } catch {
      // not there (yet, or any more)
    }
  }
  return 0;
}

/** Start `replay` and send `signal` once its output file has data (so it is in the middle of its input). */
function runUntil(args: string[], outFile: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolvePromise) => {
    const env = { ...process.env, NO_COLOR: '1' };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(() => {
      if (outputSize(outFile) > 0) {
        clearInterval(timer);
        child.kill(signal);
      }
    }, 2);
    child.on('exit', (code, sig) => {
      clearInterval(timer);
      resolvePromise({ code, signal: sig, stderr });
    });
  });
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`13.5: ${signal} during replay --db: output flushed, state committed after it, a partial report, exit ${code}; the re-run skips what was applied`, () =>
    withDir(async (dir) => {
      const input = join(dir, 'in.ndjson');
      bigInput(input, 100_000);
      const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
      // the reference: one run over everything
      const full = run(['replay', input, '-o', join(dir, 'full.out'), '-q']);
      assert.equal(full.code, 0, full.stderr);
      const db = join(dir, 's.db');
      const out1 = join(dir, 'out1');
      const r = await runUntil(['replay', input, '--db', db, '-o', out1, '--report', join(dir, 'r1.json')], out1, signal);
      assert.equal(r.code, code, r.stderr);
      const last = r.stderr.trim().split('\n').pop()!;
      const m = new RegExp(`^ha-dedup: ${signal}: stopped at line (\\d+) of ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; --db ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds the state after it; the report is partial$`).exec(last);
      assert.ok(m, last);
      const stoppedAt = Number(m[1]);
      assert.ok(stoppedAt > 0 && stoppedAt < lines.length, `stopped in the middle: line ${stoppedAt} of ${lines.length}`);
      // the partial report: marked, and it counts exactly the lines up to the stop
      const rep = json(join(dir, 'r1.json'));
      assert.equal(rep.complete, false);
      assert.equal(rep.totals.requests, stoppedAt);
      // the output holds exactly what one run over those lines writes
      writeFileSync(join(dir, 'prefix.ndjson'), lines.slice(0, stoppedAt).join('\n') + '\n');
      const prefix = run(['replay', join(dir, 'prefix.ndjson'), '-o', join(dir, 'prefix.out'), '-q']);
      assert.equal(prefix.code, 0);
      assert.ok(readFileSync(out1).equals(readFileSync(join(dir, 'prefix.out'))), 'output = the output of the applied lines, flushed');
      // the state is consistent and its position is the stop
      const raw = new Database(db, { readonly: true });
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      const pos = JSON.parse((raw.prepare("SELECT value FROM meta WHERE key = 'replay.position'").get() as { value: string }).value);
      raw.close();
      assert.equal(pos.inputs[0].index, stoppedAt);
      assert.equal(pos.output.bytes, statSync(out1).size);
      // the re-run skips the applied lines: both outputs together are the one-run output
      const out2 = join(dir, 'out2');
      const again = run(['replay', input, '--db', db, '-o', out2, '--report', join(dir, 'r2.json')]);
      assert.equal(again.code, 0, again.stderr);
      const rep2 = json(join(dir, 'r2.json'));
      assert.equal(rep2.resume.skipped_records, stoppedAt);
      assert.equal(rep2.totals.requests, lines.length - stoppedAt);
      assert.equal(rep2.complete, undefined, 'a complete report carries no mark');
      assert.ok(Buffer.concat([readFileSync(out1), readFileSync(out2)]).equals(readFileSync(join(dir, 'full.out'))), 'no record lost, none written twice');
      assert.equal(rep.totals.elections + rep2.totals.elections, 2);
      assert.match(again.stderr, new RegExp(`skipped ${stoppedAt} records already applied to --db`));
    }));
}

test('13.5: after kill -9 the state never runs ahead of the written output; the recorded output size resumes it without duplicates', () =>
  withDir(async (dir) => {
    const input = join(dir, 'in.ndjson');
    bigInput(input, 100_000);
    const full = run(['replay', input, '-o', join(dir, 'full.out'), '-q']);
    assert.equal(full.code, 0, full.stderr);
    const db = join(dir, 's.db');
    const out1 = join(dir, 'out1');
    // killed once the first batch is committed: output past 1000 requests (~110 KB) and a flush
    const r = await new Promise<{ signal: NodeJS.Signals | null }>((res) => {
      const child = spawn(process.execPath, [BIN, 'replay', input, '--db', db, '-o', out1], { cwd: ROOT, stdio: 'ignore' });
      const timer = setInterval(() => {
        if (outputSize(out1) > 600_000) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 2);
      child.on('exit', (_c, signal) => {
        clearInterval(timer);
        res({ signal });
      });
    });
    assert.equal(r.signal, 'SIGKILL');
    const raw = new Database(db); // read-write: it recovers the WAL the killed run left
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    const pos = JSON.parse((raw.prepare("SELECT value FROM meta WHERE key = 'replay.position'").get() as { value: string }).value);
    raw.close();
    const written = statSync(pos.output.file).size;
    assert.ok(pos.output.bytes <= written, `the state (output at ${pos.output.bytes} bytes) is not ahead of the output (${written} bytes)`);
    assert.equal(pos.inputs[0].records % 1000, 0, 'it lags by whole commit batches');
    // the documented resume: keep the output as it was at the last commit, append the resumed run's
    const out2 = join(dir, 'out2');
    const again = run(['replay', input, '--db', db, '-o', out2, '--report', join(dir, 'r2.json')]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(json(join(dir, 'r2.json')).resume.skipped_records, pos.inputs[0].records);
    // the file the killed run was writing (-o itself, or a file staged beside it)
    assert.ok(typeof pos.output.file === 'string' && existsSync(pos.output.file), JSON.stringify(pos.output));
    assert.ok(again.stderr.includes(`truncate -s ${pos.output.bytes} ${pos.output.file}`), again.stderr);
    const kept = readFileSync(pos.output.file).subarray(0, pos.output.bytes);
    assert.ok(Buffer.concat([kept, readFileSync(out2)]).equals(readFileSync(join(dir, 'full.out'))), 'no duplicates, nothing lost');
  }));

test('13.5: with several inputs each one skips its own applied records', () =>
  withDir((dir) => {
    const db = join(dir, 's.db');
    const lines = fixtureLines(dir);
    const cut = boundary(lines, Math.floor(lines.length / 3));
    writeFileSync(join(dir, 'p1.ndjson'), lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(join(dir, 'p2.ndjson'), lines.slice(cut).join('\n') + '\n');
    const one = run(['replay', join(dir, 'all.ndjson')]);
    assert.equal(one.code, 0, one.stderr);
    const a = run(['replay', join(dir, 'p1.ndjson'), '--db', db]);
    assert.equal(a.code, 0, a.stderr);
    // both parts now: the first is applied already, the second is not
    const b = run(['replay', join(dir, 'p1.ndjson'), join(dir, 'p2.ndjson'), '--db', db, '--report', join(dir, 'b.json')]);
    assert.equal(b.code, 0, b.stderr);
    const rep = json(join(dir, 'b.json'));
    assert.deepEqual(rep.resume.inputs.map((i: { skipped_records: number }) => i.skipped_records > 0), [true, false]);
    assert.equal(rep.resume.records_before_state, 0);
    assert.ok(Buffer.concat([a.stdout, b.stdout]).equals(one.stdout), 'the two runs write what one run writes');
    // and once more: everything is applied
    const c = run(['replay', join(dir, 'p2.ndjson'), join(dir, 'p1.ndjson'), '--db', db, '--report', join(dir, 'c.json')]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.length, 0);
    assert.equal(json(join(dir, 'c.json')).totals.requests, 0);
  }));
