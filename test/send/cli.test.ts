// `ha-dedup send` against `ha-dedup record` and receivers scripted in the test: bodies and
// headers on the wire, retries and refusals, the summary, the report and the exit code, tenants,
// sample formats, stdin, bad input. Every command runs in process (test/cli/run.ts): none of these
// needs a process of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { FIXTURE, fixtureRequests, readCapture, tempDir } from '../record/helpers.js';
import { NO_CONTENT, TestReceiver } from './procs.js';
import { runCli, startCli } from '../cli/run.js';
import { decodePost, flatSamples } from './helpers.js';
import { decodeWriteRequest } from '../../src/wire/prompb.js';
import { snappyDecompress } from '../../src/wire/snappy.js';

const FIX = fixtureRequests();
const FIX_SAMPLES = 36352;
const SUMMARY = /^ha-dedup send: (\d+) requests, (\d+) samples sent, (\d+) acknowledged, (\d+) retried.*, (\d+) refused.*, (\d+) bytes, \d+\.\d{3}s/m;

/** `ha-dedup record` in process, stopping by itself after `requests` requests (--max-requests). */
async function withRecorder<T>(dir: string, requests: number, fn: (url: string, out: string) => Promise<T>): Promise<T> {
  const out = join(dir, 'recorded.rwcap');
  const rec = startCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--max-requests', String(requests)]);
  const [, url] = await rec.waitForStderr(/listening on (http:\/\/\S+?),/);
  const result = await fn(`${url}/api/v1/push`, out);
  const { status } = await rec.done;
  assert.equal(status, 0, rec.stderr());
  return result;
}

test('send of a capture into ha-dedup record gives the same bodies byte for byte, with the headers Prometheus sends', async () => {
  const t = tempDir('send-rec');
  try {
    const reportPath = join(t.dir, 'report.json');
    const { run, out } = await withRecorder(t.dir, FIX.length, async (url, out) => ({ run: await runCli(['send', FIXTURE, '--url', url, '--report', reportPath]), out }));
    assert.equal(run.status, 0, run.stderr);
    const got = readCapture(out).records;
    assert.equal(got.length, FIX.length);
    for (let i = 0; i < FIX.length; i++) {
      assert.deepEqual(Buffer.from(got[i]!.body), Buffer.from(FIX[i]!.body), `body of request ${i}`);
      assert.equal(got[i]!.tenant, FIX[i]!.tenant, 'X-Scope-OrgID from the record');
      assert.equal(got[i]!.contentType, 'application/x-protobuf');
      assert.equal(got[i]!.contentEncoding, 'snappy');
      assert.equal(got[i]!.headers['x-prometheus-remote-write-version'], '0.1.0');
      assert.equal(got[i]!.headers['user-agent'], 'ha-dedup/0.1.0');
      assert.equal(got[i]!.path, '/api/v1/push');
    }
    // in clock order: the recorder saw them in the capture's receive-time order
    const m = SUMMARY.exec(run.stderr)!;
    assert.ok(m, run.stderr);
    const bytes = FIX.reduce((a, r) => a + r.body.length, 0);
    assert.deepEqual(m.slice(1).map(Number), [146, FIX_SAMPLES, 146, 0, 0, bytes]);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.deepEqual(Object.keys(report), ['acknowledged_requests', 'bytes', 'refused', 'refused_requests', 'requests', 'retried_requests', 'samples', 'version', 'wall_ms']);
    assert.deepEqual({ ...report, wall_ms: 0 }, { version: 1, requests: 146, samples: FIX_SAMPLES, acknowledged_requests: 146, retried_requests: 0, refused_requests: 0, refused: [], bytes, wall_ms: 0 });
    assert.ok(Number.isInteger(report.wall_ms) && report.wall_ms > 0);
  } finally {
    t.cleanup();
  }
});

test('--protocol 2: the capture re-encoded as Remote-Write 2.0 into record decodes to the same samples', async () => {
  const t = tempDir('send-rw2');
  try {
    const { run, out } = await withRecorder(t.dir, FIX.length, async (url, out) => ({ run: await runCli(['send', FIXTURE, '--url', url, '--protocol', '2']), out }));
    assert.equal(run.status, 0, run.stderr);
    const got = readCapture(out).records;
    assert.equal(got.length, FIX.length);
    for (let i = 0; i < FIX.length; i++) {
      assert.equal(got[i]!.contentType, 'application/x-protobuf;proto=io.prometheus.write.v2.Request');
      assert.equal(got[i]!.headers['x-prometheus-remote-write-version'], '2.0.0');
      const want = decodeWriteRequest(snappyDecompress(FIX[i]!.body));
      assert.deepEqual(flatSamples(decodePost(got[i]!.body, 'rw2')), flatSamples(want), `samples of request ${i}`);
    }
    // and back: the 2.0 capture sent with --protocol 1 gives the original samples again
    const rcv = await TestReceiver.start(() => NO_CONTENT);
    try {
      const again = await runCli(['send', out, '--url', rcv.url, '--protocol', '1']);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(rcv.requests.length, FIX.length);
      for (let i = 0; i < FIX.length; i++) {
        assert.equal(rcv.requests[i]!.headers['content-type'], 'application/x-protobuf');
        assert.deepEqual(flatSamples(decodePost(rcv.requests[i]!.body, 'rw1')), flatSamples(decodeWriteRequest(snappyDecompress(FIX[i]!.body))));
      }
    } finally {
      await rcv.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a receiver that answers 500 then 204: every request acknowledged exactly once, in order', async () => {
  const seen = new Map<string, number>();
  const rcv = await TestReceiver.start((r) => {
    const k = r.body.toString('base64');
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return n === 1 ? { status: 500, body: 'try again' } : NO_CONTENT;
  });
  try {
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--min-backoff', '1ms', '--max-backoff', '5ms', '--report', '-']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(rcv.requests.length, 2 * FIX.length);
    assert.deepEqual(rcv.replies.filter((s) => s === 204).length, FIX.length);
    // attempt order: 500, then the retry's 204, before the next request is sent
    for (let i = 0; i < FIX.length; i++) {
      assert.deepEqual(rcv.requests[2 * i]!.body, Buffer.from(FIX[i]!.body));
      assert.deepEqual(rcv.requests[2 * i + 1]!.body, Buffer.from(FIX[i]!.body));
    }
    const report = JSON.parse(run.stdout);
    assert.equal(report.acknowledged_requests, FIX.length);
    assert.equal(report.retried_requests, FIX.length);
    assert.equal(report.refused_requests, 0);
    assert.equal(report.bytes, 2 * FIX.reduce((a, r) => a + r.body.length, 0));
    assert.match(run.stderr, new RegExp(`146 retried \\(146 retries\\)`));
  } finally {
    await rcv.close();
  }
});

test('a receiver that answers 400: no retry, each refusal listed with its message, exit 1', async () => {
  const rcv = await TestReceiver.start((_r, n) => (n % 50 === 3 ? { status: 400, body: `out of bounds (request ${n})\n` } : NO_CONTENT));
  const t = tempDir('send-400');
  try {
    const reportPath = join(t.dir, 'r.json');
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--report', reportPath]);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(rcv.requests.length, FIX.length, 'nothing was sent twice');
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.equal(report.refused_requests, 3);
    assert.deepEqual(report.refused, [3, 53, 103].map((n) => ({ status: 400, message: `out of bounds (request ${n})`, index: n })));
    assert.equal(report.acknowledged_requests, FIX.length - 3);
    assert.match(run.stderr, /warning: request 3 \(.*prom-ha-dev\.rwcap record 3\) refused: 400: out of bounds \(request 3\)/);
    assert.match(run.stderr, /3 refused \(400: 3\)/);
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('only the first 100 refusals are printed, then one line; the report lists 100 and counts all', async () => {
  const rcv = await TestReceiver.start(() => ({ status: 422, body: 'no' }));
  try {
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--report', '-']);
    assert.equal(run.status, 1);
    assert.equal(run.stderr.match(/warning: request \d+ .* refused: 422: no$/gm)?.length, 100);
    assert.match(run.stderr, /warning: more than 100 requests refused; the rest are counted, not listed/);
    const r = JSON.parse(run.stdout);
    assert.equal(r.refused.length, 100);
    assert.equal(r.refused_requests, FIX.length);
    assert.match(run.stderr, /ha-dedup: send: 146 of 146 requests were refused/);
  } finally {
    await rcv.close();
  }
});

test('a 2.0 request answered 204 without -Written headers fails (exit 1); with them it is acknowledged', async () => {
  const bare = await TestReceiver.start(() => NO_CONTENT);
  const good = await TestReceiver.start(() => ({ status: 204, headers: { 'X-Prometheus-Remote-Write-Samples-Written': '1', 'X-Prometheus-Remote-Write-Histograms-Written': '0', 'X-Prometheus-Remote-Write-Exemplars-Written': '0' } }));
  try {
    const a = await runCli(['send', FIXTURE, '--url', bare.url, '--protocol', '2', '--report', '-']);
    assert.equal(a.status, 1);
    const ra = JSON.parse(a.stdout);
    assert.equal(ra.refused_requests, FIX.length);
    assert.equal(bare.requests.length, FIX.length, 'not retried');
    assert.match(ra.refused[0].message, /without the X-Prometheus-Remote-Write-\*-Written headers/);
    const b = await runCli(['send', FIXTURE, '--url', good.url, '--protocol', '2']);
    assert.equal(b.status, 0, b.stderr);
  } finally {
    await bare.close();
    await good.close();
  }
});

test('a Retry-After of 1s on a 429 is waited for', async () => {
  let first = 0;
  const rcv = await TestReceiver.start((_r, n) => (n === 0 ? ((first = Date.now()), { status: 429, headers: { 'Retry-After': '1' } }) : NO_CONTENT));
  try {
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--min-backoff', '1ms']);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(rcv.requests[1]!.at - first >= 950, `retried after ${rcv.requests[1]!.at - first} ms`);
  } finally {
    await rcv.close();
  }
});

test('--timeout bounds one attempt: a receiver that does not answer in time is retried, then refused', async () => {
  const t = tempDir('send-timeout');
  const rcv = await TestReceiver.start(() => ({ status: 204, delayMs: 3000 }));
  try {
    // the first three records of the fixture
    const three = join(t.dir, 'three.rwcap');
    writeFileSync(three, Buffer.concat([readFileSync(FIXTURE).subarray(0, 7), ...readCapture(FIXTURE).raw.slice(0, 3)]));
    const at = Date.now();
    const run = await runCli(['send', three, '--url', rcv.url, '--timeout', '200ms', '--retries', '1', '--min-backoff', '1ms', '--report', '-']);
    assert.equal(run.status, 1, run.stderr);
    assert.ok(Date.now() - at < 10_000, 'did not wait for the answers (six of them would take 18 s)');
    const r = JSON.parse(run.stdout);
    assert.equal(r.acknowledged_requests, 0);
    assert.deepEqual(r.refused[0], { status: null, message: 'no answer within --timeout 200ms (gave up after 1 retry, --retries 1)', index: 0 });
    assert.equal(r.retried_requests, 3);
    assert.equal(rcv.requests.length, 6);
    assert.match(run.stderr, /request 0 \(.*three\.rwcap record 0\) refused: no answer within --timeout 200ms/);
    assert.match(run.stderr, /3 refused \(no answer: 3\)/);
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('several inputs are merged in clock order (receive times), ties in input order', async () => {
  const t = tempDir('send-merge');
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    // the fixture's records split into two captures, odd and even, by receive time
    const all = readFileSync(FIXTURE);
    const cap = readCapture(FIXTURE);
    const part = (k: number) => Buffer.concat([all.subarray(0, 7), ...cap.raw.filter((_r, i) => i % 2 === k)]);
    writeFileSync(join(t.dir, 'a.rwcap'), part(1));
    writeFileSync(join(t.dir, 'b.rwcap'), part(0));
    const run = await runCli(['send', join(t.dir, 'a.rwcap'), join(t.dir, 'b.rwcap'), '--url', rcv.url]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(rcv.requests.map((r) => r.body.toString('base64')), FIX.map((r) => Buffer.from(r.body).toString('base64')));
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('every input format: a bare remote-write body and vm-json are sent with the same samples', async () => {
  const t = tempDir('send-formats');
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    const body = join(t.dir, 'one.pb.snappy');
    writeFileSync(body, FIX[5]!.body);
    assert.equal((await runCli(['send', body, '--url', rcv.url])).status, 0);
    const want5 = decodeWriteRequest(snappyDecompress(FIX[5]!.body));
    assert.deepEqual(flatSamples(decodePost(rcv.requests[0]!.body, 'rw1')), flatSamples(want5));
    const vm = join(t.dir, 'fix.vm.json');
    assert.equal((await runCli(['convert', FIXTURE, '-o', vm, '--to', 'vm-json'])).status, 0);
    rcv.requests.length = 0;
    const run = await runCli(['send', vm, '--url', rcv.url, '--report', '-']);
    assert.equal(run.status, 0, run.stderr);
    const sent = rcv.requests.reduce((a, r) => a + decodePost(r.body, 'rw1').timeseries.reduce((b, ts) => b + ts.samples.length, 0), 0);
    const lines = readFileSync(vm, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { values: unknown[] });
    assert.equal(sent, lines.reduce((a, l) => a + l.values.length, 0));
    assert.equal(JSON.parse(run.stdout).samples, sent);
    assert.ok(rcv.requests.every((r) => decodePost(r.body, 'rw1').timeseries.reduce((b, ts) => b + ts.samples.length, 0) <= 2000));
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('sample formats are batched into requests of at most --max-samples-per-send, tenant from --tenant', async () => {
  const t = tempDir('send-nd');
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    const nd = join(t.dir, 'fix.ndjson');
    const conv = await runCli(['convert', FIXTURE, '-o', nd, '--to', 'ndjson']);
    assert.equal(conv.status, 0, conv.stderr);
    // without tenants in the lines
    writeFileSync(nd, readFileSync(nd, 'utf8').replace(/"tenant":"tenant-a",?/g, ''));
    const run = await runCli(['send', nd, '--url', rcv.url, '--max-samples-per-send', '1000', '--tenant', 'given']);
    assert.equal(run.status, 0, run.stderr);
    let total = 0;
    const all: ReturnType<typeof flatSamples> = [];
    for (const r of rcv.requests) {
      assert.equal(r.headers['x-scope-orgid'], 'given');
      const w = decodePost(r.body, 'rw1');
      const n = w.timeseries.reduce((a, ts) => a + ts.samples.length, 0);
      assert.ok(n <= 1000, `a request of ${n} samples`);
      total += n;
      all.push(...flatSamples(w));
    }
    assert.equal(total, FIX_SAMPLES);
    const want = FIX.flatMap((r) => flatSamples(decodeWriteRequest(snappyDecompress(r.body))));
    assert.deepEqual(all, want, 'every sample once, in input order');
    assert.ok(rcv.requests.length < FIX.length, `batched: ${rcv.requests.length} requests`);
    // without --tenant: no X-Scope-OrgID
    const before = rcv.requests.length;
    const plain = await runCli(['send', nd, '--url', rcv.url]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(rcv.requests.slice(before).every((r) => r.headers['x-scope-orgid'] === undefined));
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('stdin: a capture piped in is sent the same', async () => {
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    const run = await runCli(['send', '--url', rcv.url], { input: readFileSync(FIXTURE) });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(rcv.requests.map((r) => r.body.toString('base64')), FIX.map((r) => Buffer.from(r.body).toString('base64')));
  } finally {
    await rcv.close();
  }
});

test('--keep-headers adds recorded headers, never credentials; without it none are added', async () => {
  const t = tempDir('send-hdr');
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    const j = join(t.dir, 'c.rwcap-json');
    assert.equal((await runCli(['convert', FIXTURE, '-o', j, '--to', 'rwcap-json'])).status, 0);
    const line = JSON.parse(readFileSync(j, 'utf8').split('\n')[0]!);
    line.headers = { ...line.headers, 'x-origin': 'replica1', authorization: 'Bearer leaked', cookie: 'c=1', 'retry-attempt': '2' };
    writeFileSync(j, JSON.stringify(line) + '\n');
    assert.equal((await runCli(['send', j, '--url', rcv.url, '--keep-headers'])).status, 0);
    assert.equal((await runCli(['send', j, '--url', rcv.url])).status, 0);
    const [kept, plain] = rcv.requests;
    assert.equal(kept!.headers['x-origin'], 'replica1');
    assert.equal(kept!.headers['retry-attempt'], '2');
    assert.equal(kept!.headers['user-agent'], 'ha-dedup/0.1.0', 'the recorded user-agent is not kept');
    for (const h of [kept!, plain!]) {
      assert.equal(h.headers['authorization'], undefined);
      assert.equal(h.headers['cookie'], undefined);
    }
    assert.equal(plain!.headers['x-origin'], undefined);
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('bad input: a missing file is exit 3 in one line; a bad record is skipped with a warning; --strict stops (exit 3)', async () => {
  const t = tempDir('send-bad');
  const rcv = await TestReceiver.start(() => NO_CONTENT);
  try {
    const missing = await runCli(['send', join(t.dir, 'nope.rwcap'), '--url', rcv.url]);
    assert.equal(missing.status, 3);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
    assert.match(missing.stderr, /nope\.rwcap: no such file/);
    // flip a byte inside the third record's body: its CRC no longer matches
    const buf = Buffer.from(readFileSync(FIXTURE));
    const third = readCapture(FIXTURE).offsets[2]!;
    buf[third + 60] ^= 0xff;
    const bad = join(t.dir, 'bad.rwcap');
    writeFileSync(bad, buf);
    const run = await runCli(['send', bad, '--url', rcv.url]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /warning: .*bad\.rwcap: record 2 at byte \d+: /);
    assert.equal(rcv.requests.length, FIX.length - 1);
    const strict = await runCli(['send', bad, '--url', rcv.url, '--strict']);
    assert.equal(strict.status, 3);
    assert.match(strict.stderr, /record 2 .*\(--strict\)/);
    assert.match(strict.stderr, /ha-dedup send: 2 requests/, 'what was sent before is summed up');
    const usage = await runCli(['send', FIXTURE]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--url/);
  } finally {
    await rcv.close();
    t.cleanup();
  }
});
