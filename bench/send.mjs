// `node bench/send.mjs` (issue 17): how fast `ha-dedup send` posts a capture into
// `ha-dedup record` on loopback, and how much memory it takes.
//
// For each capture it starts a recorder (its capture streamed to /dev/null, so no disk writes
// get in the way), runs `ha-dedup send CAPTURE --url RECORDER --concurrency N --report -`
// under /usr/bin/time, and prints: requests, samples, the send's own wall time (from its
// report: from the sender's start to the last answer, start-up excluded), requests/s on it,
// the whole process's wall time, and its peak RSS. Several runs (interleaved over the
// captures), the median printed, and the best run's requests/s (other load only slows a run). Memory is bounded by --concurrency times the request size:
// peak RSS must stay the same on the large capture (10x the medium one).
//
// usage: npm run build && node bench/send.mjs [--sizes medium,large] [--runs 3] [--concurrency 4]
//   sizes: tiny, small, medium, large (generated into bench/data once, like npm run bench)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCapture } from './gen.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const TIME = '/usr/bin/time';

function parseArgs(argv) {
  const o = { sizes: ['medium', 'large'], runs: 3, concurrency: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i] ?? die(`${a} needs a value`);
    if (a === '--sizes') o.sizes = val().split(',');
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--concurrency') o.concurrency = Number(val());
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/send.mjs [--sizes medium,large] [--runs 3] [--concurrency 4]');
      process.exit(0);
    } else die(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs must be a positive integer');
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) die('--concurrency must be a positive integer');
  return o;
}

function die(msg) {
  console.error(`bench/send: ${msg}`);
  process.exit(2);
}

/** A recorder on a free port writing its capture to /dev/null; resolves with its URL and a stop(). */
function startRecorder() {
  const child = spawn(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', '-o', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+?),/.exec(err);
      if (m) resolve({ url: `${m[1]}/api/v1/push`, stop: () => new Promise((r) => (child.on('close', r), child.kill('SIGTERM'))) });
    });
    child.on('close', (code) => reject(new Error(`recorder exited ${code}: ${err}`)));
  });
}

/** One send run: its report, whole-process wall seconds, peak RSS (KiB, from /usr/bin/time). */
function runSend(file, url, concurrency) {
  const args = [BIN, 'send', file, '--url', url, '--concurrency', String(concurrency), '--report', '-'];
  const useTime = existsSync(TIME);
  const cmd = useTime ? TIME : process.execPath;
  const argv = useTime ? ['-f', '%e %M', process.execPath, ...args] : args;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`send exited ${code}: ${err}`));
      const report = JSON.parse(out);
      if (report.acknowledged_requests !== report.requests) return reject(new Error(`not every request acknowledged: ${err}`));
      const m = useTime ? /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(err) : null;
      resolve({ report, wall, rssKiB: m ? Number(m[2]) : null });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const captures = o.sizes.map((s) => ({ size: s, ...ensureCapture(s, { log: (m) => console.error(m) }) }));
  const results = new Map(captures.map((c) => [c.size, []]));
  const loadBefore = os.loadavg()[0];
  for (let run = 0; run < o.runs; run++) {
    for (const c of captures) {
      const rec = await startRecorder();
      try {
        results.get(c.size).push(await runSend(c.file, rec.url, o.concurrency));
      } finally {
        await rec.stop();
      }
    }
  }
  console.log(
    `ha-dedup send -> ha-dedup record on loopback, --concurrency ${o.concurrency}, median of ${o.runs} run(s); ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after\n`,
  );
  console.log('| capture | requests | samples | send wall (report) | requests/s | best run | samples/s | process wall | peak RSS |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of captures) {
    const rs = results.get(c.size);
    const r = rs[0].report;
    const wallMs = median(rs.map((x) => x.report.wall_ms));
    const rss = rs.every((x) => x.rssKiB !== null) ? `${(median(rs.map((x) => x.rssKiB)) / 1024).toFixed(0)} MiB` : 'n/a';
    const best = Math.min(...rs.map((x) => x.report.wall_ms));
    console.log(
      `| ${c.size} | ${r.requests} | ${r.samples} | ${(wallMs / 1000).toFixed(3)} s | ${Math.round(r.requests / (wallMs / 1000))} | ${Math.round(r.requests / (best / 1000))} | ${Math.round(r.samples / (wallMs / 1000))} | ${median(rs.map((x) => x.wall)).toFixed(2)} s | ${rss} |`,
    );
  }
  console.log(`\nrequests/s per run: ${captures.map((c) => `${c.size} ${results.get(c.size).map((x) => Math.round(x.report.requests / (x.report.wall_ms / 1000))).join(', ')}`).join('; ')}`);
}

await main();
