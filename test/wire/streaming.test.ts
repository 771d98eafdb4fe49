// Inputs are read as streams: memory must not grow with input size (SPEC 4). A ~20 MB capture
// (the fixture's records repeated) is read while the retained ArrayBuffer memory is sampled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openInput } from '../../src/pipeline/inputs.js';
import { tempDir } from './helpers.js';

test('a 20 MB capture is read with bounded buffer memory', async () => {
  const fx = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));
  const records = fx.subarray(7);
  const copies = Math.ceil((20 * 1024 * 1024) / records.length);
  const t = tempDir();
  try {
    const path = t.file('big.rwcap');
    const { createWriteStream } = await import('node:fs');
    const ws = createWriteStream(path);
    ws.write(fx.subarray(0, 7));
    for (let i = 0; i < copies; i++) ws.write(records);
    await new Promise<void>((r) => ws.end(r));
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let n = 0;
    for await (const req of openInput(path, 0, { format: 'auto', maxDecodedSize: 64 << 20, strict: false, onBadRecord: (b) => assert.fail(b.reason) })) {
      void req;
      if (++n % 250 === 0) {
        gc(); // count what is retained, not garbage waiting for a collection
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      }
    }
    assert.equal(n, copies * 146);
    if (process.env.HA_DEDUP_TEST_VERBOSE) console.log(`peak retained ArrayBuffer growth: ${peak}`);
    assert.ok(peak < 16 * 1024 * 1024, `peak ArrayBuffer growth ${peak} bytes for a ${copies * records.length}-byte input`);
  } finally {
    t.cleanup();
  }
});
