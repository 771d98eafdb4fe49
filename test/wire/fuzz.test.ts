// Mutated inputs never escape as anything but a WireError (SPEC 10: no stack trace for bad
// input). Seeded, so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WireError } from '../../src/wire/errors.js';
import { parseNdjsonLine } from '../../src/wire/ndjson.js';
import { parseVmJsonLine, parseVmJsonText } from '../../src/wire/vmjson.js';
import { parseRwcapJsonLine } from '../../src/wire/rwcapjson.js';
import { fuzzFiles, fuzzMessages, newTally, summary } from './fuzzlib.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const out = Uint8Array.from(src);
  const kind = Math.floor(rnd() * 3);
  if (kind === 0) {
    const flips = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < flips; i++) out[Math.floor(rnd() * out.length)] ^= 1 << Math.floor(rnd() * 8);
    return out;
  }
  if (kind === 1) return out.subarray(0, Math.floor(rnd() * out.length));
  const at = Math.floor(rnd() * out.length);
  out[at] = Math.floor(rnd() * 256);
  return out;
}

function onlyWireErrors(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WireError)) assert.fail(`${what}: ${(e as Error)?.stack ?? String(e)}`);
  }
}

const fixture = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));

// The long run (issue 12.15): node --import tsx test/wire/fuzz-run.ts --records 100000
test('mutated bodies and capture records (bit flips, cuts, nested groups, wire-type swaps, huge timestamps): only WireError, no hang, same decode as protobufjs', () => {
  const t = newTally();
  fuzzMessages(t, 42, 3000);
  const note = summary(t);
  assert.deepEqual([t.crashes.length, t.stackTraces.length, t.hangs.length, t.wrongDecodes.length], [0, 0, 0, 0], note);
  // the mutations exercise both paths, and every kind ran
  assert.ok(t.rejected > 1000 && t.accepted > 300, note);
  for (const k of ['bit flips', 'cut', 'byte overwrite', 'closed nested groups', 'unclosed nested groups', 'wire-type swap', 'huge varint', 'huge timestamp']) assert.ok((t.kinds[k] ?? 0) > 20, `${k}: ${note}`);
});

test('capture files with damaged records (length prefixes, envelopes, bodies, huge timestamps) lose no untouched record', async () => {
  const t = newTally();
  await fuzzFiles(t, 7, 40);
  // seeds of the long run that once lost records: a damaged length prefix swallowing the next
  // record's prefix as an unknown field (1512 #33, 1518 #10), then a huge length after it (1514 #36),
  // or a known field after it (3509 #104)
  await fuzzFiles(t, 1512, 34);
  await fuzzFiles(t, 3509, 105);
  await fuzzFiles(t, 1514, 37);
  await fuzzFiles(t, 1518, 11);
  const note = summary(t);
  assert.deepEqual([t.crashes.length, t.stackTraces.length, t.hangs.length, t.goodRecordsLost], [0, 0, 0, 0], note);
  assert.ok((t.kinds['file: length-prefix damage'] ?? 0) > 20 && (t.kinds['file: huge timestamp'] ?? 0) > 10, note);
});

test('mutated JSON lines only raise WireError (after JSON.parse)', () => {
  const rnd = prng(7);
  const lines = [
    '{"tenant":"t","received_at_ms":5,"labels":{"__name__":"a","x":"y"},"timestamp":1,"value":"stale"}',
    '{"labels":{"a":"b"},"timestamp":1,"histogram":{"schema":1,"zero_threshold":0.1,"zero_count":1,"count":3,"sum":2.5,"positive_spans":[{"offset":0,"length":2}],"negative_spans":[],"positive_deltas":[1,1],"negative_deltas":[],"reset_hint":"no"}}',
    '{"labels":{"a":"b"},"exemplar":{"labels":{"t":"1"},"value":1,"timestamp":2}}',
    '{"metadata":{"type":"counter","metric_family_name":"x","help":"h","unit":""}}',
  ];
  const vm = '{"metric":{"__name__":"a"},"values":[1,NaN,"Inf",null],"timestamps":[1,2,3,4]}';
  const rc = '{"received_at_ms":1,"tenant":"t","content_type":"","content_encoding":"snappy","body_base64":"AAA=","headers":{"a":"b"},"remote_addr":"","path":"","body_crc32":0}';
  // huge timestamps (JSON numbers lose precision past 2^53; 1e30 hung replay) are bad records
  for (const ts of ['1e30', '-1e30', '9007199254740993', '"9007199254740993"', '8640000000000001']) {
    assert.throws(() => parseNdjsonLine(JSON.parse(`{"labels":{"a":"b"},"timestamp":${ts},"value":1}`)), (e: unknown) => e instanceof WireError && /outside the supported time range/.test(e.reason), ts);
    assert.throws(() => parseVmJsonLine(JSON.parse(`{"metric":{"a":"b"},"values":[1],"timestamps":[${ts}]}`)), WireError, ts);
    assert.throws(() => parseRwcapJsonLine(JSON.parse(`{"received_at_ms":${ts},"body_base64":""}`)), WireError, ts);
  }
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  for (let i = 0; i < 4000; i++) {
    const text = dec.decode(mutate(enc.encode(lines[i % lines.length]!), rnd));
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      continue;
    }
    onlyWireErrors(() => parseNdjsonLine(v), `ndjson ${text}`);
    const vt = dec.decode(mutate(enc.encode(vm), rnd));
    try {
      const pv = parseVmJsonText(vt);
      onlyWireErrors(() => parseVmJsonLine(pv), `vm-json ${vt}`);
    } catch (e) {
      assert.ok(e instanceof SyntaxError, `vm-json text ${vt}: ${String(e)}`);
    }
    const rt = dec.decode(mutate(enc.encode(rc), rnd));
    try {
      const pr = JSON.parse(rt);
      onlyWireErrors(() => parseRwcapJsonLine(pr), `rwcap-json ${rt}`);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
    }
  }
});

test('mutated and cut capture files are read to the end with bad records, never an exception', async () => {
  const { readAll, tempDir } = await import('./helpers.js');
  const rnd = prng(99);
  const t = tempDir();
  try {
    for (let i = 0; i < 16; i++) {
      const m = Uint8Array.from(fixture);
      for (let j = 0; j < 8; j++) m[7 + Math.floor(rnd() * (m.length - 7))] ^= 1 << Math.floor(rnd() * 8);
      const cut = i % 4 === 0 ? m.subarray(0, 7 + Math.floor(rnd() * (m.length - 7))) : m;
      const r = await readAll(t.file(`m${i}.rwcap`, cut));
      assert.ok(r.reqs.length + r.bad.length > 0);
      for (const b of r.bad) assert.ok(b.reason.length > 0 && !/\n\s+at /.test(b.reason));
    }
  } finally {
    t.cleanup();
  }
});
