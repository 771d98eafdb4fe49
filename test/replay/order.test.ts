// Issue 12.8: inputs that are not a stream of requests in time order. Reproducers built from
// fixtures/prom-ha-dev.rwcap (3 elections when replayed as recorded): exported series by series
// (a VictoriaMetrics /api/v1/export: one line per series holding its whole history; an NDJSON
// dump sorted by series) it replayed on main as 1 election with no warning. Now replay says so
// in one warning line and in the report's clock.order, and --sort (an external sort through a
// temporary on-disk SQLite table, src/pipeline/sort.ts) gives the 3 elections back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labelsKey, valueToJSON } from '../../src/model/index.js';
import { openInput } from '../../src/pipeline/inputs.js';
import { PbReader } from '../../src/wire/pbreader.js';
import { RWCAP_MAGIC } from '../../src/wire/rwcap.js';
import { runCli } from '../cli/run.js';
import { tempDir } from '../wire/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
const ORDER_WARNING = /^ha-dedup: warning: the input is not a stream of requests in time order: /;

interface Point {
  t: number;
  v: number;
}

/** The fixture's float samples per series (labels as recorded), series in key order, samples in time order. */
async function fixtureSeries(): Promise<{ labels: Record<string, string>; points: Point[] }[]> {
  const bySeries = new Map<string, { labels: Record<string, string>; points: Point[] }>();
  for await (const req of openInput(FIXTURE, 0, { format: 'auto', maxDecodedSize: 64 << 20, strict: true, onBadRecord: () => assert.fail('bad record') })) {
    for (const ts of req.write.timeseries) {
      const key = labelsKey([...ts.labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
      let s = bySeries.get(key);
      if (s === undefined) {
        s = { labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])), points: [] };
        bySeries.set(key, s);
      }
      for (const p of ts.samples) s.points.push({ t: p.timestamp, v: p.value });
    }
  }
  const out = [...bySeries.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  for (const s of out) s.points.sort((a, b) => a.t - b.t);
  return out;
}

/** The fixture as a VictoriaMetrics /api/v1/export: one line per series with its whole history. */
function vmExport(series: Awaited<ReturnType<typeof fixtureSeries>>): string {
  return series.map((s) => JSON.stringify({ metric: s.labels, values: s.points.map((p) => valueToJSON(p.v)), timestamps: s.points.map((p) => p.t) }) + '\n').join('');
}

/** The fixture as an NDJSON dump sorted by series: one sample per line, no receive times. */
function ndjsonBySeries(series: Awaited<ReturnType<typeof fixtureSeries>>): string {
  let out = '';
  for (const s of series) for (const p of s.points) out += JSON.stringify({ tenant: 'tenant-a', labels: s.labels, timestamp: p.t, value: valueToJSON(p.v) }) + '\n';
  return out;
}

async function replay(args: string[], report: string): Promise<{ status: number; warnings: string[]; report: Record<string, any> }> {
  const r = await runCli(['replay', ...args, '--output-format', 'none', '--report', report]);
  assert.equal(r.status, 0, r.stderr);
  return { status: r.status, warnings: r.stderr.split('\n').filter((l) => l.startsWith('ha-dedup: warning: ')), report: JSON.parse(readFileSync(report, 'utf8')) };
}

test('12.8: the fixture exported series by series (vm-json, ndjson) replays as 1 election with one warning; with --sort as 3', async () => {
  const t = tempDir();
  try {
    const series = await fixtureSeries();
    const asRecorded = await replay([FIXTURE], t.file('r0.json'));
    assert.equal(asRecorded.report.totals.elections, 3);
    assert.deepEqual(asRecorded.warnings, []);
    assert.equal('order' in asRecorded.report.clock, false, 'a capture in time order has no clock.order');
    for (const [name, text, sign] of [
      // one line per series: each spans the series' whole history (its time is its newest sample)
      ['export.json', vmExport(series), /span more sample time than the failover timeout \(30s; the widest 3m50s\)/],
      // one line per sample: nearly every line goes back to the start of the next series
      ['by-series.ndjson', ndjsonBySeries(series), /\d+ of 36352 records \(98%\) would move the clock back/],
    ] as const) {
      const input = t.file(name, text);
      const plain = await replay([input], t.file('r1.json'));
      assert.equal(plain.report.totals.elections, 1, name);
      const warned = plain.warnings.filter((w) => ORDER_WARNING.test(w));
      assert.equal(warned.length, 1, `${name}: ${plain.warnings.join('\n')}`);
      assert.match(warned[0]!, sign);
      assert.match(warned[0]!, /; the report does not show what a receiver would have done \(--sort orders the records by clock time first\)$/);
      const order = plain.report.clock.order;
      assert.equal(order.sorted, false);
      assert.ok(order.wide_records > 0 || order.regressing_records > order.records / 100, JSON.stringify(order));
      assert.equal(`ha-dedup: warning: ${order.warning}`, warned[0]);

      const sorted = await replay([input, '--sort'], t.file('r2.json'));
      assert.equal(sorted.report.totals.elections, 3, name);
      assert.deepEqual(
        sorted.report.elections.map((e: { from: string | null; to: string }) => [e.from, e.to]),
        [
          [null, 'replica1'],
          ['replica1', 'replica2'],
          ['replica2', 'replica1'],
        ],
      );
      assert.deepEqual(sorted.warnings, [], name);
      assert.deepEqual(sorted.report.clock.order, { sorted: true, records: sorted.report.totals.requests, regressing_records: 0, wide_records: 0, max_record_span_ms: 0, warning: null });
      assert.equal(sorted.report.totals.samples, plain.report.totals.samples, 'every sample is replayed');
      // regrouped: one request per (tenant, cluster, replica, timestamp), never more than a scrape of one replica
      assert.ok(sorted.report.totals.requests < series.length, `${sorted.report.totals.requests} requests`);
    }
  } finally {
    t.cleanup();
  }
});

/** The fixture's records (framing included), in file order. */
function fixtureRecords(): Uint8Array[] {
  const buf = readFileSync(FIXTURE);
  const out: Uint8Array[] = [];
  const r = new PbReader(buf, RWCAP_MAGIC.length);
  let start = r.pos;
  while (r.pos < r.end) {
    r.delimited();
    r.pos = r.fieldEnd;
    out.push(buf.subarray(start, r.pos));
    start = r.pos;
  }
  return out;
}

test('12.8: a capture with more than 1% of its records out of order warns once; --sort replays it as recorded', async () => {
  const t = tempDir();
  try {
    const recs = fixtureRecords();
    assert.equal(recs.length, 146);
    // every 20th record moved 3 places later: 7 of 146 records (~5%) arrive after newer ones
    const shuffled = [...recs];
    for (let i = 0; i + 3 < shuffled.length; i += 20) shuffled.splice(i + 3, 0, ...shuffled.splice(i, 1));
    const input = t.file('shuffled.rwcap', Buffer.concat([RWCAP_MAGIC, ...shuffled]));
    const plain = await replay([input], t.file('r1.json'));
    const regress = plain.report.clock.clock_regressions;
    assert.ok(regress > 146 / 100, `${regress} regressions`);
    assert.deepEqual(plain.warnings, [`ha-dedup: warning: ${plain.report.clock.order.warning}`]);
    assert.match(plain.warnings[0]!, new RegExp(`${regress} of 146 records \\(\\d+(\\.\\d)?%\\) would move the clock back`));
    assert.equal(plain.report.clock.order.regressing_records, regress);

    const original = await replay([FIXTURE], t.file('r0.json'));
    const sorted = await replay([input, '--sort'], t.file('r2.json'));
    assert.deepEqual(sorted.warnings, []);
    assert.deepEqual(sorted.report.elections, original.report.elections);
    assert.deepEqual(sorted.report.totals, original.report.totals);
    assert.deepEqual(sorted.report.clusters, original.report.clusters);
    // the records are sorted whole (real batching kept): the same records, the same clock
    assert.deepEqual({ ...sorted.report.clock, order: undefined }, { ...original.report.clock, order: undefined });
  } finally {
    t.cleanup();
  }
});

test('12.8: --sort is a usage error with --db FILE (a resumed run skips records in the order it read them)', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['replay', FIXTURE, '--sort', '--db', t.file('state.db'), '--output-format', 'none']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^ha-dedup: --sort: not with --db FILE/);
  } finally {
    t.cleanup();
  }
});

test('12.8: a temporary directory --sort cannot use is exit 4 with one line naming TMPDIR, no stack trace', async () => {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = '/no/such/dir/for/ha-dedup';
  try {
    const r = await runCli(['replay', FIXTURE, '--sort', '--output-format', 'none']);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /^ha-dedup: cannot create the temporary table for records waiting on disk \(--sort, or records without a time\) in \/no\/such\/dir\/for\/ha-dedup: ENOENT.*; set TMPDIR to a writable directory\n$/);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});
