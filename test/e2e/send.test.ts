// End to end: `ha-dedup send` into real receivers started by the test, with the deduplicated
// fixture (`replay fixtures/prom-ha-dev.rwcap --output-format rwcap`, no jitter) as input:
//   - Prometheus 2.42 (Debian 12, --web.enable-remote-write-receiver, Remote-Write 1.0), with
//     --shift-to-now: prometheus_tsdb_head_samples_appended_total = replay's kept samples
//     (accepted + non-HA + passthrough), none out of bounds or out of order, and `up` read back
//     at the shifted timestamps;
//   - VictoriaMetrics 1.79 at /api/v1/write (1.0, --concurrency 4): every finite kept sample is
//     exported back (timestamps exactly, values within its decimal storage);
//   - Prometheus 3.x (Debian sid's package, fetched by .ci/fetch-prometheus3, found through
//     HA_DEDUP_PROMETHEUS3, else in .ci/run's fetch directory) accepting only io.prometheus.write.v2.Request: `--protocol 2` is
//     acknowledged (with the -Written headers) and appends every kept sample; 1.0 is refused.
//
// Why --shift-to-now for Prometheus: its TSDB refuses samples older than the head's newest
// minus half a block range (1h) once it has any, and the fixture is from 2026-11-24. The servers
// get no scrape config (nothing of their own is appended, so the head counter is ours alone); the
// shift puts the fixture's four minutes just before now, where any head takes them, and a series'
// samples go in time order (the report has no overlap samples, checked; and --concurrency 1, as
// two requests in flight may arrive swapped: Prometheus refuses the later one's samples as out of
// order). VictoriaMetrics, which takes samples in any order, gets --concurrency 4. It keeps
// everything within -retentionPeriod=100y, so it gets the timestamps as recorded.
//
// Each receiver is skipped with a reason when its binary is missing, unless its
// HA_DEDUP_REQUIRE_* variable is set (.ci/run sets them), then it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Fatal, freePort, onPath, skipReason, sleep, waitFor } from './util.js';
import { FIXTURE, tempDir } from '../record/helpers.js';
import { runCli } from '../cli/run.js';

const SKIP_PROM = skipReason('prometheus', 'prometheus', 'HA_DEDUP_REQUIRE_PROMETHEUS');
const SKIP_VM = skipReason('victoria-metrics', 'victoria-metrics', 'HA_DEDUP_REQUIRE_VICTORIAMETRICS');
// .ci/run fetches it into this directory (and sets the variable): a later plain `npm test` finds it there too
const PROM3_DEFAULT = join(process.env.TMPDIR ?? tmpdir(), 'ha-dedup-ci-sid', 'root', 'usr', 'bin', 'prometheus');
const PROM3 = process.env.HA_DEDUP_PROMETHEUS3 ?? (existsSync(PROM3_DEFAULT) ? PROM3_DEFAULT : '');
const PROM3_REQUIRED = !!process.env.HA_DEDUP_REQUIRE_PROMETHEUS3;
const SKIP_PROM3 =
  (PROM3 !== '' && existsSync(PROM3)) || PROM3_REQUIRED
    ? false
    : `no Prometheus 3 binary: HA_DEDUP_PROMETHEUS3 is not set and ${PROM3_DEFAULT} does not exist (.ci/fetch-prometheus3 DIR fetches Debian sid's and prints its path; .ci/run does it and sets HA_DEDUP_REQUIRE_PROMETHEUS3=1 when the fetch works)`;

interface Proc {
  child: ChildProcess;
  log(): string;
  exit: Promise<number | null>;
}

/** Processes of one test and its temp dir: stop() kills them (SIGKILL: throwaway data) and removes the dir. */
class Servers {
  private procs: Proc[] = [];
  constructor(private readonly cleanup: () => void) {}
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
    await Promise.race([Promise.all(this.procs.map((p) => p.exit)), new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    this.cleanup();
  }
}

async function waitReady(p: Proc, name: string, url: string): Promise<void> {
  await waitFor(`${name} ready at ${url}`, 30_000, async () => {
    if (p.child.exitCode !== null) throw new Fatal(`${name} exited with ${p.child.exitCode}:\n${p.log()}`);
    return (await fetch(url)).ok ? true : undefined;
  });
}

interface Kept {
  rwcap: string;
  totals: Record<string, number>;
  /** Kept samples by series (labels JSON, sorted) -> [timestamp, value][] in time order. */
  series: Map<string, [number, number | string][]>;
  kept: number;
}

const seriesKey = (labels: Record<string, string>) => JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));

/** The deduplicated fixture as rwcap (what is sent) and as ndjson (what it holds), and the report. */
async function keptFixture(dir: string): Promise<Kept> {
  const rwcap = join(dir, 'kept.rwcap');
  const nd = join(dir, 'kept.ndjson');
  const common = ['replay', FIXTURE, '--update-timeout-jitter-max', '0', '--report-format', 'json'];
  const a = await runCli([...common, '--output-format', 'rwcap', '-o', rwcap, '--report', join(dir, 'r.json')]);
  assert.equal(a.status, 0, a.stderr);
  const b = await runCli([...common, '--output-format', 'ndjson', '-o', nd]);
  assert.equal(b.status, 0, b.stderr);
  const totals = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).totals as Record<string, number>;
  const series = new Map<string, [number, number | string][]>();
  let kept = 0;
  for (const line of readFileSync(nd, 'utf8').split('\n')) {
    if (line === '') continue;
    const o = JSON.parse(line) as { labels?: Record<string, string>; value?: number | string; timestamp?: number };
    if (!o.labels || o.value === undefined) continue;
    kept++;
    const k = seriesKey(o.labels);
    let s = series.get(k);
    if (!s) series.set(k, (s = []));
    s.push([o.timestamp!, o.value]);
  }
  for (const s of series.values()) s.sort((x, y) => x[0] - y[0]);
  assert.equal(kept, totals.accepted_samples! + totals.non_ha_samples! + totals.passthrough_samples!, 'kept samples = accepted + non-HA + passthrough');
  assert.equal(totals.overlap_samples, 0, 'no overlap samples: Prometheus would refuse them as out of order');
  assert.ok(totals.deduped_samples! > 0);
  return { rwcap, totals, series, kept };
}

/** The send report of a run that must have every request acknowledged. */
async function sendAcknowledged(args: string[]): Promise<{ report: Record<string, number>; stderr: string }> {
  const run = await runCli(['send', ...args, '--report', '-']);
  assert.equal(run.status, 0, `send exited ${run.status}: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as Record<string, number>;
  assert.equal(report.acknowledged_requests, report.requests, run.stderr);
  return { report, stderr: run.stderr };
}

function metric(page: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(page);
  assert.ok(m, `${name} not in /metrics`);
  return Number(m[1]);
}

async function startPrometheus(servers: Servers, bin: string, dir: string, extra: string[]): Promise<{ url: string; proc: Proc }> {
  const d = join(dir, `prom-${Math.random().toString(36).slice(2)}`);
  mkdirSync(d);
  writeFileSync(join(d, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await freePort();
  const proc = servers.start(bin, [
    `--config.file=${join(d, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(d, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y',
    ...extra,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, bin, `${url}/-/ready`);
  return { url, proc };
}

/** `up` read back by PromQL over the shifted range: its timestamps are the kept ones + shift. */
async function checkUp(url: string, kept: Kept, shift: number): Promise<void> {
  const up = [...kept.series].filter(([k]) => JSON.parse(k).some(([n, v]: [string, string]) => n === '__name__' && v === 'up'));
  assert.equal(up.length, 1, 'one up series kept');
  const points = up[0]![1];
  const last = points[points.length - 1]![0] + shift;
  const rangeS = Math.ceil((last - (points[0]![0] + shift)) / 1000) + 60;
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: `up[${rangeS}s]`, time: String(last / 1000) })}`);
  const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
  assert.equal(body.data.result.length, 1);
  assert.deepEqual(body.data.result[0]!.values.map(([t]) => Math.round(t * 1000)), points.map(([t]) => t + shift));
}

function shiftOf(stderr: string): number {
  const m = /--shift-to-now: every timestamp moved by ([+-]\d+)ms/.exec(stderr);
  assert.ok(m, `no shift printed: ${stderr}`);
  return Number(m[1]);
}

test('prometheus 2.42 (RW 1.0): send --shift-to-now of the deduplicated fixture appends exactly the kept samples', { skip: SKIP_PROM, timeout: 120_000 }, async (t) => {
  assert.ok(onPath('prometheus'), 'prometheus is not on PATH but HA_DEDUP_REQUIRE_PROMETHEUS is set: install the Debian "prometheus" package');
  const tmp = tempDir('e2e-send-prom');
  const servers = new Servers(tmp.cleanup);
  t.after(() => servers.stop());
  const kept = await keptFixture(tmp.dir);
  const { url } = await startPrometheus(servers, 'prometheus', tmp.dir, ['--web.enable-remote-write-receiver']);
  const { report, stderr } = await sendAcknowledged([kept.rwcap, '--url', `${url}/api/v1/write`, '--shift-to-now']);
  assert.equal(report.samples, kept.kept, 'samples sent = kept samples');
  const page = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metric(page, 'prometheus_tsdb_head_samples_appended_total{type="float"}'), kept.kept);
  assert.equal(metric(page, 'prometheus_tsdb_out_of_bound_samples_total{type="float"}'), 0);
  assert.equal(metric(page, 'prometheus_tsdb_out_of_order_samples_total{type="float"}'), 0);
  await checkUp(url, kept, shiftOf(stderr));
  t.diagnostic(`prometheus 2.42: ${report.requests} requests, ${kept.kept} samples appended, shift ${shiftOf(stderr)} ms`);
});

test('prometheus 3 (RW 2.0 only): send --protocol 2 is acknowledged and appends exactly the kept samples; 1.0 is refused', { skip: SKIP_PROM3, timeout: 120_000 }, async (t) => {
  assert.ok(PROM3 !== '' && existsSync(PROM3), `HA_DEDUP_REQUIRE_PROMETHEUS3 is set but HA_DEDUP_PROMETHEUS3 ("${PROM3}") is not a binary`);
  const tmp = tempDir('e2e-send-prom3');
  const servers = new Servers(tmp.cleanup);
  t.after(() => servers.stop());
  const kept = await keptFixture(tmp.dir);
  const { url } = await startPrometheus(servers, PROM3, tmp.dir, [
    '--web.enable-remote-write-receiver',
    '--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request',
  ]);
  const version = /version (\S+)/.exec(spawnSync(PROM3, ['--version'], { encoding: 'utf8' }).stdout);
  const { report, stderr } = await sendAcknowledged([kept.rwcap, '--url', `${url}/api/v1/write`, '--protocol', '2', '--shift-to-now']);
  assert.equal(report.samples, kept.kept);
  await sleep(100);
  const page = await (await fetch(`${url}/metrics`)).text();
  assert.equal(metric(page, 'prometheus_tsdb_head_samples_appended_total{type="float"}'), kept.kept);
  assert.equal(metric(page, 'prometheus_tsdb_out_of_order_samples_total{type="float"}'), 0);
  await checkUp(url, kept, shiftOf(stderr));
  // 1.0 is not accepted by this receiver: refused (415), never retried, exit 1. Sent last: Prometheus
  // 3.5.3 answers 415 but still appends some of such a request's samples (its log says
  // "superfluous response.WriteHeader call"), so the count above must not follow it.
  const v1 = await runCli(['send', kept.rwcap, '--url', `${url}/api/v1/write`, '--protocol', '1', '--report', '-']);
  assert.equal(v1.status, 1, v1.stderr);
  const r1 = JSON.parse(v1.stdout);
  assert.equal(r1.refused_requests, r1.requests);
  assert.equal(r1.refused[0].status, 415);
  assert.equal(r1.retried_requests, 0);
  t.diagnostic(`prometheus ${version?.[1] ?? '3'} (RW 2.0): ${report.requests} requests, ${kept.kept} samples appended`);
});

/** VictoriaMetrics 1.79 exports ±Inf and NaN as bare tokens (not JSON): quote them before parsing. */
function parseVmExport(text: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fixed = line.replace(/"values":\[[^\]]*\]/, (vals) => vals.replace(/([[,])\s*([+-]?(?:Inf|NaN))\s*(?=[,\]])/g, '$1"$2"'));
    const o = JSON.parse(fixed) as { metric: Record<string, string>; values: (number | string)[]; timestamps: number[] };
    const k = seriesKey(o.metric);
    const pts = out.get(k) ?? [];
    o.timestamps.forEach((ts, i) => {
      const v = o.values[i]!;
      if (typeof v === 'number' && Number.isFinite(v)) pts.push([ts, v]);
    });
    out.set(k, pts);
  }
  for (const p of out.values()) p.sort((a, b) => a[0] - b[0]);
  return out;
}

test('victoria-metrics 1.79 at /api/v1/write: every finite kept sample is exported back', { skip: SKIP_VM, timeout: 120_000 }, async (t) => {
  assert.ok(onPath('victoria-metrics'), 'victoria-metrics is not on PATH but HA_DEDUP_REQUIRE_VICTORIAMETRICS is set: install the Debian "victoria-metrics" package');
  const tmp = tempDir('e2e-send-vm');
  const servers = new Servers(tmp.cleanup);
  t.after(() => servers.stop());
  const kept = await keptFixture(tmp.dir);
  const port = await freePort();
  const proc = servers.start('victoria-metrics', [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(tmp.dir, 'vm')}`, '-retentionPeriod=100y', '-search.disableCache']);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, 'victoria-metrics', `${url}/health`);
  const { report } = await sendAcknowledged([kept.rwcap, '--url', `${url}/api/v1/write`, '--concurrency', '4']);
  assert.equal(report.samples, kept.kept);
  assert.equal((await fetch(`${url}/internal/force_flush`)).status, 200);

  const want = new Map<string, [number, number][]>();
  let finite = 0;
  let minT = Infinity;
  let maxT = -Infinity;
  for (const [k, pts] of kept.series) {
    const f = pts.filter((p): p is [number, number] => typeof p[1] === 'number' && Number.isFinite(p[1]));
    finite += f.length;
    for (const [ts] of pts) (minT = Math.min(minT, ts)), (maxT = Math.max(maxT, ts));
    if (f.length > 0) want.set(k, f);
  }
  const q = new URLSearchParams({ 'match[]': '{__name__!=""}', start: String((minT - 1000) / 1000), end: String((maxT + 1000) / 1000) });
  const got = await waitFor('every finite sample exported', 30_000, async () => {
    const m = parseVmExport(await (await fetch(`${url}/api/v1/export?${q}`)).text());
    let n = 0;
    for (const p of m.values()) n += p.length;
    return n >= finite ? m : undefined;
  });
  assert.deepEqual([...got.keys()].filter((k) => (got.get(k)!.length ?? 0) > 0).sort(), [...want.keys()].sort());
  for (const [k, w] of want) {
    const g = got.get(k)!;
    assert.deepEqual(g.map((p) => p[0]), w.map((p) => p[0]), `timestamps of ${k}`);
    // VictoriaMetrics stores a float as a decimal: the last bit or two of 16-17 digit values move
    w.forEach(([ts, wv], i) => assert.ok(Math.abs(g[i]![1] - wv) <= 1e-14 * Math.abs(wv), `${k} at ${ts}: ${g[i]![1]} vs ${wv}`));
  }
  t.diagnostic(`victoria-metrics: ${report.requests} requests, ${finite} finite kept samples exported back`);
});
