// The fast paths of docs/perf.md give exactly what the portable code gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { crc32, crc32Table } from '../../src/wire/crc32.js';
import { ByteReader } from '../../src/wire/bytereader.js';
import type { Label } from '../../src/model/index.js';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

test('crc32 (native where available) equals the table-driven CRC-32, with and without a seed', () => {
  for (const n of [0, 1, 2, 3, 4, 7, 64, 1000, 65537]) {
    const b = bytes(n, n + 1);
    assert.equal(crc32(b), crc32Table(b), `length ${n}`);
    assert.equal(crc32(b, 0xdeadbeef), crc32Table(b, 0xdeadbeef), `length ${n}, seeded`);
    const half = n >> 1;
    assert.equal(crc32(b.subarray(half), crc32(b.subarray(0, half))), crc32Table(b), `length ${n}, in two parts`);
  }
});

test('ByteReader: records taken across reads and buffer growth stay intact after later reads', async () => {
  const data = bytes(5 * (1 << 20) + 123, 7);
  // a file-like source that returns odd-sized reads, and a stream of odd-sized chunks
  let at = 0;
  const file = {
    async readInto(buf: Uint8Array, off: number, len: number) {
      const n = Math.min(len, 333_333, data.length - at);
      buf.set(data.subarray(at, at + n), off);
      at += n;
      return n;
    },
    async close() {},
  };
  const chunks: Uint8Array[] = [];
  for (let p = 0; p < data.length; p += 70_001) chunks.push(data.slice(p, p + 70_001));
  for (const source of [file, Readable.from(chunks)]) {
    const r = new ByteReader(source);
    const sizes = [10, 1 << 20, 3, 2 * (1 << 20) + 5, 77, 1 << 19];
    const taken: { at: number; b: Uint8Array }[] = [];
    let k = 0;
    while (await r.ensure(1)) {
      const n = Math.min(sizes[k++ % sizes.length]!, r.available + 5 * (1 << 20));
      const off = r.offset;
      if (!(await r.ensure(n))) {
        taken.push({ at: off, b: r.take(r.available) });
        break;
      }
      taken.push({ at: off, b: r.take(n) });
    }
    let total = 0;
    for (const t of taken) {
      assert.ok(Buffer.from(t.b).equals(data.subarray(t.at, t.at + t.b.length)), `bytes at ${t.at}`);
      total += t.b.length;
    }
    assert.equal(total, data.length);
    await r.close();
  }
});

test('ByteKeyCache: exact hits only, through guesses, hash chains and resets when full', async () => {
  const { ByteKeyCache } = await import('../../src/wire/labelcache.js');
  const enc = (t: string) => [...new TextEncoder().encode(t)];
  // a series message: its label fields (one run), then a sample field
  const series = (pairs: [string, string][]) => {
    const run: number[] = [];
    for (const [n, v] of pairs) {
      const body = [10, n.length, ...enc(n), 18, v.length, ...enc(v)];
      run.push(10, body.length, ...body);
    }
    return { bytes: new Uint8Array([...run, 18, 2, 16, 1]), runEnd: run.length };
  };
  const sets: [string, string][][] = [
    [['a', '1']],
    [['a', '1'], ['b', '2']],
    [['a', '1'], ['b', '3']],
    [['a', '1'], ['b', '2'], ['c', '3']],
    [['z', '']],
    [['a', '1'], ['b', '2']],
    [['a', '1']],
  ];
  for (const size of [3, 100]) {
    const cache = new ByteKeyCache<Label[]>(size);
    const made = new Map<string, { name: string; value: string }[]>();
    let guesses = 0;
    for (let round = 0; round < 5; round++) {
      for (const set of sets) {
        const key = JSON.stringify(set);
        const { bytes, runEnd } = series(set);
        const view = new DataView(bytes.buffer);
        const guessed = cache.guessRun(view, 0, bytes.length, 10);
        if (guessed !== undefined) {
          assert.equal(cache.runLength, runEnd, `guess length for ${key}`);
          assert.equal(guessed, made.get(key), `guess for ${key}`);
          guesses++;
          continue;
        }
        const hit = cache.lookup(view, 0, runEnd);
        if (hit !== undefined) {
          assert.equal(hit, made.get(key), `hit for ${key}`);
          continue;
        }
        const labels = set.map(([name, value]) => ({ name, value }));
        made.set(key, labels);
        cache.insert(bytes, 0, runEnd, labels);
      }
    }
    if (size === 100) assert.ok(guesses > 10, `guesses: ${guesses}`);
  }
});
