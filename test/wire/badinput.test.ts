import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CapturedRequest } from '../../src/model/index.js';
import { HaDedupError } from '../../src/model/index.js';
import { RWCAP_MAGIC, encodeCaptureRecord } from '../../src/wire/rwcap.js';
import { PbWriter } from '../../src/wire/pbwriter.js';
import { PbReader } from '../../src/wire/pbreader.js';
import { snappyCompress } from '../../src/wire/snappy.js';
import { crc32 } from '../../src/wire/crc32.js';
import { formatBadRecord } from '../../src/pipeline/inputs.js';
import { readAll, tempDir } from './helpers.js';

const FIXTURE = new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url);
const t8 = (s: string) => new TextEncoder().encode(s);

/** A RW 1.0 body (uncompressed) with one series of the given raw label bytes and one sample. */
function body(labels: [Uint8Array, Uint8Array][]): Uint8Array {
  const w = new PbWriter();
  w.tag(1, 2);
  const m = w.beginMessage();
  for (const [n, v] of labels) {
    w.tag(1, 2);
    const l = w.beginMessage();
    w.tag(1, 2);
    w.bytes(n);
    w.tag(2, 2);
    w.bytes(v);
    w.endMessage(l);
  }
  w.tag(2, 2);
  const s = w.beginMessage();
  w.tag(1, 1);
  w.double(1);
  w.tag(2, 0);
  w.int64(1764010523000);
  w.endMessage(s);
  w.endMessage(m);
  return w.finish();
}

const GOOD: [Uint8Array, Uint8Array][] = [
  [t8('__name__'), t8('up')],
  [t8('__replica__'), t8('r1')],
  [t8('cluster'), t8('c1')],
];

function rec(raw: Uint8Array, over: Partial<CapturedRequest> = {}): CapturedRequest {
  const b = snappyCompress(raw);
  return {
    receivedAtMs: 1764010530000,
    tenant: 't',
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    body: b,
    headers: {},
    remoteAddr: '',
    path: '',
    bodyCrc32: crc32(b),
    ...over,
  };
}

function capture(recs: CapturedRequest[]): Buffer {
  return Buffer.concat([Buffer.from(RWCAP_MAGIC), ...recs.map((r) => Buffer.from(encodeCaptureRecord(r)))]);
}

/** Byte offsets of the records of an rwcap file. */
function recordOffsets(file: Buffer): number[] {
  const r = new PbReader(file, 7);
  const out: number[] = [];
  while (r.pos < r.end) {
    out.push(r.pos);
    r.delimited();
  }
  return out;
}

test('a truncated file: everything before the cut is kept, the cut record is reported as truncation', async () => {
  const t = tempDir();
  try {
    const full = readFileSync(FIXTURE);
    const offs = recordOffsets(full);
    const cut = offs[80]! + 100;
    const r = await readAll(t.file('cut.rwcap', full.subarray(0, cut)));
    assert.equal(r.reqs.length, 80);
    assert.equal(r.bad.length, 1);
    assert.equal(r.bad[0]!.index, 80);
    assert.equal(r.bad[0]!.offset, offs[80]);
    assert.match(r.bad[0]!.reason, /^truncated record: it declares \d+ bytes but only \d+ are left in the input$/);
    assert.equal(formatBadRecord(r.bad[0]!), `ha-dedup: warning: ${t.dir}/cut.rwcap: record 80 at byte ${offs[80]}: ${r.bad[0]!.reason}`);
    // cut inside the length prefix of the last record
    const r2 = await readAll(t.file('cut2.rwcap', Buffer.concat([full.subarray(0, offs[1]!), Buffer.from([0xff])])));
    assert.equal(r2.reqs.length, 1);
    assert.match(r2.bad[0]!.reason, /length prefix is cut off/);
  } finally {
    t.cleanup();
  }
});

test('a flipped byte inside a body: CRC mismatch when the CRC is set, a decode error when it is not; neighbours kept', async () => {
  const t = tempDir();
  try {
    const full = Buffer.from(readFileSync(FIXTURE));
    const offs = recordOffsets(full);
    // flip a byte near the end of record 5 (inside its body: the body is the bulk of the record)
    const withCrc = Buffer.from(full);
    withCrc[offs[6]! - 200] ^= 0x20;
    const r = await readAll(t.file('crc.rwcap', withCrc));
    assert.equal(r.reqs.length, 145);
    assert.equal(r.bad.length, 1);
    assert.equal(r.bad[0]!.index, 5);
    assert.equal(r.bad[0]!.offset, offs[5]);
    assert.match(r.bad[0]!.reason, /body CRC-32 mismatch \(record says 0x[0-9a-f]{8}, body has 0x[0-9a-f]{8}\)/);
    assert.deepEqual(r.reqs.map((q) => q.recordIndex).slice(4, 7), [4, 6, 7]);

    // no CRC: the first body byte (the snappy length header) flipped
    const good = rec(body(GOOD), { bodyCrc32: 0 });
    const broken = { ...good, body: Buffer.from(good.body) };
    broken.body[0] ^= 0x01;
    const r2 = await readAll(t.file('nocrc.rwcap', capture([good, broken, good])));
    assert.equal(r2.reqs.length, 2);
    assert.equal(r2.bad.length, 1);
    assert.equal(r2.bad[0]!.index, 1);
    assert.match(r2.bad[0]!.reason, /^snappy: /);
  } finally {
    t.cleanup();
  }
});

test('a record length larger than the file is a truncation', async () => {
  const t = tempDir();
  try {
    const w = new PbWriter();
    w.raw(RWCAP_MAGIC);
    w.raw(encodeCaptureRecord(rec(body(GOOD))));
    w.uvarint(1_000_000);
    w.raw(new Uint8Array(20));
    const r = await readAll(t.file('big.rwcap', w.finish()));
    assert.equal(r.reqs.length, 1);
    assert.equal(r.bad.length, 1);
    assert.match(r.bad[0]!.reason, /declares 1000000 bytes but only 20 are left/);
  } finally {
    t.cleanup();
  }
});

test('a snappy header declaring 1 GiB is refused against --max-decoded-size before allocating', async () => {
  const t = tempDir();
  try {
    const evil = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x41]);
    const before = process.memoryUsage().arrayBuffers;
    const r = await readAll(t.file('gib.rwcap', capture([rec(body(GOOD)), { ...rec(body(GOOD)), body: evil, bodyCrc32: crc32(evil) }, rec(body(GOOD))])));
    assert.ok(process.memoryUsage().arrayBuffers - before < 256 * 1024 * 1024, 'no 1 GiB allocation');
    assert.equal(r.reqs.length, 2);
    assert.equal(r.bad.length, 1);
    assert.equal(r.bad[0]!.reason, 'snappy: declared decoded size 1073741824 bytes is over --max-decoded-size 67108864');
    // a lower limit applies to normal bodies too
    const r2 = await readAll(t.file('gib.rwcap'), { maxDecodedSize: 16 });
    assert.equal(r2.reqs.length, 0);
    assert.equal(r2.bad.length, 3);
  } finally {
    t.cleanup();
  }
});

test('invalid UTF-8, an empty label name and a duplicate label name are bad records', async () => {
  const t = tempDir();
  try {
    const recs = [
      rec(body(GOOD)),
      rec(body([[t8('__name__'), new Uint8Array([0x75, 0x70, 0xc3, 0x28])]])),
      rec(body([...GOOD, [t8(''), t8('x')]])),
      rec(body([[t8('__name__'), t8('up')], [t8('job'), t8('a')], [t8('job'), t8('b')]])),
      rec(body(GOOD)),
    ];
    const r = await readAll(t.file('labels.rwcap', capture(recs)));
    assert.deepEqual(r.reqs.map((q) => q.recordIndex), [0, 4]);
    assert.deepEqual(r.bad.map((b) => [b.index, b.reason]), [
      [1, 'invalid UTF-8 in label value'],
      [2, 'empty label name in series'],
      [3, 'duplicate label name "job" in series'],
    ]);
  } finally {
    t.cleanup();
  }
});

test('a content encoding other than snappy is a bad record naming it', async () => {
  const t = tempDir();
  try {
    const r = await readAll(t.file('z.rwcap', capture([rec(body(GOOD), { contentEncoding: 'zstd' }), rec(body(GOOD))])));
    assert.equal(r.reqs.length, 1);
    assert.equal(r.bad[0]!.reason, 'unsupported content encoding "zstd"');
  } finally {
    t.cleanup();
  }
});

test('a bad JSON line is reported by line number and byte offset; the lines around it are kept', async () => {
  const t = tempDir();
  try {
    const l1 = '{"labels":{"__name__":"a"},"timestamp":1,"value":1}\n';
    const l2 = '{"labels":{"__name__":"a"},"timestamp":2,"value":\n';
    const l3 = '{"labels":{"": "x"},"timestamp":3,"value":3}\n';
    const l4 = '{"labels":{"__name__":"a"},"timestamp":4,"value":4}';
    const r = await readAll(t.file('bad.ndjson', l1 + l2 + l3 + l4));
    assert.equal(r.format, 'ndjson');
    assert.deepEqual(r.reqs.map((q) => q.write.timeseries[0]!.samples[0]!.timestamp), [1, 4]);
    assert.equal(r.bad.length, 2);
    assert.equal(r.bad[0]!.index, 2);
    assert.equal(r.bad[0]!.offset, l1.length);
    assert.match(r.bad[0]!.reason, /^invalid JSON: /);
    assert.match(formatBadRecord(r.bad[0]!), new RegExp(`: line 2 at byte ${l1.length}: invalid JSON: `));
    assert.equal(r.bad[1]!.index, 3);
    assert.equal(r.bad[1]!.reason, 'empty label name in labels');
    // invalid UTF-8 inside a line
    const r2 = await readAll(t.file('u.ndjson', Buffer.concat([Buffer.from(l1), Buffer.from('{"labels":{"__name__":"'), Buffer.from([0xff]), Buffer.from('"},"timestamp":2,"value":2}\n')])));
    assert.equal(r2.reqs.length, 1);
    assert.equal(r2.bad[0]!.reason, 'invalid UTF-8');
  } finally {
    t.cleanup();
  }
});

test('an empty file is one bad record', async () => {
  const t = tempDir();
  try {
    const r = await readAll(t.file('empty', ''));
    assert.equal(r.reqs.length, 0);
    assert.deepEqual(r.bad.map((b) => [b.index, b.offset, b.reason]), [[0, 0, 'empty input']]);
  } finally {
    t.cleanup();
  }
});

test('a directory or a missing file is an input error (exit 3), not a bad record', async () => {
  const t = tempDir();
  try {
    await assert.rejects(readAll(t.dir), (e: unknown) => e instanceof HaDedupError && e.exitCode === 3 && /is a directory/.test(e.message));
    await assert.rejects(readAll(t.dir + '/nope'), (e: unknown) => e instanceof HaDedupError && e.exitCode === 3 && /no such file/.test(e.message));
  } finally {
    t.cleanup();
  }
});

test('--strict stops at the first bad record with an input error', async () => {
  const t = tempDir();
  try {
    const p = t.file('s.rwcap', capture([rec(body(GOOD)), rec(body([[t8(''), t8('x')]])), rec(body(GOOD))]));
    await assert.rejects(readAll(p, { strict: true }), (e: unknown) => e instanceof HaDedupError && e.exitCode === 3 && /s\.rwcap: record 1 at byte \d+: empty label name/.test(e.message));
  } finally {
    t.cleanup();
  }
});

test('--format rwcap on a file without the magic is an input error', async () => {
  const t = tempDir();
  try {
    await assert.rejects(readAll(t.file('x.bin', 'hello'), { format: 'rwcap' }), (e: unknown) => e instanceof HaDedupError && e.exitCode === 3 && /not an rwcap file/.test(e.message));
  } finally {
    t.cleanup();
  }
});

test('a truncated gzip input keeps the records before the cut and reports where it stopped', async () => {
  const t = tempDir();
  try {
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(readFileSync(FIXTURE));
    const r = await readAll(t.file('cut.rwcap.gz', gz.subarray(0, Math.floor(gz.length / 2))));
    assert.equal(r.format, 'rwcap');
    assert.ok(r.reqs.length > 10 && r.reqs.length < 146);
    assert.equal(r.bad.length, 1);
    assert.equal(r.bad[0]!.index, r.reqs.length);
    assert.match(r.bad[0]!.reason, /^gzip: unexpected end of file$/);
  } finally {
    t.cleanup();
  }
});

test('a duplicate label name in ndjson or vm-json is a bad record (JSON.parse alone would hide it)', async () => {
  const t = tempDir();
  try {
    const nd =
      '{"labels":{"__name__":"a","job":"x","job":"y"},"timestamp":1,"value":1}\n' +
      '{"labels":{"a\\u0062":"1","ab":"2"},"timestamp":1,"value":1}\n' +
      '{"labels":{"a":"x,\\"}","b":"{\\"a\\":1}"},"timestamp":1,"value":1}\n' +
      '{"labels":{"a":"1"},"exemplar":{"labels":{"t":"1","t":"2"},"value":1}}\n';
    const r = await readAll(t.file('dup.ndjson', nd));
    assert.deepEqual(r.bad.map((b) => [b.index, b.reason]), [
      [1, 'duplicate label name "job"'],
      [2, 'duplicate label name "ab"'],
      [4, 'duplicate label name "t"'],
    ]);
    assert.deepEqual(r.reqs[0]!.write.timeseries[0]!.labels, [{ name: 'a', value: 'x,"}' }, { name: 'b', value: '{"a":1}' }]);
    const v = await readAll(t.file('dup.vm.json', '{"metric":{"a":"1","a":"2"},"values":[1],"timestamps":[1]}\n'));
    assert.equal(v.bad[0]!.reason, 'duplicate label name "a"');
  } finally {
    t.cleanup();
  }
});
