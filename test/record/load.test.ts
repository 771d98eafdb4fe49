// Load: 16 concurrent senders post real fixture bodies to a recorder process on loopback as fast
// as they can, 2000 requests in all. Every request answered 204 must be in the capture byte for
// byte, nothing else may be, and no two records may interleave. Prints the request rate. Under
// that load a second recorder on the same file (with and without --append) must refuse, and a
// `record -o -` whose reader closes its stdout early must acknowledge only what the reader read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { send, readCapture, readCaptureBytes, tempDir, fixtureRequests, spawnCli, recordIntoHead, BIN, RW1_HEADERS } from './helpers.js';

const SENDERS = 16;
const REQUESTS = 2000;

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

test(`load: ${SENDERS} senders, ${REQUESTS} requests, every 204 recorded byte for byte`, { timeout: 60_000 }, async (t) => {
  const fix = fixtureRequests().filter((r) => r.body.length > 0);
  const dir = tempDir('load');
  try {
    const out = join(dir.dir, 'load.rwcap');
    const p = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--tenant', 'load']);
    const url = await p.url;
    let next = 0;
    const answered = new Map<number, number>(); // seq -> fixture index
    const statuses = new Map<number, number>();
    let bodyBytes = 0;
    // a second recorder on the same file, started while the load runs: refused, naming the first
    const intruders = (async () => {
      while (answered.size < REQUESTS / 4) await new Promise((res) => setTimeout(res, 10));
      return Promise.all([run(['record', '--listen', '127.0.0.1:0', '-o', out]), run(['record', '--listen', '127.0.0.1:0', '-o', out, '--append'])]);
    })();
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        for (;;) {
          const seq = next++;
          if (seq >= REQUESTS) break;
          const fi = seq % fix.length;
          const r = await send(url, { headers: { ...RW1_HEADERS, 'X-Seq': String(seq) }, body: fix[fi]!.body, agent });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 204) {
            answered.set(seq, fi);
            bodyBytes += fix[fi]!.body.length;
          }
        }
        agent.destroy();
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    for (const r of await intruders) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`is being recorded by pid ${p.child.pid} `));
    }
    p.child.kill('SIGTERM');
    assert.equal((await p.exit).code, 0, p.stderr());
    const rate = REQUESTS / seconds;
    const line = `record load: ${REQUESTS} requests from ${SENDERS} senders in ${seconds.toFixed(2)}s = ${rate.toFixed(0)} requests/s, ${(bodyBytes / seconds / 1048576).toFixed(1)} MiB/s of bodies`;
    t.diagnostic(line);

    assert.deepEqual([...statuses], [[204, REQUESTS]], 'every request was answered 204');
    const cap = readCapture(out);
    assert.equal(cap.truncated, undefined);
    assert.equal(cap.records.length, answered.size, 'one record per 204, no more');
    const seen = new Set<number>();
    for (const rec of cap.records) {
      const seq = Number(rec.headers['x-seq']);
      assert.ok(answered.has(seq), `record for request ${seq} that was not answered`);
      assert.ok(!seen.has(seq), `request ${seq} recorded twice`);
      seen.add(seq);
      const fi = answered.get(seq)!;
      assert.ok(Buffer.from(rec.body).equals(Buffer.from(fix[fi]!.body)), `request ${seq}: body differs`);
      assert.equal(rec.tenant, 'load');
    }
    assert.match(p.stderr(), new RegExp(`recorded ${REQUESTS} requests`));
  } finally {
    dir.cleanup();
  }
});

test(`load: record -o - under ${SENDERS} senders, its reader closes stdout early: every 204 reached the reader`, { skip: spawnSync('perl', ['-e', '1']).status === 0 ? false : 'perl is not installed (the pipe helper needs it)', timeout: 60_000 }, async () => {
  const dir = tempDir('load');
  try {
    const r = await recordIntoHead(dir, 2_000_000, SENDERS, 'shell pipe');
    const got = readCaptureBytes(r.headOut);
    const reached = new Set(got.records.map((x) => Number(x.headers['x-seq'])));
    assert.ok(r.acked.size > 100, `the load ran: ${[...r.statuses]}`);
    for (const seq of r.acked) assert.ok(reached.has(seq), `request ${seq} was answered 204 but its record did not reach the reader`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`recorded ${r.acked.size} requests to stdout`));
  } finally {
    dir.cleanup();
  }
});
