// CaptureWriter alone: appends never overlap, order is kept, group commit, failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureWriter, type CaptureSink } from '../../src/record/index.js';

/** An in-memory sink with a slow, checked write. */
function memSink(delayMs: number, failOn: (n: number) => boolean = () => false, rollbackOk = true) {
  const committed: number[] = [];
  let pending: number[] = [];
  let active = 0;
  let maxActive = 0;
  let writes = 0;
  const sink: CaptureSink & { data: number[]; writes(): number; maxActive(): number } = {
    name: 'mem',
    data: committed,
    get length() {
      return committed.length;
    },
    writes: () => writes,
    maxActive: () => maxActive,
    async write(chunk) {
      active++;
      maxActive = Math.max(maxActive, active);
      writes++;
      const n = writes;
      await new Promise((r) => setTimeout(r, delayMs));
      active--;
      pending = [...chunk];
      if (failOn(n)) throw new Error(`write ${n} failed`);
    },
    commit() {
      committed.push(...pending);
      pending = [];
    },
    async sync() {},
    async rollback() {
      pending = [];
      return rollbackOk;
    },
    async close() {},
  };
  return sink;
}

test('appends are serialised, kept in order and grouped while a write is in progress', async () => {
  const sink = memSink(5);
  const w = new CaptureWriter(sink);
  const recs = Array.from({ length: 50 }, (_, i) => new Uint8Array([i, i, i]));
  const first = recs.slice(0, 25).map((r) => w.append(r));
  await new Promise((r) => setTimeout(r, 2));
  const second = recs.slice(25).map((r) => w.append(r));
  await Promise.all([...first, ...second]);
  assert.equal(sink.maxActive(), 1, 'never two writes at once');
  assert.deepEqual(sink.data, recs.flatMap((r) => [...r]));
  assert.ok(sink.writes() < 50, `grouped: ${sink.writes()} writes for 50 records`);
  assert.equal(w.records, 50);
  assert.equal(w.bytes, 150);
});

test('a failed chunk rejects exactly its records; later records are written', async () => {
  const sink = memSink(2, (n) => n === 2);
  const w = new CaptureWriter(sink, { maxChunkBytes: 3 });
  const results = await Promise.allSettled([1, 2, 3].map((i) => w.append(new Uint8Array([i, i, i]))));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(sink.data, [1, 1, 1, 3, 3, 3]);
  assert.equal(w.isBroken, false);
});

test('a failed chunk that cannot be rolled back breaks the writer: every later append is rejected', async () => {
  const broken: Error[] = [];
  const sink = memSink(1, (n) => n === 1, false);
  const w = new CaptureWriter(sink, { onBroken: (e) => broken.push(e) });
  await assert.rejects(w.append(new Uint8Array([1])), /write 1 failed/);
  assert.equal(w.isBroken, true);
  assert.equal(broken.length, 1);
  await assert.rejects(w.append(new Uint8Array([2])), /could not be rolled back/);
  assert.deepEqual(sink.data, []);
  await w.close();
});
