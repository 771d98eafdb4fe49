// Mutated inputs never escape as anything but a WireError (SPEC 10: no stack trace for bad
// input). Seeded, so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WireError } from '../../src/wire/errors.js';
import { PbReader } from '../../src/wire/pbreader.js';
import { decodeCapturedRequest } from '../../src/wire/rwcap.js';
import { snappyDecompress, snappyCompress } from '../../src/wire/snappy.js';
import { decodeWriteRequest, encodeWriteRequest } from '../../src/wire/prompb.js';
import { decodeWriteRequestV2, encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { decodeRawBody } from '../../src/wire/body.js';
import { parseNdjsonLine } from '../../src/wire/ndjson.js';
import { parseVmJsonLine, parseVmJsonText } from '../../src/wire/vmjson.js';
import { parseRwcapJsonLine } from '../../src/wire/rwcapjson.js';
import { richRequest } from './helpers.js';

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

let rejected = 0;
let accepted = 0;
function onlyWireErrors(fn: () => unknown, what: string): void {
  try {
    fn();
    accepted++;
  } catch (e) {
    if (!(e instanceof WireError)) assert.fail(`${what}: ${(e as Error)?.stack ?? String(e)}`);
    rejected++;
  }
}

const fixture = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
const bodies: Uint8Array[] = [];
{
  const r = new PbReader(fixture, 7);
  while (r.pos < r.end && bodies.length < 12) {
    const s = r.delimited();
    bodies.push(decodeCapturedRequest(fixture.subarray(s, r.fieldEnd)).body);
  }
}

test('mutated snappy bodies, protobuf messages and capture records only raise WireError', () => {
  const rnd = prng(42);
  const rich = encodeWriteRequest(richRequest());
  const rich2 = encodeWriteRequestV2(richRequest());
  const raws = [rich, ...bodies.slice(0, 4).map((b) => snappyDecompress(b))];
  for (let i = 0; i < 3000; i++) {
    const body = bodies[i % bodies.length]!;
    onlyWireErrors(() => decodeWriteRequest(snappyDecompress(mutate(body, rnd), 1 << 24)), `snappy+rw1 #${i}`);
    onlyWireErrors(() => decodeWriteRequest(mutate(raws[i % raws.length]!, rnd)), `rw1 #${i}`);
    onlyWireErrors(() => decodeWriteRequestV2(mutate(rich2, rnd)), `rw2 #${i}`);
    onlyWireErrors(() => decodeRawBody(mutate(snappyCompress(rich), rnd), i % 2 ? 'rw1' : 'rw2', 1 << 24), `raw body #${i}`);
  }
  const r = new PbReader(fixture, 7);
  let k = 0;
  while (r.pos < r.end) {
    const s = r.delimited();
    const msg = fixture.subarray(s, r.fieldEnd);
    for (let j = 0; j < 5; j++) onlyWireErrors(() => decodeCapturedRequest(mutate(msg, rnd)), `capture record ${k}`);
    k++;
  }
  // the mutations exercise both paths
  assert.ok(rejected > 1000 && accepted > 1000, `rejected ${rejected}, accepted ${accepted}`);
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
