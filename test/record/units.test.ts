// Unit tests of record's pure parts: content type/encoding, kept headers, tenant patterns,
// option parsing, RW2 counts, the framing scan used by --append.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyContentType,
  classifyContentEncoding,
  keptHeaders,
  compileTenantPattern,
  createTenantResolver,
  parseListen,
  parseSize,
  countRw2,
  completeRecordsLength,
} from '../../src/record/index.js';
import { encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { RWCAP_MAGIC, encodeCaptureRecord } from '../../src/wire/rwcap.js';
import { HaDedupError } from '../../src/model/index.js';
import type { WriteRequest } from '../../src/model/index.js';
import { tempDir } from './helpers.js';

test('content types: 1.0, 2.0, lenient parsing, refusals', () => {
  const v = (h: string | undefined) => {
    const r = classifyContentType(h);
    return r.ok ? r.version : 'refused';
  };
  assert.equal(v(undefined), '1.0');
  assert.equal(v(''), '1.0');
  assert.equal(v('application/x-protobuf'), '1.0');
  assert.equal(v('application/x-protobuf;proto=prometheus.WriteRequest'), '1.0');
  assert.equal(v('Application/X-Protobuf ; Proto = "prometheus.WriteRequest"'), '1.0');
  assert.equal(v('application/x-protobuf;proto=io.prometheus.write.v2.Request'), '2.0');
  assert.equal(v('application/x-protobuf; proto=IO.PROMETHEUS.WRITE.V2.REQUEST'), '2.0');
  assert.equal(v('application/json'), 'refused');
  assert.equal(v('text/plain'), 'refused');
  assert.equal(v('application/x-protobuf;proto=foo.Bar'), 'refused');
  const r = classifyContentType('application/json');
  assert.ok(!r.ok && r.reason.includes('application/json'));
});

test('content encodings: snappy or none; zstd and gzip are refused by name', () => {
  assert.deepEqual(classifyContentEncoding(undefined), { ok: true, encoding: '' });
  assert.deepEqual(classifyContentEncoding('identity'), { ok: true, encoding: '' });
  assert.deepEqual(classifyContentEncoding(' Snappy '), { ok: true, encoding: 'snappy' });
  for (const e of ['zstd', 'gzip', 'snappy, gzip']) {
    const r = classifyContentEncoding(e);
    assert.equal(r.ok, false, e);
    assert.ok(!r.ok && r.reason.includes(`"${e}"`));
  }
});

test('kept headers: lower-case, own-field headers and credentials left out, repeats joined', () => {
  const h = keptHeaders([
    'User-Agent', 'Prometheus/2.42.0',
    'Content-Type', 'application/x-protobuf',
    'Content-Encoding', 'snappy',
    'X-Scope-OrgID', 'team-a',
    'Authorization', 'Bearer secret',
    'Proxy-Authorization', 'Basic xyz',
    'Cookie', 'session=1',
    'X-Prometheus-Remote-Write-Version', '0.1.0',
    'Retry-Attempt', '2',
    'X-Custom', 'a',
    'x-custom', 'b',
  ]);
  assert.deepEqual(h, {
    'user-agent': 'Prometheus/2.42.0',
    'x-prometheus-remote-write-version': '0.1.0',
    'retry-attempt': '2',
    'x-custom': 'a, b',
  });
});

test('tenant: header, then path pattern, then fallback, then none', () => {
  const r = createTenantResolver({ fallback: 'dflt', pathPattern: '/tenants/{tenant}/api/v1/push' });
  assert.deepEqual(r.resolve('hdr', '/tenants/p/api/v1/push'), { tenant: 'hdr', source: 'header' });
  assert.deepEqual(r.resolve(undefined, '/tenants/team%20b/api/v1/push?x=1'), { tenant: 'team b', source: 'path' });
  assert.deepEqual(r.resolve('', '/tenants/p/api/v1/push'), { tenant: 'p', source: 'path' });
  assert.deepEqual(r.resolve(undefined, '/api/v1/push'), { tenant: 'dflt', source: 'fallback' });
  assert.deepEqual(r.resolve(undefined, '/tenants/a/b/api/v1/push'), { tenant: 'dflt', source: 'fallback' });
  const none = createTenantResolver({});
  assert.deepEqual(none.resolve(undefined, '/api/v1/push'), { tenant: '', source: 'none' });
  const star = compileTenantPattern('/*/{tenant}/push');
  assert.equal(star.exec('/x/t1/push')?.[1], 't1');
  assert.equal(compileTenantPattern('/t.{tenant}').exec('/t.a')?.[1], 'a');
  assert.equal(compileTenantPattern('/t.{tenant}').exec('/tXa'), null, 'dots are literal');
  for (const bad of ['tenants/{tenant}', '/api/v1/push', '/{tenant}/{tenant}']) {
    assert.throws(() => compileTenantPattern(bad), (e: unknown) => e instanceof HaDedupError && e.exitCode === 2, bad);
  }
});

test('--listen and --max-body parsing', () => {
  assert.deepEqual(parseListen('127.0.0.1:9201'), { host: '127.0.0.1', port: 9201 });
  assert.deepEqual(parseListen(':0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
  assert.deepEqual(parseListen('localhost:1'), { host: 'localhost', port: 1 });
  for (const bad of ['127.0.0.1', 'x:70000', 'a:b', '::1:80']) {
    assert.throws(() => parseListen(bad), (e: unknown) => e instanceof HaDedupError && e.exitCode === 2 && e.message.includes('--listen'), bad);
  }
  assert.equal(parseSize('32MiB', '--max-body'), 32 * 1024 * 1024);
  assert.equal(parseSize('1000', '--max-body'), 1000);
  assert.equal(parseSize('10MB', '--max-body'), 10_000_000);
  assert.equal(parseSize('512 KiB', '--max-body'), 512 * 1024);
  for (const bad of ['0', '-1', 'lots', '5XB']) {
    assert.throws(() => parseSize(bad, '--max-body'), (e: unknown) => e instanceof HaDedupError && e.message.includes('--max-body'), bad);
  }
});

test('remote-write 2.0 counts: samples, histograms, exemplars over every series', () => {
  const wr: WriteRequest = {
    timeseries: [
      {
        labels: [{ name: '__name__', value: 'a' }],
        samples: [{ value: 1, timestamp: 1000 }, { value: 2, timestamp: 2000 }],
        exemplars: [{ labels: [{ name: 'trace_id', value: 'x' }], value: 1, timestamp: 1000 }],
        histograms: [],
      },
      {
        labels: [{ name: '__name__', value: 'b' }],
        samples: [{ value: 3, timestamp: 1000 }],
        exemplars: [],
        histograms: [
          {
            isFloat: false, count: 1, zeroCount: 0, sum: 1, schema: 0, zeroThreshold: 0,
            negativeSpans: [], negativeDeltas: [], negativeCounts: [],
            positiveSpans: [{ offset: 0, length: 1 }], positiveDeltas: [1], positiveCounts: [],
            resetHint: 'no', timestamp: 1000, customValues: [],
          },
        ],
      },
    ],
    metadata: [],
  };
  const raw = encodeWriteRequestV2(wr);
  assert.deepEqual(countRw2(snappyCompress(raw), 'snappy'), { samples: 3, histograms: 1, exemplars: 1 });
  assert.deepEqual(countRw2(raw, ''), { samples: 3, histograms: 1, exemplars: 1 });
  assert.throws(() => countRw2(new Uint8Array([0xff, 0xff, 0xff]), 'snappy'));
});

test('framing scan finds the end of the last complete record', () => {
  const t = tempDir('scan');
  try {
    const rec = (n: number) =>
      encodeCaptureRecord({
        receivedAtMs: 1000 + n, tenant: 't', contentType: '', contentEncoding: 'snappy', body: new Uint8Array(300).fill(n),
        headers: {}, remoteAddr: '', path: '/', bodyCrc32: 0,
      });
    const full = Buffer.concat([RWCAP_MAGIC, rec(1), rec(2)]);
    const p = join(t.dir, 'c.rwcap');
    for (const [cut, want, n] of [
      [full.length, full.length, 2],
      [full.length - 1, RWCAP_MAGIC.length + rec(1).length, 1],
      [RWCAP_MAGIC.length + rec(1).length + 1, RWCAP_MAGIC.length + rec(1).length, 1], // half a length prefix
      [RWCAP_MAGIC.length + 2, RWCAP_MAGIC.length, 0],
    ] as const) {
      writeFileSync(p, full.subarray(0, cut));
      const fd = openSync(p, 'r');
      assert.deepEqual(completeRecordsLength(fd, cut), { length: want, records: n }, `cut at ${cut}`);
      closeSync(fd);
    }
  } finally {
    t.cleanup();
  }
});
