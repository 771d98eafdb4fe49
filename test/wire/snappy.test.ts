import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SnappyCodec, snappyCompress, snappyDecompressJs, snappyjsDecompress } from '../../src/wire/snappy.js';
import { SNAPPY_WASM_BASE64 } from '../../src/wire/snappywasm.js';
import { assembleSnappyWat } from '../../scripts/wasm-lib.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
import { createPrng } from '../../src/clock/prng.js';
import { decodeCapturedRequest } from '../../src/wire/rwcap.js';
import { PbReader } from '../../src/wire/pbreader.js';

test('the embedded WebAssembly module is src/wire/snappy.wat assembled (node scripts/build-wasm.mjs)', async () => {
  const bytes = await assembleSnappyWat(ROOT);
  assert.equal(SNAPPY_WASM_BASE64, Buffer.from(bytes).toString('base64'));
});

// a codec of the default kind (WebAssembly, then JavaScript for what it refuses), as a run has one
const codec = new SnappyCodec();
const snappyDecompress = (b: Uint8Array, max?: number) => codec.decompress(b, max);
const snappyDecompressTransient = (b: Uint8Array, max?: number) => codec.decompressTransient(b, max);
const snappyDecompressWasm = (b: Uint8Array, max?: number) => codec.decompressWasm(b, max);

test('a codec decodes with WebAssembly by default; { decoder: "js" } turns it off, and codecs share no memory', () => {
  // what decompression returns lives in the codec's WebAssembly memory, unless it is turned off
  const block = snappyCompress(new TextEncoder().encode('node_cpu_seconds_total{cpu="0"} '.repeat(50)));
  const a = new SnappyCodec();
  assert.equal(a.decoder, 'wasm');
  assert.ok(a.decompressTransient(block).buffer === a.decompressWasm(block)!.buffer);
  const js = new SnappyCodec({ decoder: 'js' });
  assert.equal(js.decoder, 'js');
  assert.ok(js.decompressTransient(block).buffer !== a.decompressWasm(block)!.buffer);
  assert.deepEqual(Buffer.from(js.decompressTransient(block)), Buffer.from(a.decompress(block)));
  const b = new SnappyCodec();
  assert.ok(b.decompressTransient(block).buffer !== a.decompressTransient(block).buffer);
});

test('the WebAssembly and JavaScript decoders and snappyjs agree on every fixture body', () => {
  const f = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
  const r = new PbReader(f, 7);
  let n = 0;
  while (r.pos < r.end) {
    const s = r.delimited();
    const body = decodeCapturedRequest(f.subarray(s, r.fieldEnd)).body;
    const want = Buffer.from(snappyjsDecompress(body));
    assert.deepEqual(Buffer.from(snappyDecompress(body)), want);
    assert.deepEqual(Buffer.from(snappyDecompressJs(body)), want);
    assert.deepEqual(Buffer.from(snappyDecompressWasm(body) ?? []), want);
    n++;
  }
  assert.equal(n, 146);
});

test('compress -> decompress round-trips, including long overlapping runs', () => {
  const input = new Uint8Array(100_000);
  for (let i = 0; i < input.length; i++) input[i] = i % 7 === 0 ? (i * 31) & 0xff : 97;
  assert.deepEqual(Buffer.from(snappyDecompress(snappyCompress(input))), Buffer.from(input));
  assert.equal(snappyDecompress(snappyCompress(new Uint8Array(0))).length, 0);
});

test('a header declaring 1 GiB is refused before allocating', () => {
  // varint 1 GiB = 0x40000000, then a tiny literal
  const evil = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x41]);
  assert.throws(() => snappyDecompress(evil, 64 * 1024 * 1024), /declared decoded size 1073741824 bytes is over --max-decoded-size 67108864/);
});

test('the WebAssembly decoder refuses every corrupt block the JavaScript decoder refuses (it then gives the reason)', () => {
  const good = snappyCompress(new TextEncoder().encode('hello hello hello hello hello'));
  for (const block of [
    good.subarray(0, good.length - 2),
    new Uint8Array([10, 0x08, 1, 2, 3]),
    new Uint8Array([8, 0x00, 65, 0x01 | (3 << 2), 5]),
    new Uint8Array([1, 0x04, 1, 2]),
    new Uint8Array([1, 0x00, 65, 0x00]),
    // a literal whose 4-byte length wraps 32 bits, and a kind-3 copy with offset 2^32 - 1
    new Uint8Array([4, 0xfc, 0xff, 0xff, 0xff, 0xff, 65]),
    new Uint8Array([8, 0x00, 65, 0x03 | (3 << 2), 0xff, 0xff, 0xff, 0xff]),
  ]) {
    assert.equal(snappyDecompressWasm(block), null, Buffer.from(block).toString('hex'));
    assert.throws(() => snappyDecompressJs(block), /^WireError: snappy: /);
  }
});

test('blocks larger than the WebAssembly memory get a new one; results stay exact before and after', () => {
  const prng = createPrng(3);
  const big = new Uint8Array(5_000_000); // output and input together over the first 2 MiB memory
  for (let i = 0; i < big.length; i++) big[i] = prng.next() < 0.5 ? 97 : Math.floor(prng.next() * 256);
  const small = new TextEncoder().encode('up{job="node"} 1 '.repeat(100));
  for (const input of [small, big, small, big]) {
    const block = snappyCompress(input);
    assert.ok(Buffer.from(snappyDecompressWasm(block) ?? []).equals(Buffer.from(input)));
    assert.ok(Buffer.from(snappyDecompressTransient(block)).equals(Buffer.from(input)));
  }
});

for (const [name, decompress] of [
  ['snappyDecompress (WebAssembly, then JavaScript for what it refuses)', snappyDecompress],
  ['snappyDecompressJs', snappyDecompressJs],
] as const) {
  test(`corrupt streams are rejected with the JavaScript decoder's reasons: bad offset, short output, overrun (${name})`, () => {
    const good = snappyCompress(new TextEncoder().encode('hello hello hello hello hello'));
    assert.throws(() => decompress(good.subarray(0, good.length - 2)), /snappy/);
    // declares 10 bytes, provides a 3-byte literal
    assert.throws(() => decompress(new Uint8Array([10, 0x08, 1, 2, 3])), /^WireError: snappy: decoded 3 bytes but the header declares 10$/);
    // copy with offset beyond output
    assert.throws(() => decompress(new Uint8Array([8, 0x00, 65, 0x01 | (3 << 2), 5])), /^WireError: snappy: corrupt input$/);
    // literal longer than the declared size
    assert.throws(() => decompress(new Uint8Array([1, 0x04, 1, 2])), /^WireError: snappy: corrupt input$/);
    assert.throws(() => decompress(new Uint8Array([0xff, 0xff])), /^WireError: snappy: invalid block header$/);
    // trailing bytes after a complete block
    assert.throws(() => decompress(new Uint8Array([1, 0x00, 65, 0x00])), /^WireError: snappy: corrupt input$/);
  });
}

/** The format as plainly as it can be read: one byte at a time (the reference for the fast paths). */
function referenceDecode(block: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const c = block[pos++]!;
    length += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
  }
  const out: number[] = [];
  while (pos < block.length) {
    const c = block[pos++]!;
    if ((c & 3) === 0) {
      let len = (c >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        len = 0;
        for (let i = 0; i < extra; i++) len += block[pos++]! * 2 ** (8 * i);
        len += 1;
      }
      for (let i = 0; i < len; i++) out.push(block[pos++]!);
      continue;
    }
    let len: number;
    let offset: number;
    if ((c & 3) === 1) {
      len = ((c >>> 2) & 7) + 4;
      offset = ((c >>> 5) << 8) | block[pos++]!;
    } else if ((c & 3) === 2) {
      len = (c >>> 2) + 1;
      offset = block[pos]! | (block[pos + 1]! << 8);
      pos += 2;
    } else {
      len = (c >>> 2) + 1;
      offset = block[pos]! | (block[pos + 1]! << 8) | (block[pos + 2]! << 16) | (block[pos + 3]! * 2 ** 24);
      pos += 4;
    }
    const from = out.length - offset;
    for (let i = 0; i < len; i++) out.push(out[from + i]!);
  }
  assert.equal(out.length, length);
  return Uint8Array.from(out);
}

test('every literal and copy shape decodes like the byte-at-a-time reference (the 4-byte fast paths and their edges)', () => {
  // random valid blocks: literals of 1..70 bytes, copies of every kind with offsets 1..op and
  // lengths 1..64 (overlapping ones included), ending at every distance from the block's end
  const prng = createPrng(9);
  const rnd = (n: number) => Math.floor(prng.next() * n);
  for (let b = 0; b < 400; b++) {
    const tags: number[] = [];
    let produced = 0;
    const steps = 1 + rnd(60);
    for (let k = 0; k < steps; k++) {
      if (produced === 0 || rnd(3) === 0) {
        const len = 1 + rnd(70);
        if (len <= 60) tags.push((len - 1) << 2);
        else tags.push(60 << 2, len - 1);
        for (let i = 0; i < len; i++) tags.push(rnd(256));
        produced += len;
        continue;
      }
      const offset = 1 + rnd(Math.min(produced, rnd(2) === 0 ? 12 : 3000));
      const kind = rnd(3);
      if (kind === 0 && offset < 2048) {
        const len = 4 + rnd(8);
        tags.push(1 | ((len - 4) << 2) | ((offset >>> 8) << 5), offset & 0xff);
        produced += len;
      } else if (kind <= 1) {
        const len = 1 + rnd(64);
        tags.push(2 | ((len - 1) << 2), offset & 0xff, offset >>> 8);
        produced += len;
      } else {
        const len = 1 + rnd(64);
        tags.push(3 | ((len - 1) << 2), offset & 0xff, (offset >>> 8) & 0xff, 0, 0);
        produced += len;
      }
    }
    const header: number[] = [];
    for (let v = produced; ; v = Math.floor(v / 128)) {
      if (v < 128) {
        header.push(v);
        break;
      }
      header.push((v & 0x7f) | 0x80);
    }
    const block = Uint8Array.from([...header, ...tags]);
    const want = Buffer.from(referenceDecode(block));
    assert.deepEqual(Buffer.from(snappyDecompress(block)), want, `block ${b}`);
    assert.deepEqual(Buffer.from(snappyDecompressJs(block)), want, `block ${b} (JavaScript)`);
    assert.deepEqual(Buffer.from(snappyDecompressWasm(block) ?? []), want, `block ${b} (WebAssembly)`);
    assert.deepEqual(Buffer.from(snappyDecompressTransient(block)), want, `block ${b} (transient)`);
  }
});
