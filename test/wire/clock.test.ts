import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from '../../src/model/index.js';
import { SimClock, recordTimeMs, recordTimeOrNull } from '../../src/clock/clock.js';
import { mergeInputs, timeInput } from '../../src/pipeline/inputs.js';

function req(inputIndex: number, recordIndex: number, receivedAtMs: number | null, sampleTs: number[], histTs: number[] = []): Request {
  return {
    inputIndex,
    recordIndex,
    offset: 0,
    tenant: null,
    receivedAtMs,
    write: {
      timeseries: sampleTs.length + histTs.length === 0 ? [] : [{
        labels: [{ name: '__name__', value: 'x' }],
        samples: sampleTs.map((timestamp) => ({ value: 1, timestamp })),
        exemplars: [],
        histograms: histTs.map((timestamp) => ({
          isFloat: false, count: 0, zeroCount: 0, sum: 0, schema: 0, zeroThreshold: 0, negativeSpans: [], negativeDeltas: [], negativeCounts: [],
          positiveSpans: [], positiveDeltas: [], positiveCounts: [], resetHint: 'unknown' as const, timestamp, customValues: [],
        })),
      }],
      metadata: [],
    },
  };
}

async function* from<T>(xs: T[]): AsyncGenerator<T> {
  for (const x of xs) yield x;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('record time: received, or largest sample/histogram timestamp + delay', () => {
  const r = req(0, 0, 5000, [1000, 3000, 2000], [3500]);
  assert.equal(recordTimeMs(r, { source: 'received', delayMs: 100 }), 5000);
  assert.equal(recordTimeMs(r, { source: 'sample', delayMs: 100 }), 3600);
  // no receive time: sample rule even with --clock received
  assert.equal(recordTimeMs(req(0, 0, null, [10]), { source: 'received', delayMs: 7 }), 17);
  // no samples: the receive time, else the previous record time, else null/0
  assert.equal(recordTimeMs(req(0, 0, 900, []), { source: 'sample', delayMs: 7 }), 900);
  assert.equal(recordTimeOrNull(req(0, 0, null, []), { source: 'sample', delayMs: 0 }), null);
  assert.equal(recordTimeMs(req(0, 0, null, []), { source: 'sample', delayMs: 0 }, 1234), 1234);
});

test('SimClock never goes back and counts regressions; resumes from a persisted now', () => {
  const c = new SimClock();
  assert.equal(c.nowMs, null);
  assert.deepEqual([100, 90, 150, 150, 120].map((t) => c.observe(t)), [100, 100, 150, 150, 150]);
  assert.equal(c.regressions, 2);
  assert.equal(c.firstMs, 100);
  assert.equal(c.lastMs, 150);
  const resumed = new SimClock(150, 2);
  assert.equal(resumed.observe(140), 150);
  assert.equal(resumed.regressions, 3);
  assert.equal(resumed.observe(200), 200);
  assert.equal(resumed.firstMs, 150);
});

test('records without a time take the previous record time (leading ones the next known time)', async () => {
  const clock = { source: 'sample' as const, delayMs: 0 };
  const got = await collect(timeInput(from([req(0, 0, null, []), req(0, 1, null, [50]), req(0, 2, null, []), req(0, 3, null, [40])]), clock));
  assert.deepEqual(got.map((g) => [g.request.recordIndex, g.timeMs]), [[0, 50], [1, 50], [2, 50], [3, 40]]);
});

test('mergeInputs orders by clock, ties keep input order, each input keeps its own order', async () => {
  const clock = { source: 'received' as const, delayMs: 0 };
  const a = [req(0, 0, 10, [1]), req(0, 1, 30, [1]), req(0, 2, 20, [1]), req(0, 3, 50, [1])];
  const b = [req(1, 0, 10, [1]), req(1, 1, 25, [1]), req(1, 2, 50, [1])];
  const c = [req(2, 0, 5, [1])];
  const got = await collect(mergeInputs([from(a), from(b), from(c)], clock));
  assert.deepEqual(got.map((g) => `${g.request.inputIndex}:${g.request.recordIndex}@${g.timeMs}`), [
    '2:0@5', '0:0@10', '1:0@10', '1:1@25', '0:1@30', '0:2@20', '0:3@50', '1:2@50',
  ]);
  // a single input passes through in its own order
  const one = await collect(mergeInputs([from(a)], clock));
  assert.deepEqual(one.map((g) => g.request.recordIndex), [0, 1, 2, 3]);
});
