// Load: 8 concurrent senders post real fixture bodies to a recorder process on loopback as fast
// as they can, 2000 requests in all. Every request answered 204 must be in the capture byte for
// byte, nothing else may be, and no two records may interleave. Prints the request rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { join } from 'node:path';
import { send, readCapture, tempDir, fixtureRequests, spawnCli, RW1_HEADERS } from './helpers.js';

const SENDERS = 8;
const REQUESTS = 2000;

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
