// End to end with real Prometheus (Debian 2.42): two servers as an HA pair (external labels
// cluster=e2e, __replica__=r1/r2) scrape real local targets every 1s and remote-write to
// `ha-dedup record --tenant e2e`. The elected one is stopped (SIGTERM), the other takes over.
// Then: no request the servers sent is missing from the capture (the recorder's own count and
// each server's prometheus_remote_storage_samples_total, scraped just before stopping it,
// against the capture), and `ha-dedup replay` of the capture shows that failover with the
// replica label gone from its output.
//
// Skipped with a reason when `prometheus` is not on PATH, unless HA_DEDUP_REQUIRE_PROMETHEUS
// is set (CI sets it), in which case it fails. Uses prometheus-node-exporter when installed.
import { test } from 'node:test';
import { onPath, sleep, freePort, Fatal, waitFor } from './util.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Request } from '../../src/model/index.js';
import { readCapture, readWithWireReader, spawnCli, tempDir, BIN, type Spawned } from '../record/helpers.js';

const REPLICA_LABEL = '__replica__';
const UPDATE_TIMEOUT = '1s';
const FAILOVER_TIMEOUT_S = 5; // > the longest pause of a healthy 1s-interval sender on a busy CI box

const HAVE_PROMETHEUS = onPath('prometheus');
const REQUIRE = !!process.env.HA_DEDUP_REQUIRE_PROMETHEUS;
const SKIP = !HAVE_PROMETHEUS && !REQUIRE
  ? 'prometheus is not on PATH (install the Debian "prometheus" package; set HA_DEDUP_REQUIRE_PROMETHEUS=1 to make this a failure)'
  : false;

interface Proc {
  child: ChildProcess;
  log(): string;
  exit: Promise<number | null>;
}

function start(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exit = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, log: () => log, exit };
}

/** Sum of a counter over all its label sets in a /metrics page. */
function counter(page: string, name: string): number {
  let sum = 0;
  let found = false;
  for (const line of page.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  if (!found) throw new Error(`${name} not found in /metrics`);
  return sum;
}

async function metrics(port: number): Promise<{ page: string; t0: number; t1: number }> {
  const t0 = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const page = await res.text();
  return { page, t0, t1: Date.now() };
}

function replicaOf(req: Request): string | undefined {
  return req.write.timeseries[0]?.labels.find((l) => l.name === REPLICA_LABEL)?.value;
}

function floatSamples(req: Request): number {
  let n = 0;
  for (const ts of req.write.timeseries) n += ts.samples.length;
  return n;
}

interface Run {
  dir: string;
  capture: string;
  elected: string;
  other: string;
}

let run: Run | undefined;
const cleanups: (() => void)[] = [];

test('e2e capture: an HA pair of real Prometheus servers is recorded with nothing missing', { skip: SKIP, timeout: 120_000 }, async (t) => {
  assert.ok(HAVE_PROMETHEUS, 'prometheus is not on PATH but HA_DEDUP_REQUIRE_PROMETHEUS is set: install the Debian "prometheus" package');
  const tmp = tempDir('e2e-prom');
  cleanups.push(tmp.cleanup);
  const procs: Proc[] = [];
  let recorder: Spawned | undefined;
  t.after(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    if (recorder && recorder.child.exitCode === null) recorder.child.kill('SIGKILL');
  });

  const capture = join(tmp.dir, 'e2e.rwcap');
  recorder = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', capture, '--tenant', 'e2e']);
  const recUrl = await recorder.url;

  const promPort: Record<string, number> = { r1: await freePort(), r2: await freePort() };
  const targets = [`127.0.0.1:${promPort.r1}`, `127.0.0.1:${promPort.r2}`];
  let nodeTarget = '';
  if (onPath('prometheus-node-exporter')) {
    const port = await freePort();
    const ne = start('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`]);
    procs.push(ne);
    nodeTarget = `127.0.0.1:${port}`;
    await waitFor('node-exporter', 15_000, async () => ((await fetch(`http://${nodeTarget}/metrics`)).ok ? true : undefined));
  }
  t.diagnostic(`targets: prometheus ${targets.join(', ')}${nodeTarget ? `, node-exporter ${nodeTarget}` : ' (no node-exporter installed)'}`);

  const servers: Record<string, Proc> = {};
  const startReplica = async (replica: string) => {
    const dir = join(tmp.dir, replica);
    mkdirSync(dir);
    const cfg = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  external_labels:',
      '    cluster: e2e',
      `    ${REPLICA_LABEL}: ${replica}`,
      'scrape_configs:',
      '  - job_name: prometheus',
      '    static_configs:',
      `      - targets: [${targets.map((x) => `'${x}'`).join(', ')}]`,
      ...(nodeTarget ? ['  - job_name: node', '    static_configs:', `      - targets: ['${nodeTarget}']`] : []),
      'remote_write:',
      `  - url: ${recUrl}/api/v1/push`,
      '    queue_config:',
      '      batch_send_deadline: 1s',
      '      min_backoff: 100ms',
      '      max_backoff: 1s',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), cfg);
    const p = start('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort[replica]}`,
    ]);
    procs.push(p);
    servers[replica] = p;
    await waitFor(`prometheus ${replica} ready`, 30_000, async () => {
      if (p.child.exitCode !== null) throw new Fatal(`prometheus ${replica} exited with ${p.child.exitCode}:\n${p.log()}`);
      return (await fetch(`http://127.0.0.1:${promPort[replica]}/-/ready`)).ok ? true : undefined;
    });
  };

  /** Requests with series in the capture so far, per replica. */
  const seriesRequests = async (): Promise<Map<string, number>> => {
    const m = new Map<string, number>();
    for (const req of (await readWithWireReader(capture)).requests) {
      const r = replicaOf(req);
      if (r) m.set(r, (m.get(r) ?? 0) + 1);
    }
    return m;
  };

  await startReplica('r1');
  await waitFor('a request with series from r1', 30_000, async () => ((await seriesRequests()).get('r1') ? true : undefined));
  await startReplica('r2');
  await waitFor('a request with series from r2', 30_000, async () => ((await seriesRequests()).get('r2') ? true : undefined));
  await sleep(4000); // both sending

  // the elected replica is the one whose series the receiver saw first
  const first = (await readWithWireReader(capture)).requests.find((r) => replicaOf(r) !== undefined)!;
  const elected = replicaOf(first)!;
  const other = elected === 'r1' ? 'r2' : 'r1';

  const scraped: Record<string, { page: string; t0: number; t1: number }> = {};
  scraped[elected] = await metrics(promPort[elected]!);
  servers[elected]!.child.kill('SIGTERM');
  assert.equal(await servers[elected]!.exit, 0, servers[elected]!.log());
  await sleep((FAILOVER_TIMEOUT_S + 4) * 1000); // the other takes over after the failover timeout
  scraped[other] = await metrics(promPort[other]!);
  servers[other]!.child.kill('SIGTERM');
  assert.equal(await servers[other]!.exit, 0, servers[other]!.log());

  recorder.child.kill('SIGTERM');
  assert.equal((await recorder.exit).code, 0, recorder.stderr());
  const summary = recorder.stderr();
  const answered = Number(/recorded (\d+) requests/.exec(summary)?.[1]);
  assert.ok(!/answered other than 204/.test(summary), `the recorder refused requests: ${summary}`);

  // every request the recorder answered 204 is a whole record in the capture
  const cap = readCapture(capture);
  assert.equal(cap.truncated, undefined);
  assert.equal(cap.records.length, answered, 'records in the capture = requests answered 204');
  const wire = await readWithWireReader(capture);
  assert.deepEqual(wire.bad, [], 'the wire reader finds no bad record');
  assert.equal(wire.requests.length, answered);
  for (const rec of cap.records) {
    assert.equal(rec.tenant, 'e2e');
    assert.equal(rec.path, '/api/v1/push');
    assert.equal(rec.contentEncoding, 'snappy');
    assert.match(rec.headers['user-agent'] ?? '', /^Prometheus\//);
    assert.equal(rec.headers['x-prometheus-remote-write-version'], '0.1.0');
  }

  // each server's own count of samples sent, scraped just before it was stopped, against the
  // capture: samples_total is counted when a batch is sent, so it lies between the samples of
  // requests received a second before the scrape and those received by a second after it
  for (const replica of [elected, other]) {
    const { page, t0, t1 } = scraped[replica]!;
    const sent = counter(page, 'prometheus_remote_storage_samples_total');
    for (const bad of ['samples_failed_total', 'samples_retried_total', 'samples_dropped_total']) {
      assert.equal(counter(page, `prometheus_remote_storage_${bad}`), 0, `${replica} ${bad}`);
    }
    let before = 0;
    let by = 0;
    let all = 0;
    for (const req of wire.requests) {
      if (replicaOf(req) !== replica) continue;
      const n = floatSamples(req);
      all += n;
      if (req.receivedAtMs! < t0 - 1000) before += n;
      if (req.receivedAtMs! <= t1 + 1000) by += n;
    }
    t.diagnostic(`${replica}: samples_total ${sent} at the last scrape; capture: ${before} received a second before it, ${by} by a second after it, ${all} in all`);
    assert.ok(sent > 0, `${replica} sent samples`);
    assert.ok(before <= sent && sent <= by, `${replica}: prometheus_remote_storage_samples_total ${sent} is not within the capture's [${before}, ${by}]`);
  }
  run = { dir: tmp.dir, capture, elected, other };
});

test('e2e replay: the capture shows the failover and the replica label is gone', { skip: SKIP, timeout: 60_000 }, async (t) => {
  try {
    assert.ok(run, 'the capture test did not produce a capture');
    const out = join(run.dir, 'out.ndjson');
    const report = join(run.dir, 'report.json');
    const r = spawnSync(
      process.execPath,
      [
        BIN, 'replay', run.capture,
        '--update-timeout', UPDATE_TIMEOUT,
        '--update-timeout-jitter-max', '0',
        '--failover-timeout', `${FAILOVER_TIMEOUT_S}s`,
        '--report-format', 'json',
        '--output-format', 'ndjson',
        '-o', out,
        '--report', report,
      ],
      { encoding: 'utf8', timeout: 50_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    const elections = rep.elections.filter((e: { tenant: string; cluster: string }) => e.tenant === 'e2e' && e.cluster === 'e2e');
    assert.deepEqual(
      elections.map((e: { from: string | null; to: string }) => [e.from, e.to]),
      [[null, run.elected], [run.elected, run.other]],
      `elections: ${JSON.stringify(rep.elections)}`,
    );
    for (const e of elections) {
      t.diagnostic(`election ${e.from ?? 'none'} -> ${e.to} at ${e.at_ms}: gap ${e.gap_ms}ms, lost ${e.lost_samples} samples / ${e.lost_scrapes} scrapes`);
    }
    const cluster = rep.clusters.find((c: { tenant: string; cluster: string }) => c.tenant === 'e2e' && c.cluster === 'e2e');
    assert.equal(cluster.elected_replica, run.other);
    assert.equal(cluster.elections, 2);
    assert.ok(rep.totals.deduped_samples > 0, 'the standby was deduplicated while the leader lived');
    assert.equal(rep.totals.bad_records, 0);
    const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
    let samples = 0;
    for (const line of lines) {
      const o = JSON.parse(line);
      if (!o.labels) continue;
      assert.ok(!(REPLICA_LABEL in o.labels), `replica label left in output: ${line}`);
      assert.equal(o.labels.cluster, 'e2e');
      assert.equal(o.tenant, 'e2e');
      samples++;
    }
    assert.ok(samples > 0);
    assert.equal(samples, rep.totals.accepted_samples);
  } finally {
    for (const c of cleanups) c();
  }
});
