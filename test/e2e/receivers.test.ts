// End to end: replay's deduplicated output of the bundled fixture written into real receivers,
// then read back from them (SPEC 4.4, 4.5, 8):
//   - VictoriaMetrics (Debian 1.79): `--output-format vm-json` POSTed to /api/v1/import, read
//     back with /api/v1/export;
//   - Prometheus (Debian 2.42, --web.enable-remote-write-receiver): `--output-format rwcap`,
//     each record's body POSTed to /api/v1/write as it is, read back with /api/v1/query.
// What is checked: no series read back carries the replica label, every one has the cluster
// label, and the receiver holds exactly the samples (series, timestamps, values) the output
// holds, the expected figures computed from the output and the JSON report, never hard-coded.
//
// Each receiver is skipped with a reason when its binary is not on PATH, unless
// HA_DEDUP_REQUIRE_VICTORIAMETRICS / HA_DEDUP_REQUIRE_PROMETHEUS is set (CI sets both), in
// which case the test fails. Loopback only, temp dirs, free ports; processes are killed in
// `t.after` whatever happens. Needs the built CLI (`npm run build`).
import { test } from 'node:test';
import { onPath, sleep, freePort, Fatal, waitFor, skipReason } from './util.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openInput } from '../../src/pipeline/inputs.js';
import { tempDir, BIN, FIXTURE } from '../record/helpers.js';

const REPLICA_LABEL = '__replica__';
const CLUSTER = 'dev-pair';

const VM_ENV = 'HA_DEDUP_REQUIRE_VICTORIAMETRICS';
const PROM_ENV = 'HA_DEDUP_REQUIRE_PROMETHEUS';
const SKIP_VM = skipReason('victoria-metrics', 'victoria-metrics', VM_ENV);
const SKIP_PROM = skipReason('prometheus', 'prometheus', PROM_ENV);

interface Proc {
  child: ChildProcess;
  log(): string;
  exit: Promise<number | null>;
}

/**
 * Servers started by one test, with the temp dir they write into: `stop()` (the test's only
 * `after` hook) kills each (SIGKILL: its data is throwaway), waits for it, then removes the dir.
 */
class Servers {
  private procs: Proc[] = [];
  constructor(readonly cleanup: () => void) {}

  start(cmd: string, args: string[]): Proc {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    child.on('error', (e) => (log += `spawn error: ${e.message}\n`));
    const exit = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const p = { child, log: () => log, exit };
    this.procs.push(p);
    return p;
  }

  async stop(): Promise<void> {
    for (const p of this.procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (timer = setTimeout(r, 15_000)));
    await Promise.race([Promise.all(this.procs.map((p) => p.exit)), bound]);
    clearTimeout(timer); // a pending timer would keep the test process alive
    this.cleanup();
  }
}

async function waitReady(p: Proc, name: string, url: string): Promise<void> {
  await waitFor(`${name} ready at ${url}`, 30_000, async () => {
    if (p.child.exitCode !== null) throw new Fatal(`${name} exited with ${p.child.exitCode}:\n${p.log()}`);
    return (await fetch(url)).ok ? true : undefined;
  });
}

/** `node bin/ha-dedup ...args`, bounded; fails the test on a non-zero exit. */
function cli(args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 40_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `ha-dedup ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** A replay of the fixture with no jitter (deterministic), to `out` in `format`, JSON report to `report`. */
function replayFixture(format: string, out: string, report: string): { stderr: string; totals: Record<string, number> } {
  const { stderr } = cli(['replay', FIXTURE, '--update-timeout-jitter-max', '0', '--output-format', format, '-o', out, '--report', report, '--report-format', 'json']);
  return { stderr, totals: JSON.parse(readFileSync(report, 'utf8')).totals };
}

/** A series key independent of label order. */
function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** One sample as read from either side; value as a number (NaN, ±Inf included). */
type Point = [timestamp: number, value: number];

function specialValue(v: number | string): number {
  if (typeof v === 'number') return v;
  // Prometheus's query API writes every value as a string: "0.25", "1e+21", "+Inf", "NaN"
  if (/^[+-]?(\d|\.\d)/.test(v) && Number.isFinite(Number(v))) return Number(v);
  switch (v.replace(/^\+/, '').toLowerCase()) {
    case 'inf':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    case 'nan':
      return NaN;
  }
  throw new Error(`unexpected sample value ${JSON.stringify(v)}`);
}

/**
 * VictoriaMetrics export lines. 1.79 exports ±Inf and NaN as bare tokens (`+Inf`, not valid
 * JSON): quote them inside the values array before parsing.
 */
function parseVmLines(text: string): { metric: Record<string, string>; points: Point[] }[] {
  const out: { metric: Record<string, string>; points: Point[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fixed = line.replace(/"values":\[[^\]]*\]/, (vals) => vals.replace(/([[,])\s*([+-]?(?:Inf|NaN))\s*(?=[,\]])/g, '$1"$2"'));
    const o = JSON.parse(fixed) as { metric: Record<string, string>; values: (number | string)[]; timestamps: number[] };
    assert.equal(o.values.length, o.timestamps.length, `values and timestamps differ in length: ${line.slice(0, 200)}`);
    out.push({ metric: o.metric, points: o.timestamps.map((ts, i) => [ts, specialValue(o.values[i]!)]) });
  }
  return out;
}

/** Lines grouped by series, points sorted by timestamp (stable: a receiver stores them in time order). */
function bySeries(lines: { metric: Record<string, string>; points: Point[] }[]): Map<string, { labels: Record<string, string>; points: Point[] }> {
  const m = new Map<string, { labels: Record<string, string>; points: Point[] }>();
  for (const { metric, points } of lines) {
    const k = seriesKey(metric);
    let s = m.get(k);
    if (!s) m.set(k, (s = { labels: metric, points: [] }));
    s.points.push(...points);
  }
  for (const s of m.values()) s.points.sort((a, b) => a[0] - b[0]);
  return m;
}

function countPoints(m: Map<string, { points: Point[] }>): number {
  let n = 0;
  for (const s of m.values()) n += s.points.length;
  return n;
}

function timeRange(m: Map<string, { points: Point[] }>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const s of m.values()) for (const [ts] of s.points) (min = Math.min(min, ts)), (max = Math.max(max, ts));
  return { min, max };
}

function assertHaLabels(m: Map<string, { labels: Record<string, string> }>, where: string): void {
  for (const { labels } of m.values()) {
    assert.ok(!(REPLICA_LABEL in labels), `${where}: series with the replica label: ${JSON.stringify(labels)}`);
    assert.equal(labels.cluster, CLUSTER, `${where}: series without cluster="${CLUSTER}": ${JSON.stringify(labels)}`);
  }
}

/** Same series, same timestamps; values equal exactly, or within `relTol` when given. */
function assertSameSeries(
  got: Map<string, { labels: Record<string, string>; points: Point[] }>,
  want: Map<string, { labels: Record<string, string>; points: Point[] }>,
  where: string,
  exactNames: ReadonlySet<string>,
  relTol: number,
): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${where}: series read back differ from the output's`);
  for (const [k, w] of want) {
    const g = got.get(k)!;
    assert.deepEqual(g.points.map((p) => p[0]), w.points.map((p) => p[0]), `${where}: timestamps of ${k}`);
    const exact = exactNames.has(w.labels.__name__ ?? '');
    w.points.forEach(([ts, wv], i) => {
      const gv = g.points[i]![1];
      if (exact || !Number.isFinite(wv) || wv === 0) {
        assert.ok(Object.is(gv, wv) || (gv === 0 && wv === 0), `${where}: ${k} at ${ts}: read back ${gv}, output has ${wv}`);
      } else {
        assert.ok(Math.abs(gv - wv) <= relTol * Math.abs(wv), `${where}: ${k} at ${ts}: read back ${gv}, output has ${wv}`);
      }
    });
  }
}

/** The "left out N NaN value(s)" warning of the vm-json writer (0 when there is none). */
function nanLeftOut(stderr: string): number {
  const m = /left out (\d+) NaN value/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

// ----------------------------------------------------------------------------------------------
// VictoriaMetrics

/**
 * VictoriaMetrics stores a float as a decimal (int64 mantissa, exponent), which can move the
 * last bit or two of a value with 16-17 significant digits (on the fixture 159 of 18,456
 * values, e.g. 29.535935000000002 reads back as 29.535935, at most ~1.2e-15 relative). These
 * series hold short decimals and integers and must come back bit for bit; every other value
 * within this relative tolerance, every timestamp exactly.
 */
const VM_EXACT = new Set(['up', 'go_goroutines', 'node_load1', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const VM_REL_TOL = 1e-14;

interface Vm {
  url: string;
  proc: Proc;
  /** VictoriaMetrics answers 204 to an import even when it skips a line it cannot parse; it only logs it. */
  importErrors(): string[];
}

async function startVm(servers: Servers, dir: string): Promise<Vm> {
  const port = await freePort();
  const proc = servers.start('victoria-metrics', [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${join(dir, 'vm-data')}`,
    // the fixture was recorded on 2026-11-24; samples outside the retention period are dropped
    // on import, so keep everything whenever this runs (the unit is months without a suffix)
    '-retentionPeriod=100y',
    '-search.disableCache',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, 'victoria-metrics', `${url}/health`);
  return { url, proc, importErrors: () => proc.log().split('\n').filter((l) => /\terror\t.*(vmimport|cannot unmarshal)/.test(l)) };
}

async function vmImport(vm: Vm, body: Buffer): Promise<void> {
  const res = await fetch(`${vm.url}/api/v1/import`, { method: 'POST', body: new Uint8Array(body) });
  assert.equal(res.status, 204, `import answered ${res.status}: ${await res.text()}`);
  // make what was just imported searchable now rather than within a second or so
  const flush = await fetch(`${vm.url}/internal/force_flush`);
  assert.equal(flush.status, 200, `force_flush answered ${flush.status}`);
}

async function vmExport(vm: Vm, match: string, minMs: number, maxMs: number): Promise<string> {
  const q = new URLSearchParams({ 'match[]': match, start: String((minMs - 1000) / 1000), end: String((maxMs + 1000) / 1000) });
  const res = await fetch(`${vm.url}/api/v1/export?${q}`);
  const text = await res.text();
  assert.equal(res.status, 200, `export answered ${res.status}: ${text}`);
  return text;
}

/**
 * Export until `want` samples are there (bounded: force_flush makes them visible at once), or
 * at once when VictoriaMetrics has logged a skipped import line since `errorsBefore`.
 */
async function vmExportSeries(vm: Vm, match: string, minMs: number, maxMs: number, want: number, errorsBefore: number) {
  const end = Date.now() + 30_000;
  for (;;) {
    const m = bySeries(parseVmLines(await vmExport(vm, match, minMs, maxMs)));
    if (countPoints(m) >= want || vm.importErrors().length > errorsBefore || Date.now() > end) return m;
    await sleep(500);
  }
}

test('victoria-metrics 1.79: vm-json output imported with /api/v1/import reads back unchanged', { skip: SKIP_VM, timeout: 90_000 }, async (t) => {
  assert.ok(onPath('victoria-metrics'), `victoria-metrics is not on PATH but ${VM_ENV} is set: install the Debian "victoria-metrics" package`);
  const tmp = tempDir('e2e-vm');
  const servers = new Servers(tmp.cleanup);
  t.after(() => servers.stop());
  const vm = await startVm(servers, tmp.dir);

  await t.test('the fixture: no replica label, every sample the output holds', async (t) => {
    const out = join(tmp.dir, 'out.vm.json');
    const { stderr, totals } = replayFixture('vm-json', out, join(tmp.dir, 'r.json'));
    const body = readFileSync(out);
    const written = bySeries(parseVmLines(body.toString('utf8')));
    const samples = countPoints(written);
    // what replay writes: accepted, non-HA and passthrough samples, NaN values left out (SPEC 4.5)
    const leftOut = nanLeftOut(stderr);
    assert.equal(samples, totals.accepted_samples! + totals.non_ha_samples! + totals.passthrough_samples! - leftOut, `vm-json samples vs report ${JSON.stringify(totals)}, ${leftOut} NaN left out`);
    assert.ok(samples > 0 && totals.deduped_samples! > 0, 'the fixture has samples both written and deduplicated');
    assertHaLabels(written, 'vm-json output');
    const { min, max } = timeRange(written);
    t.diagnostic(`vm-json: ${written.size} series, ${samples} samples (${leftOut} NaN left out), ${new Date(min).toISOString()} → ${new Date(max).toISOString()}`);

    await vmImport(vm, body);
    const got = await vmExportSeries(vm, '{__name__!=""}', min, max, samples, 0);
    assert.deepEqual(vm.importErrors(), [], 'victoria-metrics skipped lines of the import');
    assert.equal(countPoints(got), samples, 'samples read back = samples in the vm-json output');
    assert.equal(got.size, written.size, 'series read back = series in the vm-json output');
    assertHaLabels(got, 'victoria-metrics');
    assertSameSeries(got, written, 'victoria-metrics', VM_EXACT, VM_REL_TOL);
    for (const name of VM_EXACT) {
      assert.ok([...written.values()].some((s) => s.labels.__name__ === name), `the fixture output has no ${name} series to compare exactly`);
    }
  });

  // ndjson input: consecutive lines with one tenant and one received_at_ms are one request,
  // consecutive lines with the same labels one series (docs/wire.md)
  const SPECIAL_T = Date.UTC(2026, 10, 24, 19, 0, 0);
  const specialInput = (name: string, values: (number | string)[]): string =>
    values
      .map((v, i) => JSON.stringify({ tenant: 't', received_at_ms: SPECIAL_T + 10_000, labels: { __name__: name, cluster: 'c', [REPLICA_LABEL]: 'a' }, timestamp: SPECIAL_T + i * 1000, value: v }))
      .join('\n') + '\n';
  const replaySpecial = (name: string, values: (number | string)[]) => {
    const input = join(tmp.dir, `${name}.ndjson`);
    const out = join(tmp.dir, `${name}.vm.json`);
    writeFileSync(input, specialInput(name, values));
    const { stderr } = cli(['replay', input, '--output-format', 'vm-json', '-o', out, '--report-format', 'json']);
    return { stderr, body: readFileSync(out) };
  };

  await t.test('NaN and stale markers are left out with a warning; the finite values around them read back', async () => {
    const { stderr, body } = replaySpecial('special_nan', [1, 'NaN', 2.5, 'stale', 3]);
    assert.equal(nanLeftOut(stderr), 2, `the vm-json warning: ${stderr}`);
    const written = bySeries(parseVmLines(body.toString('utf8')));
    assert.deepEqual([...written.values()].map((s) => s.points), [[[SPECIAL_T, 1], [SPECIAL_T + 2000, 2.5], [SPECIAL_T + 4000, 3]]]);
    const before = vm.importErrors().length;
    await vmImport(vm, body);
    const got = await vmExportSeries(vm, 'special_nan', SPECIAL_T, SPECIAL_T + 4000, 3, before);
    assert.deepEqual(vm.importErrors().slice(before), [], 'victoria-metrics skipped lines of the import');
    assert.deepEqual([...got.values()].map((s) => [s.labels, s.points]), [[{ __name__: 'special_nan', cluster: 'c' }, [[SPECIAL_T, 1], [SPECIAL_T + 2000, 2.5], [SPECIAL_T + 4000, 3]]]]);
  });

  // SPEC 4.5 has vm-json write ±Inf as "current VictoriaMetrics" does, as the strings
  // "Infinity" / "-Infinity". VictoriaMetrics 1.79 (the receiver the project names) exports
  // them as the bare tokens +Inf / -Inf, imports bare Inf / +Inf / -Inf, and rejects a line
  // holding the string "Infinity" whole ("cannot unmarshal value at position N: value doesn't
  // contain number; it contains string; skipping it") while still answering 204: every sample
  // of that line is silently lost. Kept as a TODO until the output format and the receiver agree.
  await t.test('±Inf values read back', { todo: 'VictoriaMetrics 1.79 rejects vm-json lines holding "Infinity" (it answers 204 and logs the skipped line)' }, async () => {
    const { body } = replaySpecial('special_inf', [1, '+Inf', '-Inf', 2]);
    const written = bySeries(parseVmLines(body.toString('utf8')));
    const want: Point[] = [[SPECIAL_T, 1], [SPECIAL_T + 1000, Infinity], [SPECIAL_T + 2000, -Infinity], [SPECIAL_T + 3000, 2]];
    assert.deepEqual([...written.values()].map((s) => s.points), [want]);
    const before = vm.importErrors().length;
    await vmImport(vm, body);
    const got = await vmExportSeries(vm, 'special_inf', SPECIAL_T, SPECIAL_T + 3000, 4, before);
    const skipped = vm.importErrors().slice(before);
    assert.deepEqual([...got.values()].map((s) => s.points), [want], `read back; victoria-metrics skipped ${skipped.length} line(s):\n${skipped.join('\n')}`);
  });
});

// ----------------------------------------------------------------------------------------------
// Prometheus

test('prometheus 2.42 remote-write receiver: rwcap output POSTed to /api/v1/write reads back unchanged', { skip: SKIP_PROM, timeout: 90_000 }, async (t) => {
  assert.ok(onPath('prometheus'), `prometheus is not on PATH but ${PROM_ENV} is set: install the Debian "prometheus" package`);
  const tmp = tempDir('e2e-rw');
  const servers = new Servers(tmp.cleanup);
  t.after(() => servers.stop());

  // The same replay twice: rwcap to send, ndjson as the reference of what was written.
  const rwcap = join(tmp.dir, 'out.rwcap');
  const ndjson = join(tmp.dir, 'out.ndjson');
  const fromRwcap = replayFixture('rwcap', rwcap, join(tmp.dir, 'r1.json'));
  const fromNdjson = replayFixture('ndjson', ndjson, join(tmp.dir, 'r2.json'));
  assert.deepEqual(fromRwcap.totals, fromNdjson.totals);
  const totals = fromNdjson.totals;

  const want = new Map<string, { labels: Record<string, string>; points: Point[] }>();
  let ndjsonSamples = 0;
  let staleMarkers = 0;
  for (const line of readFileSync(ndjson, 'utf8').split('\n')) {
    if (line === '') continue;
    const o = JSON.parse(line) as { labels?: Record<string, string>; value?: number | string; timestamp?: number };
    if (!o.labels || o.value === undefined) continue; // metadata (Prometheus 2.42 stores none), histograms, exemplars
    ndjsonSamples++;
    if (o.value === 'stale') {
      staleMarkers++; // appended by Prometheus, but a query never returns a stale marker
      continue;
    }
    const k = seriesKey(o.labels);
    let s = want.get(k);
    if (!s) want.set(k, (s = { labels: o.labels, points: [] }));
    s.points.push([o.timestamp!, specialValue(o.value)]);
  }
  for (const s of want.values()) s.points.sort((a, b) => a[0] - b[0]);
  assert.equal(ndjsonSamples, totals.accepted_samples! + totals.non_ha_samples! + totals.passthrough_samples!);
  assertHaLabels(want, 'ndjson output');
  const { min, max } = timeRange(want);

  // Prometheus 2.42's TSDB refuses ("out of bounds", 400) a sample older than the head's
  // newest sample minus half a block range (1h) and, once it has cut a block, anything before
  // that block; it accepts any timestamp into an empty head. The fixture dates from
  // 2026-11-24, so the server gets no scrape config (nothing of its own is ever appended, the
  // head stays empty until the first POST) and the records are sent one at a time in output
  // order: the whole fixture spans 4 minutes, so nothing is out of bounds. Out-of-order
  // ingestion is off by default in 2.42, so a series' samples must also arrive in time order:
  // they do when the report has no overlap samples (an accepted sample not after its series'
  // latest one, SPEC 9), which the fixture has not.
  assert.equal(totals.overlap_samples, 0, 'the fixture replay has overlap samples: Prometheus would reject them as out of order');
  const dir = join(tmp.dir, 'prom');
  mkdirSync(dir);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = servers.start('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
    '--storage.tsdb.retention.time=100y', // retention is counted back from the newest block, but be safe
  ]);
  await waitReady(proc, 'prometheus', `${url}/-/ready`);

  // POST every record of an rwcap output, one at a time in order, as the wire reader (the one
  // replay uses) reads it: the body as it is, with its content type and encoding
  const postRwcap = async (file: string) => {
    const bad: unknown[] = [];
    const statuses = new Map<number, number>();
    const refusals: string[] = [];
    let records = 0;
    let samples = 0;
    for await (const req of openInput(file, 0, { format: 'rwcap', maxDecodedSize: 64 << 20, strict: false, onBadRecord: (b) => bad.push(b) })) {
      const c = req.captured;
      assert.ok(c, `record ${req.recordIndex} carries no captured body`);
      for (const ts of req.write.timeseries) samples += ts.samples.length;
      const headers: Record<string, string> = { 'content-type': c.contentType };
      if (c.contentEncoding) headers['content-encoding'] = c.contentEncoding;
      const version = c.headers['x-prometheus-remote-write-version'];
      if (version) headers['x-prometheus-remote-write-version'] = version;
      const res = await fetch(`${url}/api/v1/write`, { method: 'POST', headers, body: new Uint8Array(c.body) });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status !== 204 && refusals.length < 5) refusals.push(`record ${req.recordIndex}: ${res.status} ${text.trim()}`);
      records++;
    }
    assert.deepEqual(bad, [], `the wire reader finds no bad record in ${file}`);
    assert.ok(records > 0, `${file} holds no record`);
    assert.deepEqual([...statuses], [[204, records]], `prometheus answers: ${JSON.stringify([...statuses])}; ${refusals.join('; ')}`);
    return { records, samples };
  };

  const posted = await postRwcap(rwcap);
  assert.equal(posted.samples, ndjsonSamples, 'the rwcap and ndjson outputs hold the same samples');
  t.diagnostic(`rwcap: ${posted.records} records, ${posted.samples} samples in ${want.size} series, all answered 204`);

  // the TSDB's own count: every sample appended, none refused
  let page = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string): number => {
    const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(page);
    assert.ok(m, `${name} not in prometheus /metrics`);
    return Number(m[1]);
  };
  assert.equal(metric('prometheus_tsdb_head_samples_appended_total{type="float"}'), ndjsonSamples);
  assert.equal(metric('prometheus_tsdb_out_of_bound_samples_total{type="float"}'), 0);
  assert.equal(metric('prometheus_tsdb_out_of_order_samples_total{type="float"}'), 0);

  const query = async (q: string, time: number) => {
    const params = new URLSearchParams({ query: q, time: String(time / 1000) });
    const res = await fetch(`${url}/api/v1/query?${params}`);
    const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] } };
    assert.equal(body.status, 'success', `${q}: ${body.error}`);
    return body.data;
  };

  // every label name in the TSDB: the cluster label is there, the replica label is not
  const labels = (await (await fetch(`${url}/api/v1/labels`)).json()) as { data: string[] };
  assert.ok(labels.data.includes('cluster'), `label names: ${labels.data.join(', ')}`);
  assert.ok(!labels.data.includes(REPLICA_LABEL), `the replica label is stored: ${labels.data.join(', ')}`);

  // every raw sample: a range-vector selector covering the whole output, evaluated at its last timestamp
  const rangeS = Math.ceil((max - min) / 1000) + 60;
  const raw = await query(`{__name__!=""}[${rangeS}s]`, max);
  assert.equal(raw.resultType, 'matrix');
  const got = new Map<string, { labels: Record<string, string>; points: Point[] }>();
  for (const r of raw.result) got.set(seriesKey(r.metric), { labels: r.metric, points: r.values!.map(([ts, v]) => [Math.round(ts * 1000), specialValue(v)]) });
  assertHaLabels(got, 'prometheus');
  assert.equal(countPoints(got), ndjsonSamples - staleMarkers, 'samples read back = samples in the output');
  // Prometheus keeps float64 values bit for bit: every value exactly
  assertSameSeries(got, want, 'prometheus', new Set([...want.values()].map((s) => s.labels.__name__ ?? '')), 0);

  // and through PromQL: count_over_time of one chosen series = its samples in the ndjson output
  const up = [...want.values()].filter((s) => s.labels.__name__ === 'up');
  assert.equal(up.length, 1, 'the fixture output has one up series');
  const counted = await query(`count_over_time(up{cluster="${CLUSTER}"}[${rangeS}s])`, max);
  assert.equal(counted.result.length, 1);
  assert.equal(Number(counted.result[0]!.value![1]), up[0]!.points.length, 'count_over_time(up) = up samples in the output');
  t.diagnostic(`prometheus: ${got.size} series, ${countPoints(got)} samples read back; up has ${up[0]!.points.length}`);

  // Special values through remote write: NaN and ±Inf are kept bit for bit in rwcap output and
  // stored as they are; a stale marker is appended (counted) but a query never returns it. Sent
  // after the fixture with timestamps 40s past its last sample, so in bounds of the head.
  const T = max + 40_000;
  const specialIn = join(tmp.dir, 'special.ndjson');
  const specialOut = join(tmp.dir, 'special.rwcap');
  const values: (number | string)[] = [1, 'NaN', '+Inf', '-Inf', 'stale', 2];
  writeFileSync(
    specialIn,
    values.map((v, i) => JSON.stringify({ tenant: 't', received_at_ms: T + 10_000, labels: { __name__: 'special_rw', cluster: 'c', [REPLICA_LABEL]: 'a' }, timestamp: T + i * 1000, value: v })).join('\n') + '\n',
  );
  cli(['replay', specialIn, '--output-format', 'rwcap', '-o', specialOut, '--report-format', 'json']);
  const special = await postRwcap(specialOut);
  assert.equal(special.samples, values.length);
  page = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metric('prometheus_tsdb_head_samples_appended_total{type="float"}'), ndjsonSamples + values.length);
  const sp = await query('special_rw[1m]', T + 5000);
  assert.deepEqual(
    sp.result.map((r) => [r.metric, r.values!.map(([ts, v]) => [Math.round(ts * 1000), specialValue(v)])]),
    [[{ __name__: 'special_rw', cluster: 'c' }, [[T, 1], [T + 1000, NaN], [T + 2000, Infinity], [T + 3000, -Infinity], [T + 5000, 2]]]],
  );
});
