// `ha-dedup inspect` end to end, in process (test/cli/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runCli } from './run.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));

async function cli(args: string[], input?: Buffer) {
  const r = await runCli(args, { ...(input ? { input } : {}), env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-inspect-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('inspect --json on the fixture: version 1, sorted keys, the HA pair and its counts', async () => {
  const r = await cli(['inspect', '--json', FIXTURE]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout);
  assert.equal(j.version, 1);
  assert.deepEqual(Object.keys(j), [...Object.keys(j)].sort());
  assert.deepEqual(Object.keys(j.totals), [...Object.keys(j.totals)].sort());
  assert.equal(j.totals.requests, 146);
  assert.equal(j.totals.samples, 36352);
  assert.equal(j.totals.metadata, 1132);
  assert.equal(j.totals.bad_records, 0);
  assert.equal(j.totals.bytes_wire, 879733);
  assert.ok(j.totals.bytes_decoded > j.totals.bytes_wire);
  assert.equal(j.tenants.length, 1);
  assert.equal(j.tenants[0].tenant, 'tenant-a');
  assert.deepEqual(j.tenants[0].clusters.map((c: { cluster: string }) => c.cluster), ['dev-pair']);
  const reps = j.tenants[0].clusters[0].replicas;
  assert.deepEqual(reps.map((x: { replica: string }) => x.replica), ['replica1', 'replica2']);
  assert.equal(reps[0].samples + reps[1].samples, 36352);
  assert.equal(reps[0].requests + reps[1].requests, 142, '4 metadata-only requests belong to no replica');
  assert.deepEqual(j.inputs, [{ bad_records: 0, format: 'rwcap', path: FIXTURE, records: 146 }]);
  assert.ok(j.time_span.first_received_ms <= j.time_span.last_received_ms);
  // stable: twice the same bytes
  assert.equal((await cli(['inspect', '--json', FIXTURE])).stdout, r.stdout);
});

test('inspect table, stdin, gzip and label overrides', async () => {
  const t = await cli(['inspect', FIXTURE]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /requests\s+│ 146/);
  assert.match(t.stdout, /tenant-a │ dev-pair │ replica1/);
  const s = await cli(['inspect', '--json'], gzipSync(readFileSync(FIXTURE)));
  assert.equal(s.code, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).totals.samples, 36352);
  assert.equal(JSON.parse(s.stdout).inputs[0].path, '-');
  const o = JSON.parse((await cli(['inspect', '--json', '--cluster-label', 'job', FIXTURE])).stdout);
  assert.deepEqual(o.tenants[0].clusters.map((c: { cluster: string }) => c.cluster), ['node']);
  const p = JSON.parse((await cli(['inspect', '--json', '--replica-label', 'instance', FIXTURE])).stdout);
  assert.deepEqual(p.tenants[0].clusters[0].replicas.map((x: { replica: string }) => x.replica), ['127.0.0.1:19100']);
});

test('inspect with a bad record: one warning line, counted; --strict exits 3; missing file and directory exit 3 with one line', async () => {
  await withDir(async (dir) => {
    const full = readFileSync(FIXTURE);
    const cut = join(dir, 'cut.rwcap');
    writeFileSync(cut, full.subarray(0, full.length - 10));
    const r = await cli(['inspect', '--json', cut]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^ha-dedup: warning: ${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: record 145 at byte \\d+: truncated record: `));
    const j = JSON.parse(r.stdout);
    assert.equal(j.totals.requests, 145);
    assert.equal(j.totals.bad_records, 1);
    assert.equal(j.bad_records[0].index, 145);
    const strict = await cli(['inspect', '--strict', cut]);
    assert.equal(strict.code, 3);
    assert.equal(strict.stderr.trimEnd().split('\n').length, 1);
    assert.match(strict.stderr, /^ha-dedup: .*record 145 at byte \d+: truncated record/);
    const missing = await cli(['inspect', join(dir, 'nope.rwcap')]);
    assert.equal(missing.code, 3);
    assert.equal(missing.stderr, `ha-dedup: ${join(dir, 'nope.rwcap')}: no such file\n`);
    const d = await cli(['inspect', dir]);
    assert.equal(d.code, 3);
    assert.equal(d.stderr, `ha-dedup: ${dir}: is a directory, not an input file\n`);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const e = await cli(['inspect', '--json', empty]);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(e.stderr, `ha-dedup: warning: ${empty}: record 0 at byte 0: empty input\n`);
  });
});

test('inspect rejects bad option values with exit 2 naming the option', async () => {
  const a = await cli(['inspect', '--format', 'xml', FIXTURE]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--format/);
  const b = await cli(['inspect', '--max-decoded-size', 'lots', FIXTURE]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /--max-decoded-size/);
  const c = await cli(['inspect', '--json', '--max-decoded-size', '1KiB', FIXTURE]);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(JSON.parse(c.stdout).totals.bad_records > 100);
});

test('inspect --tenant names the tenant of records without one; ndjson bytes are counted', async () => {
  await withDir(async (dir) => {
    const nd = join(dir, 'x.ndjson');
    const text = '{"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":1000,"value":1}\n{"tenant":"t9","labels":{"__name__":"up"},"timestamp":2000,"value":"stale"}\n';
    writeFileSync(nd, text);
    const a = JSON.parse((await cli(['inspect', '--json', nd])).stdout);
    assert.deepEqual(a.tenants.map((t: { tenant: string }) => t.tenant), ['anonymous', 't9']);
    assert.equal(a.totals.bytes_wire, Buffer.byteLength(text));
    assert.equal(a.inputs[0].format, 'ndjson');
    assert.equal(a.tenants[1].non_ha_samples, 1);
    assert.deepEqual(a.time_span, { first_received_ms: null, first_sample_ms: 1000, last_received_ms: null, last_sample_ms: 2000 });
    const b = JSON.parse((await cli(['inspect', '--json', '--tenant', 'fake', nd])).stdout);
    assert.deepEqual(b.tenants.map((t: { tenant: string }) => t.tenant), ['fake', 't9']);
  });
});
