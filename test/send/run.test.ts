// `ha-dedup send` over time: SIGINT (stops after the requests in flight, prints the summary,
// exit 130; cuts a retry wait short), the progress line on a terminal only, --pace in
// simulated time, --shift-to-now (printed, one constant for every timestamp, from a file or stdin).
// The SIGINT tests spawn bin/ha-dedup: a signal sent in process would reach the test runner. The
// others run in process (test/cli/run.ts); the progress line is decided by stderr's isTTY, which
// the in-process run sets as a terminal's WriteStream has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { FIXTURE, fixtureRequests, readCapture, tempDir } from '../record/helpers.js';
import { waitFor } from '../e2e/util.js';
import { NO_CONTENT, TestReceiver, spawnCli } from './procs.js';
import { runCli } from '../cli/run.js';
import { decodePost } from './helpers.js';
import { decodeWriteRequest } from '../../src/wire/prompb.js';
import { snappyDecompress } from '../../src/wire/snappy.js';

const FIX = fixtureRequests();

test('SIGINT: nothing more is sent, the request in flight is answered, the summary is printed, exit 130', async () => {
  const t = tempDir('send-int');
  const rcv = await TestReceiver.start(() => ({ status: 204, delayMs: 150 }));
  try {
    const report = join(t.dir, 'r.json');
    const p = spawnCli(['send', FIXTURE, '--url', rcv.url, '--report', report]);
    await waitFor('three answers', 20_000, () => (rcv.replies.length >= 3 ? true : undefined));
    p.child.kill('SIGINT');
    const run = await p.done;
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /SIGINT: sending nothing more, finishing the requests in flight/);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    assert.ok(r.requests >= 3 && r.requests < FIX.length, `sent ${r.requests}`);
    assert.equal(r.acknowledged_requests, r.requests, 'the request in flight was finished and acknowledged');
    assert.equal(rcv.requests.length, r.requests, 'nothing was sent after the signal');
    assert.deepEqual(rcv.replies, rcv.requests.map(() => 204));
    assert.match(run.stderr, new RegExp(`ha-dedup send: ${r.requests} requests, .* \\(SIGINT: stopped before the end of the input\\)`));
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('SIGINT during a retry wait ends it at once: the request is refused as interrupted (exit 1)', async () => {
  const rcv = await TestReceiver.start(() => ({ status: 503, body: 'overloaded' }));
  try {
    const p = spawnCli(['send', FIXTURE, '--url', rcv.url, '--min-backoff', '20s', '--max-backoff', '20s', '--report', '-']);
    await waitFor('the first attempt', 20_000, () => (rcv.replies.length >= 1 ? true : undefined));
    const at = Date.now();
    p.child.kill('SIGINT');
    const run = await p.done;
    assert.ok(Date.now() - at < 5000, `took ${Date.now() - at} ms to stop`);
    assert.equal(run.code, 1, run.stderr);
    const r = JSON.parse(run.stdout.toString());
    assert.equal(r.requests, 1);
    assert.deepEqual(r.refused, [{ status: 503, message: 'interrupted before it was acknowledged (last attempt: 503: overloaded)', index: 0 }]);
    assert.equal(rcv.requests.length, 1);
  } finally {
    await rcv.close();
  }
});

test('a progress line (requests, samples/s, retries) on a terminal; none when stderr is not one', async () => {
  const rcv = await TestReceiver.start((_r, n) => (n === 5 ? { status: 503 } : { status: 204, delayMs: 15 }));
  try {
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--min-backoff', '1ms'], { stderrTTY: { columns: 120 } });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stderr.split('\r\x1b[2K').filter((l) => l.startsWith('send: '));
    assert.ok(lines.length > 0, `no progress line in ${JSON.stringify(run.stderr.slice(0, 500))}`);
    assert.match(lines[lines.length - 1]!, /^send: \d+ requests, \d+ samples\/s, 1 retries, \d+ acknowledged, 0 refused/);
    assert.match(run.stderr, /ha-dedup send: 146 requests/);
    const plain = await runCli(['send', FIXTURE, '--url', rcv.url]);
    assert.ok(!plain.stderr.includes('\x1b[2K') && !/^send: /m.test(plain.stderr), plain.stderr);
  } finally {
    await rcv.close();
  }
});

test('--pace 20x replays the recorded receive times twenty times faster', async () => {
  const t = tempDir('send-pace');
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    // the first 20 s of the fixture: 11 requests (receive times in the capture), as a capture of their own
    const first = FIX[0]!.receivedAtMs;
    const n = FIX.filter((r) => r.receivedAtMs - first <= 20_000).length;
    const head = join(t.dir, 'head.rwcap');
    writeFileSync(head, Buffer.concat([readFileSync(FIXTURE).subarray(0, 7), ...readCapture(FIXTURE).raw.slice(0, n)]));
    const run = await runCli(['send', head, '--url', rcv.url, '--pace', '20x']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(rcv.requests.length, n);
    // measured from the first arrival, which also waited for the connection to open: never
    // early by more than that; late only by what a busy machine adds (at 1x it would be 20 times later)
    const t0 = rcv.requests[0]!.at;
    for (let i = 0; i < n; i++) {
      const want = (FIX[i]!.receivedAtMs - first) / 20;
      const got = rcv.requests[i]!.at - t0;
      assert.ok(got >= want - 150 && got <= want + 2000, `request ${i}: sent at +${got} ms, due at +${want} ms`);
    }
    const span = (FIX[n - 1]!.receivedAtMs - first) / 20;
    assert.ok(span > 500, `the paced span (${span} ms) is long enough to tell pacing from --pace max`);
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('--shift-to-now moves every timestamp by the one printed constant; the newest sample lands at now (file and stdin)', async () => {
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    const orig = FIX.map((r) => decodeWriteRequest(snappyDecompress(r.body)));
    let newest = -Infinity;
    for (const w of orig) for (const ts of w.timeseries) for (const s of ts.samples) newest = Math.max(newest, s.timestamp);
    for (const input of ['file', 'stdin'] as const) {
      rcv.requests.length = 0;
      const before = Date.now();
      const run = input === 'file' ? await runCli(['send', FIXTURE, '--url', rcv.url, '--shift-to-now']) : await runCli(['send', '-', '--url', rcv.url, '--shift-to-now'], { input: readFileSync(FIXTURE) });
      const after = Date.now();
      assert.equal(run.status, 0, run.stderr);
      const m = /--shift-to-now: every timestamp moved by \+(\d+)ms \(\+[0-9hms]+\): the newest sample, (\S+), lands at (\S+)/.exec(run.stderr);
      assert.ok(m, run.stderr);
      const shift = Number(m[1]);
      assert.equal(m[2], new Date(newest).toISOString());
      assert.ok(newest + shift >= before && newest + shift <= after, 'the newest sample lands at the wall clock of the run');
      assert.equal(rcv.requests.length, FIX.length);
      rcv.requests.forEach((r, i) => {
        const got = decodePost(r.body, 'rw1');
        assert.deepEqual(
          got.timeseries.map((ts) => ts.samples.map((s) => s.timestamp)),
          orig[i]!.timeseries.map((ts) => ts.samples.map((s) => s.timestamp + shift)),
          `${input}: request ${i}`,
        );
      });
    }
  } finally {
    await rcv.close();
  }
});
