// Unit tests of record's pure parts: content type/encoding, kept headers, tenant patterns,
// option parsing, RW2 counts, the capture scan used by --append, tenant ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeFileSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyContentType,
  classifyContentEncoding,
  keptHeaders,
  compileTenantPattern,
  createTenantResolver,
  countRw2,
  scanCapture,
  validTenantId,
  type ScanResult,
} from '../../src/record/index.js';
import { parseListen, parseSize } from '../../src/cli/options.js';
import { encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { RWCAP_MAGIC, encodeCaptureRecord } from '../../src/wire/rwcap.js';
import { HaDedupError } from '../../src/model/index.js';
import type { WriteRequest } from '../../src/model/index.js';
import { tempDir, FIXTURE } from './helpers.js';

test('content types: 1.0, 2.0, lenient parsing, refusals', () => {
  const v = (h: string | undefined) => {
    const r = classifyContentType(h);
    return r.ok ? r.version : 'refused';
  };
  assert.equal(v(undefined), 'rw1');
  assert.equal(v(''), 'rw1');
  assert.equal(v('application/x-protobuf'), 'rw1');
  assert.equal(v('application/x-protobuf;proto=prometheus.WriteRequest'), 'rw1');
  assert.equal(v('Application/X-Protobuf ; Proto = "prometheus.WriteRequest"'), 'rw1');
  assert.equal(v('application/x-protobuf;proto=io.prometheus.write.v2.Request'), 'rw2');
  assert.equal(v('application/x-protobuf; proto=IO.PROMETHEUS.WRITE.V2.REQUEST'), 'rw2');
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
  assert.deepEqual(r.resolve(undefined, '/tenants/team%2Ab/api/v1/push?x=1'), { tenant: 'team*b', source: 'path' });
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

function scanBytes(t: { dir: string }, bytes: Uint8Array): ScanResult {
  const p = join(t.dir, 'c.rwcap');
  writeFileSync(p, bytes);
  const fd = openSync(p, 'r');
  try {
    return scanCapture(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/** Offsets of the records of an rwcap buffer (length prefixes only). */
function recordOffsets(buf: Uint8Array): number[] {
  const offs: number[] = [];
  let pos = RWCAP_MAGIC.length;
  while (pos < buf.length) {
    offs.push(pos);
    let len = 0;
    let mul = 1;
    let p = pos;
    for (;;) {
      const b = buf[p++]!;
      len += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) break;
    }
    pos = p + len;
  }
  return offs;
}

test('capture scan: a record cut anywhere by the end of the file is the one tail --append may cut', () => {
  const t = tempDir('scan');
  try {
    const rec = (n: number) =>
      encodeCaptureRecord({
        receivedAtMs: 1000 + n, tenant: 't', contentType: 'application/x-protobuf', contentEncoding: 'snappy', body: new Uint8Array(300).fill(n),
        headers: { 'user-agent': 'x' }, remoteAddr: '127.0.0.1:1', path: '/', bodyCrc32: 0,
      });
    const one = RWCAP_MAGIC.length + rec(1).length;
    const full = Buffer.concat([RWCAP_MAGIC, rec(1), rec(2)]);
    assert.deepEqual(scanBytes(t, full), { length: full.length, records: 2, tail: null, damage: null });
    // every cut inside the second record (its length prefix included) is a tail of that record
    for (let cut = one + 1; cut < full.length; cut++) {
      const r = scanBytes(t, full.subarray(0, cut));
      assert.equal(r.damage, null, `cut at ${cut}: ${r.damage?.reason}`);
      assert.deepEqual([r.length, r.records, r.tail?.offset, r.tail?.bytes], [one, 1, one, cut - one], `cut at ${cut}`);
    }
    assert.equal(scanBytes(t, full.subarray(0, one + 1)).tail!.declared, null, 'half a length prefix: nothing declared yet');
    // bytes that declare a record past the end but are not the start of one: damage, not a tail
    const junk = scanBytes(t, Buffer.concat([full.subarray(0, one), Buffer.from([0xe8, 0x07, 1, 2, 3])]));
    assert.equal(junk.tail, null);
    assert.deepEqual([junk.damage?.index, junk.damage?.offset, junk.length], [1, one, one]);
    assert.match(junk.damage!.reason, /declares 1000 bytes, past the end of the file, but what is there is not the start of a record/);
    const text = scanBytes(t, Buffer.concat([full, Buffer.from('foo\n')]));
    assert.deepEqual([text.damage?.offset, text.damage?.resume], [full.length, null], 'text appended with echo: damage, nothing resumes');
  } finally {
    t.cleanup();
  }
});

test('capture scan: one flipped bit in record 50\'s length prefix is damage at record 50, never a tail; records resume at 51', () => {
  const t = tempDir('scan');
  try {
    const fix = readFileSync(FIXTURE);
    const offs = recordOffsets(fix);
    assert.equal(offs.length, 146);
    const at = offs[50]!;
    let prefixBytes = 1;
    while (fix[at + prefixBytes - 1]! >= 0x80) prefixBytes++;
    assert.ok(prefixBytes >= 2, 'record 50 has a multi-byte length prefix');
    for (let byte = 0; byte < prefixBytes; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Buffer.from(fix);
        bad[at + byte]! ^= 1 << bit;
        const r = scanBytes(t, bad);
        const what = `byte ${byte} bit ${bit}`;
        assert.equal(r.tail, null, `${what}: must not be taken for a truncated last record`);
        assert.ok(r.damage, what);
        assert.deepEqual([r.damage.index, r.damage.offset, r.length, r.records], [50, at, at, 50], what);
        assert.deepEqual(r.damage.resume, { offset: offs[51], records: 95, reachesEnd: true }, what);
      }
    }
  } finally {
    t.cleanup();
  }
});

test('capture scan: two captures joined with cat are damage at the second header; records resume after it', () => {
  const t = tempDir('scan');
  try {
    const fix = readFileSync(FIXTURE);
    const offs = recordOffsets(fix);
    const first = fix.subarray(0, offs[60]!); // 60 records
    const r = scanBytes(t, Buffer.concat([first, fix]));
    assert.equal(r.tail, null);
    assert.deepEqual([r.records, r.length], [60, first.length]);
    assert.equal(r.damage?.secondCapture, true);
    assert.match(r.damage!.reason, /a second capture starts here .*joined with cat/);
    assert.deepEqual(r.damage!.resume, { offset: first.length + RWCAP_MAGIC.length, records: 146, reachesEnd: true });
  } finally {
    t.cleanup();
  }
});

test('tenant ids: the rules of Cortex/Mimir (dskit tenant.ValidTenantID)', () => {
  for (const ok of ['team-a', 'A_b.c', "x!*'()", '0', 'a'.repeat(150), '...']) assert.equal(validTenantId(ok), null, ok);
  const refused: [string, RegExp][] = [
    ['', /empty/],
    ['.', /"\." is not allowed/],
    ['..', /"\.\." is not allowed/],
    ['a/b', /unsupported character '\/'/],
    ['a\u0001b', /'\\x01' \(a control character\)/],
    ['a\tb', /'\\x09'/],
    ['a b', /unsupported character ' '/],
    ['a|b', /unsupported character '\|'/],
    ['a:sub', /unsupported character ':'/],
    ['é', /unsupported character 'é'/],
    ['a'.repeat(151), /151 bytes long; the limit is 150/],
  ];
  for (const [id, re] of refused) assert.match(validTenantId(id) ?? 'accepted', re, JSON.stringify(id));
  const r = createTenantResolver({ fallback: 'dflt', pathPattern: '/tenants/{tenant}/api/v1/push' });
  assert.deepEqual(r.resolve(undefined, '/tenants/team%2Fa/api/v1/push'), { tenant: 'team/a', source: 'path', invalid: validTenantId('team/a')! });
  assert.equal(r.resolve(undefined, '/tenants//api/v1/push').invalid, validTenantId(''));
  assert.equal(r.resolve(undefined, '/tenants/../api/v1/push').invalid, validTenantId('..'));
  assert.equal(r.resolve('hdr', '/tenants/../api/v1/push').invalid, undefined, 'the header wins, as before');
});
