// The receiver in process: what gets recorded, every status code, ordering under concurrency,
// write failures (500, rollback, retry), --max-requests, graceful stop with a request in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Recorder, openCaptureFile, FileSink, type CaptureSink, type RecorderOptions } from '../../src/record/index.js';
import { crc32 } from '../../src/wire/crc32.js';
import { encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { encodeWriteRequest } from '../../src/wire/prompb.js';
import { send, readCapture, tempDir, fixtureRequests, RW1_HEADERS } from './helpers.js';

const FIX = fixtureRequests();
const bodyA = FIX.find((r) => r.body.length > 1000)!.body;

async function withRecorder(
  extra: Partial<RecorderOptions>,
  fn: (r: Recorder, path: string, logs: string[]) => Promise<void>,
  wrap?: (s: FileSink) => CaptureSink,
): Promise<void> {
  const t = tempDir('rec');
  const path = join(t.dir, 'cap.rwcap');
  const logs: string[] = [];
  const { sink } = openCaptureFile(path, false);
  const r = await Recorder.start({ host: '127.0.0.1', port: 0, sink: wrap ? wrap(sink) : sink, log: (l) => logs.push(l), ...extra });
  try {
    await fn(r, path, logs);
  } finally {
    await r.stop();
    t.cleanup();
  }
}

test('a remote-write 1.0 request is recorded with every field and answered 204 after the write', async () => {
  await withRecorder({ now: () => 1764010523123, tenant: 'fallback' }, async (r, path) => {
    const res = await send(r.url, {
      path: '/api/v1/push',
      headers: {
        ...RW1_HEADERS,
        'X-Scope-OrgID': 'team-a',
        Authorization: 'Bearer secret',
        'Proxy-Authorization': 'Basic x',
        Cookie: 'a=b',
        'Retry-Attempt': '1',
      },
      body: bodyA,
    });
    assert.equal(res.status, 204);
    // 204 means written: the record is in the file now, before stop() closes it
    const cap = readCapture(path);
    assert.equal(cap.records.length, 1);
    assert.equal(cap.truncated, undefined);
    const rec = cap.records[0]!;
    assert.equal(rec.receivedAtMs, 1764010523123);
    assert.equal(rec.tenant, 'team-a');
    assert.equal(rec.contentType, 'application/x-protobuf');
    assert.equal(rec.contentEncoding, 'snappy');
    assert.deepEqual(Buffer.from(rec.body), Buffer.from(bodyA));
    assert.equal(rec.bodyCrc32, crc32(bodyA));
    assert.equal(rec.path, '/api/v1/push');
    assert.match(rec.remoteAddr, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(Object.keys(rec.headers).sort(), [
      'connection',
      'content-length',
      'host',
      'retry-attempt',
      'user-agent',
      'x-prometheus-remote-write-version',
    ]);
    assert.equal(rec.headers['user-agent'], 'Prometheus/2.42.0');
    assert.equal(rec.headers['retry-attempt'], '1');
    assert.equal(rec.headers['content-length'], String(bodyA.length));
    const raw = readFileSync(path).toString('latin1');
    for (const secret of ['Bearer secret', 'Basic x', 'a=b']) assert.ok(!raw.includes(secret), `${secret} must never reach the capture`);
  });
});

test('any path is accepted; the tenant comes from the header, the path pattern or --tenant', async () => {
  await withRecorder({ tenant: 'fb', tenantFromPath: '/tenants/{tenant}/api/v1/push' }, async (r, path) => {
    const paths = ['/api/v1/push', '/api/v1/write', '/tenants/t9/api/v1/push', '/', '/tenants/t9/api/v1/push'];
    for (const [i, p] of paths.entries()) {
      const headers: Record<string, string> = { ...RW1_HEADERS };
      if (i === 4) headers['X-Scope-OrgID'] = 'hdr';
      const res = await send(r.url, { path: p, headers, body: FIX[i]!.body });
      assert.equal(res.status, 204, p);
    }
    const recs = readCapture(path).records;
    assert.deepEqual(recs.map((x) => x.path), paths);
    assert.deepEqual(recs.map((x) => x.tenant), ['fb', 'fb', 't9', 'fb', 'hdr']);
    const stats = r.snapshot();
    assert.equal(stats.requests, 5);
    assert.deepEqual([...stats.tenants.keys()].sort(), ['fb', 'hdr', 't9']);
    assert.equal(stats.tenants.get('fb')!.requests, 3);
  });
  await withRecorder({}, async (r, path) => {
    assert.equal((await send(r.url, { headers: RW1_HEADERS, body: bodyA })).status, 204);
    assert.equal(readCapture(path).records[0]!.tenant, '', 'no tenant anywhere: stored as ""');
  });
});

/** An uncompressed 1.0 body of exactly n bytes (one series, a label value padded to fit). */
function bodyOfLength(n: number): Uint8Array {
  for (let pad = n; pad > 0; pad--) {
    const b = encodeWriteRequest({ timeseries: [{ labels: [{ name: '__name__', value: 'x'.repeat(pad) }], samples: [{ value: 1, timestamp: 1 }], exemplars: [], histograms: [] }], metadata: [] });
    if (b.length === n) return b;
  }
  throw new Error(`no body of ${n} bytes`);
}

test('405, 415, 413 (declared and streamed) are answered and nothing is recorded', async () => {
  await withRecorder({ maxBody: 4000 }, async (r, path) => {
    const get = await send(r.url, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers['allow'], 'POST');
    assert.equal((await send(r.url, { method: 'PUT', headers: RW1_HEADERS, body: bodyA.subarray(0, 10) })).status, 405);
    const json = await send(r.url, { headers: { 'Content-Type': 'application/json' }, body: new Uint8Array(5) });
    assert.equal(json.status, 415);
    assert.match(json.body, /application\/json/);
    const zstd = await send(r.url, { headers: { ...RW1_HEADERS, 'Content-Encoding': 'zstd' }, body: new Uint8Array(5) });
    assert.equal(zstd.status, 415);
    assert.match(zstd.body, /zstd/);
    const big = new Uint8Array(6000).fill(7);
    const declared = await send(r.url, { headers: RW1_HEADERS, body: big });
    assert.equal(declared.status, 413);
    assert.match(declared.body, /--max-body 4000/);
    // chunked: no Content-Length, so the limit is found while counting
    const streamed = await new Promise<number>((resolve, reject) => {
      const u = new URL(r.url);
      const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/push', headers: RW1_HEADERS, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(big.subarray(0, 3000));
      setTimeout(() => req.end(big.subarray(3000)), 20);
    });
    assert.equal(streamed, 413);
    // exactly at the limit is fine (a valid 1.0 body of 4000 bytes, uncompressed)
    const exact = bodyOfLength(4000);
    assert.equal((await send(r.url, { headers: { 'Content-Type': 'application/x-protobuf' }, body: exact })).status, 204);
    const cap = readCapture(path);
    assert.equal(cap.records.length, 1);
    assert.equal(cap.records[0]!.body.length, 4000);
    assert.deepEqual([...r.snapshot().rejected].sort(), [[405, 2], [413, 2], [415, 2]]);
  });
});

test('remote-write 2.0: answered with the written counts; an invalid 2.0 body is kept and answered 400', async () => {
  await withRecorder({}, async (r, path) => {
    const wr = {
      timeseries: [
        { labels: [{ name: '__name__', value: 'x' }], samples: [{ value: 1, timestamp: 1 }, { value: 2, timestamp: 2 }], exemplars: [{ labels: [], value: 1, timestamp: 1 }], histograms: [] },
        { labels: [{ name: '__name__', value: 'y' }], samples: [{ value: 1, timestamp: 1 }], exemplars: [], histograms: [] },
      ],
      metadata: [],
    };
    const body = snappyCompress(encodeWriteRequestV2(wr));
    const ct = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
    const res = await send(r.url, { headers: { 'Content-Type': ct, 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '2.0.0' }, body });
    assert.equal(res.status, 204);
    assert.equal(res.headers['x-prometheus-remote-write-samples-written'], '3');
    assert.equal(res.headers['x-prometheus-remote-write-histograms-written'], '0');
    assert.equal(res.headers['x-prometheus-remote-write-exemplars-written'], '1');
    const bad = await send(r.url, { headers: { 'Content-Type': ct, 'Content-Encoding': 'snappy' }, body: new Uint8Array([1, 2, 3]) });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /written to the capture/);
    // 1.0 answers carry no counts
    const v1 = await send(r.url, { headers: RW1_HEADERS, body: bodyA });
    assert.equal(v1.headers['x-prometheus-remote-write-samples-written'], undefined);
    const recs = readCapture(path).records;
    assert.equal(recs.length, 3);
    assert.equal(recs[0]!.contentType, ct);
    assert.deepEqual(Buffer.from(recs[0]!.body), Buffer.from(body));
  });
});

test('concurrent requests are appended whole, one after another, and all are recorded', async () => {
  await withRecorder({}, async (r, path) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const bodies = FIX.slice(0, 80).map((x) => x.body);
    const res = await Promise.all(bodies.map((b, i) => send(r.url, { headers: { ...RW1_HEADERS, 'X-Seq': String(i) }, body: b, agent })));
    agent.destroy();
    assert.ok(res.every((x) => x.status === 204));
    const cap = readCapture(path);
    assert.equal(cap.truncated, undefined);
    assert.equal(cap.records.length, bodies.length);
    for (const rec of cap.records) {
      const i = Number(rec.headers['x-seq']);
      assert.deepEqual(Buffer.from(rec.body), Buffer.from(bodies[i]!), `request ${i}`);
    }
    // receive times never go backwards in file order
    for (let i = 1; i < cap.records.length; i++) assert.ok(cap.records[i]!.receivedAtMs >= cap.records[i - 1]!.receivedAtMs);
  });
});

/** A sink that half-writes a chunk then fails, `failures` times, starting with the n-th write. */
function flaky(inner: FileSink, startAt: number, failures: number, rollbackWorks = true): CaptureSink & { syncs: number } {
  let writes = 0;
  let left = failures;
  return {
    name: inner.name,
    get length() {
      return inner.length;
    },
    syncs: 0,
    async write(chunk) {
      writes++;
      if (writes >= startAt && left > 0) {
        left--;
        await inner.write(chunk.subarray(0, Math.floor(chunk.length / 2)));
        throw new Error('ENOSPC: no space left on device (simulated)');
      }
      await inner.write(chunk);
    },
    commit: () => inner.commit(),
    async sync() {
      this.syncs++;
      await inner.sync();
    },
    rollback: () => (rollbackWorks ? inner.rollback() : Promise.resolve(false)),
    close: () => inner.close(),
  };
}

test('a failed write is answered 500, rolled back, and the retry is recorded; the capture stays whole', async () => {
  await withRecorder(
    {},
    async (r, path, logs) => {
      assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[0]!.body })).status, 204);
      const fail = await send(r.url, { headers: RW1_HEADERS, body: FIX[1]!.body });
      assert.equal(fail.status, 500);
      assert.match(fail.body, /no space left/);
      const retry = await send(r.url, { headers: RW1_HEADERS, body: FIX[1]!.body });
      assert.equal(retry.status, 204);
      const cap = readCapture(path);
      assert.equal(cap.truncated, undefined);
      assert.deepEqual(cap.records.map((x) => Buffer.from(x.body)), [Buffer.from(FIX[0]!.body), Buffer.from(FIX[1]!.body)]);
      assert.equal(logs.length, 1);
      assert.equal(r.snapshot().rejected.get(500), 1);
    },
    (s) => flaky(s, 2, 1),
  );
});

test('when a failed write cannot be rolled back, every later request is answered 500', async () => {
  await withRecorder(
    {},
    async (r, path, logs) => {
      assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[0]!.body })).status, 204);
      assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[1]!.body })).status, 500);
      assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[2]!.body })).status, 500);
      assert.ok(logs.some((l) => l.includes('could not be rolled back')));
      const cap = readCapture(path);
      assert.equal(cap.records.length, 1);
      assert.ok(cap.truncated, 'the half-written record is still there: the reader reports it as truncated');
    },
    (s) => flaky(s, 2, 1, false),
  );
});

test('--fsync: the file is synced before a request is answered', async () => {
  let sink!: ReturnType<typeof flaky>;
  await withRecorder(
    { fsync: true },
    async (r) => {
      for (let i = 0; i < 3; i++) {
        const before = sink.syncs;
        assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
        assert.ok(sink.syncs > before, 'a sync happened before the 204');
      }
    },
    (s) => (sink = flaky(s, 1, 0)),
  );
});

test('--max-requests: exactly N records, later requests 503, then the recorder stops', async () => {
  await withRecorder({ maxRequests: 3 }, async (r, path) => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(r.url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status);
    assert.deepEqual(statuses, [204, 204, 204]);
    const stats = await r.done;
    assert.equal(stats.stopReason, '--max-requests reached');
    assert.equal(stats.requests, 3);
    assert.equal(readCapture(path).records.length, 3);
    await assert.rejects(send(r.url, { headers: RW1_HEADERS, body: FIX[3]!.body }), /ECONNREFUSED/);
  });
});

test('stop: a request in flight is finished and written; new connections are refused', async () => {
  await withRecorder({}, async (r, path) => {
    const u = new URL(r.url);
    const body = FIX[5]!.body;
    let release!: () => void;
    const sentHalf = new Promise<void>((res) => (release = res));
    const inflight = new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/push', headers: { ...RW1_HEADERS, 'Content-Length': String(body.length) }, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 100), () => release());
      setTimeout(() => req.end(body.subarray(100)), 200);
    });
    await sentHalf;
    await new Promise((res) => setTimeout(res, 50));
    const stopped = r.stop('SIGTERM');
    await new Promise((res) => setTimeout(res, 20));
    await assert.rejects(send(r.url, { headers: RW1_HEADERS, body: FIX[6]!.body }), /ECONNREFUSED/);
    assert.equal(await inflight, 204);
    const stats = await stopped;
    assert.equal(stats.requests, 1);
    assert.equal(stats.stopReason, 'SIGTERM');
    const cap = readCapture(path);
    assert.equal(cap.records.length, 1);
    assert.deepEqual(Buffer.from(cap.records[0]!.body), Buffer.from(body));
  });
});

test('204 is sent only after the write completed, even when the write is slow', async () => {
  let completed = 0;
  await withRecorder(
    {},
    async (r) => {
      const res = await Promise.all([0, 1, 2].map((i) => send(r.url, { headers: RW1_HEADERS, body: FIX[i]!.body }).then((x) => ({ status: x.status, completedAtAnswer: completed }))));
      for (const x of res) {
        assert.equal(x.status, 204);
        assert.ok(x.completedAtAnswer >= 1, 'a write had completed when the answer arrived');
      }
      assert.ok(completed <= 2, `requests that arrived during a write were written together (group commit): ${completed} writes`);
    },
    (inner) => ({
      name: inner.name,
      get length() {
        return inner.length;
      },
      async write(chunk) {
        await new Promise((res) => setTimeout(res, 150));
        await inner.write(chunk);
        completed++;
      },
      commit: () => inner.commit(),
      sync: () => inner.sync(),
      rollback: () => inner.rollback(),
      close: () => inner.close(),
    }),
  );
});

test('a request whose sender goes away before the body is complete is not recorded', async () => {
  await withRecorder({}, async (r, path) => {
    const u = new URL(r.url);
    const body = FIX[5]!.body;
    await new Promise<void>((resolve) => {
      const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/push', headers: { ...RW1_HEADERS, 'Content-Length': String(body.length) }, agent: false });
      req.on('error', () => resolve());
      req.write(body.subarray(0, 100), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    await new Promise((res) => setTimeout(res, 100));
    assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[6]!.body })).status, 204);
    const cap = readCapture(path);
    assert.equal(cap.records.length, 1);
    assert.deepEqual(Buffer.from(cap.records[0]!.body), Buffer.from(FIX[6]!.body));
    assert.equal(r.snapshot().aborted, 1);
  });
});

test('a body the server closes for its own request timeout is answered 408 and counted as timed out, not as aborted by the sender', async () => {
  await withRecorder({ requestTimeoutMs: 300 }, async (r, path) => {
    const u = new URL(r.url);
    const body = FIX[5]!.body;
    const status = await new Promise<number | string>((resolve) => {
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/push', headers: { ...RW1_HEADERS, 'Content-Length': String(body.length) }, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (e) => resolve((e as { code?: string }).code ?? 'error'));
      req.write(body.subarray(0, 100)); // a slow sender: the rest never comes
    });
    assert.equal(status, 408);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal((await send(r.url, { headers: RW1_HEADERS, body: FIX[6]!.body })).status, 204);
    const stats = r.snapshot();
    assert.deepEqual([stats.timedOut, stats.aborted, stats.rejected.get(408)], [1, 0, 1]);
    assert.equal(readCapture(path).records.length, 1);
  });
});

test('--tenant-from-path: a tenant id Cortex/Mimir refuse is answered 400 with the reason and not recorded', async () => {
  await withRecorder({ tenantFromPath: '/tenants/{tenant}/api/v1/push' }, async (r, path) => {
    const cases: [string, RegExp][] = [
      ['/tenants/team%2Fa/api/v1/push', /tenant "team\/a" .*unsupported character '\/'/],
      ['/tenants//api/v1/push', /tenant "" .*empty/],
      ['/tenants/../api/v1/push', /"\.\." is not allowed/],
      ['/tenants/%2E/api/v1/push', /"\." is not allowed/],
      ['/tenants/a%01b/api/v1/push', /control character/],
      [`/tenants/${'x'.repeat(151)}/api/v1/push`, /151 bytes long; the limit is 150/],
    ];
    for (const [p, re] of cases) {
      const res = await send(r.url, { path: p, headers: RW1_HEADERS, body: bodyA });
      assert.equal(res.status, 400, p);
      assert.match(res.body, re, p);
      assert.match(res.body, /not recorded/);
    }
    assert.equal((await send(r.url, { path: `/tenants/${'x'.repeat(150)}/api/v1/push`, headers: RW1_HEADERS, body: bodyA })).status, 204);
    assert.deepEqual(readCapture(path).records.map((x) => x.tenant), ['x'.repeat(150)]);
    assert.equal(r.snapshot().rejected.get(400), cases.length);
  });
});

test('issue 12.1/12.2: a body Prometheus would refuse (nested groups never closed, a 1.0 body under the 2.0 content type) is answered 400, kept as evidence', async () => {
  await withRecorder({}, async (r, path) => {
    const nested = snappyCompress(new Uint8Array(10_000).fill(0x53));
    const a = await send(r.url, { headers: RW1_HEADERS, body: nested });
    assert.equal(a.status, 400);
    assert.match(a.body, /written to the capture, but not a valid remote-write 1\.0 request: protobuf: truncated message \(a group is not closed\)/);
    const ct = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
    const b = await send(r.url, { headers: { ...RW1_HEADERS, 'Content-Type': ct }, body: bodyA });
    assert.equal(b.status, 400);
    assert.match(b.body, /not a valid remote-write 2\.0 request: remote-write 2\.0 request with no series/);
    assert.equal(b.headers['x-prometheus-remote-write-samples-written'], undefined);
    const ok = await send(r.url, { headers: RW1_HEADERS, body: bodyA });
    assert.equal(ok.status, 204);
    assert.equal(readCapture(path).records.length, 3);
  });
});
