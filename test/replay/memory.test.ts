// Issue 12.4: memory is bounded by series and clusters, never by input size. Each case was a
// reproducer on main before the fix: the runs in a child process under a small V8 heap
// (--max-old-space-size) died there "JavaScript heap out of memory" (every leading record without
// a time was held until the first one with a time), and the in-process cases count what the
// readers hold or pull (bytes read before an over-long line is refused; the lines one ndjson
// request holds). No timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BadRecord, Request } from '../../src/model/index.js';
import { openInput } from '../../src/pipeline/inputs.js';
import { RWCAP_MAGIC, encodeCaptureRecord } from '../../src/wire/rwcap.js';
import { BIN } from '../cli/run.js';

/** A heap far below what holding the inputs below would take (main died at it on each). */
const HEAP_MIB = 48;

function tmp(): { dir: string; file(name: string, data: string | Uint8Array): string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-mem-'));
  return {
    dir,
    file(name, data) {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** replay in a child process with a small heap; the JSON report back. */
function replayChild(args: string[], dir: string): { status: number | null; stderr: string; report: Record<string, any> | null } {
  const report = join(dir, 'report.json');
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, BIN, 'replay', ...args, '--output-format', 'none', '--report', report], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 16 << 20,
  });
  let parsed = null;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    // no report: the run failed
  }
  return { status: r.status, stderr: r.stderr, report: parsed };
}

const SAMPLE_LINE = '{"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":1700000000000,"value":1}\n';

test('12.4: 120,000 metadata-only lines before the first sample are not all held (a 48 MiB heap is enough)', () => {
  const t = tmp();
  try {
    let text = '';
    for (let i = 0; i < 120_000; i++) text += `{"metadata":{"type":"counter","metric_family_name":"m${i % 1000}_total","help":"h","unit":""}}\n`;
    const input = t.file('meta.ndjson', text + SAMPLE_LINE);
    const r = replayChild([input], t.dir);
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    assert.equal(r.report!.totals.requests, 120_001);
    // the leading records still take the first known time after them: the clock starts there
    assert.equal(r.report!.clock.first_ms, 1700000000000);
    assert.equal(r.report!.clock.clock_regressions, 0);
  } finally {
    t.done();
  }
});

test('12.4: a small gzip of 100,000 empty capture records (no time at all) is replayed in a 48 MiB heap', () => {
  const t = tmp();
  try {
    const empty = encodeCaptureRecord({ receivedAtMs: 0, tenant: '', contentType: 'application/x-protobuf', contentEncoding: '', body: new Uint8Array(0), headers: {}, remoteAddr: '', path: '', bodyCrc32: 0 });
    const raw = new Uint8Array(RWCAP_MAGIC.length + empty.length * 100_000);
    raw.set(RWCAP_MAGIC, 0);
    for (let i = 0; i < 100_000; i++) raw.set(empty, RWCAP_MAGIC.length + i * empty.length);
    const gz = gzipSync(raw, { level: 9 });
    assert.ok(gz.length < 20_000, `${gz.length} bytes of gzip`);
    const input = t.file('empty.rwcap.gz', gz);
    const r = replayChild([input], t.dir);
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    assert.equal(r.report!.totals.requests, 100_000);
    assert.equal(r.report!.totals.bad_records, 0);
  } finally {
    t.done();
  }
});

test('12.4 / 12.8: --sort of 150,000 samples (one line per series holding its whole history) runs in a 48 MiB heap', () => {
  const t = tmp();
  try {
    let text = '';
    for (let s = 0; s < 30; s++) {
      const ts: number[] = [];
      for (let i = 0; i < 5000; i++) ts.push(1700000000000 + i * 15000);
      const replica = s % 2 === 0 ? 'a' : 'b';
      text += JSON.stringify({ metric: { __name__: `m${s >> 1}`, cluster: 'c', __replica__: replica }, values: ts.map((_, i) => i), timestamps: ts }) + '\n';
    }
    const input = t.file('export.json', text);
    const r = replayChild([input, '--sort'], t.dir);
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    assert.equal(r.report!.totals.samples, 150_000);
    // regrouped: one request per (cluster, replica, timestamp)
    assert.equal(r.report!.totals.requests, 2 * 5000);
    assert.equal(r.report!.clock.clock_regressions, 0);
    assert.equal(r.report!.clock.order.sorted, true);
  } finally {
    t.done();
  }
});

/** A source of `total` bytes in 64 KiB chunks that counts what the reader pulled. */
function countingSource(parts: () => Generator<Uint8Array>): { source: AsyncIterable<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  return {
    source: {
      async *[Symbol.asyncIterator]() {
        for (const p of parts()) {
          for (let at = 0; at < p.length; at += 65536) {
            const c = p.subarray(at, Math.min(p.length, at + 65536));
            pulled += c.length;
            yield c;
          }
        }
      },
    },
    pulled: () => pulled,
  };
}

for (const [format, head, tail] of [
  ['ndjson', '{"labels":{"__name__":"up","pad":"', '"},"timestamp":1,"value":1}\n'],
  ['vm-json', '{"metric":{"__name__":"up","pad":"', '"},"values":[1],"timestamps":[1]}\n'],
] as const) {
  test(`12.4: a 48 MB ${format} line is refused by --max-decoded-size 1MiB after at most ~2 MiB of it is read; the lines after it are kept`, async () => {
    const max = 1 << 20;
    const good = format === 'ndjson' ? '{"labels":{"__name__":"up"},"timestamp":2,"value":1}\n' : '{"metric":{"__name__":"up"},"values":[1],"timestamps":[2]}\n';
    const pad = Buffer.alloc(48_000_000, 0x78);
    const { source, pulled } = countingSource(function* () {
      yield Buffer.from(good);
      yield Buffer.from(head);
      yield pad;
      yield Buffer.from(tail + good + good);
    });
    const bad: { bad: BadRecord; pulled: number }[] = [];
    const reqs: Request[] = [];
    for await (const r of openInput('-', 0, { format, maxDecodedSize: max, strict: false, stdin: source, onBadRecord: (b) => bad.push({ bad: b, pulled: pulled() }) })) reqs.push(r);
    assert.equal(bad.length, 1, JSON.stringify(bad));
    assert.match(bad[0]!.bad.reason, /^line longer than 1048576 bytes \(--max-decoded-size 1048576\)/);
    assert.equal(bad[0]!.bad.index, 2);
    assert.ok(bad[0]!.pulled <= max + (2 << 20), `read ${bad[0]!.pulled} bytes of a 48 MB line before refusing it`);
    assert.equal(reqs.length, 3);
  });
}

test('12.4: an ndjson request (lines sharing received_at_ms) is split past --max-decoded-size worth of lines, with a warning', async () => {
  const max = 64 * 1024;
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) lines.push(`{"tenant":"t","received_at_ms":1700000000500,"labels":{"__name__":"m${i}","cluster":"c","__replica__":"a"},"timestamp":1700000000000,"value":${i}}`);
  lines.push('{"tenant":"t","received_at_ms":1700000001500,"labels":{"__name__":"next","cluster":"c","__replica__":"a"},"timestamp":1700000001000,"value":1}');
  const text = lines.join('\n') + '\n';
  const t = tmp();
  try {
    const input = t.file('one-request.ndjson', text);
    const sizes: number[] = [];
    const warnings: string[] = [];
    const reqs: Request[] = [];
    for await (const r of openInput(input, 0, {
      format: 'auto',
      maxDecodedSize: max,
      strict: false,
      onBadRecord: (b) => assert.fail(JSON.stringify(b)),
      onSizes: (_r, wire) => sizes.push(wire),
      onWarning: (w) => warnings.push(w),
    })) {
      reqs.push(r);
    }
    // each part holds at most --max-decoded-size of lines; all 6000 lines are there, in order
    const first = Buffer.byteLength(text) - Buffer.byteLength(lines[6000]!) - 1;
    const parts = Math.ceil(first / max);
    assert.ok(parts >= 10, `${parts} parts`);
    assert.ok(reqs.length - 1 >= parts && reqs.length - 1 <= parts + 1, `${reqs.length - 1} requests for ${parts} MiB-parts`);
    for (const s of sizes.slice(0, -1)) assert.ok(s <= max, `a request of ${s} bytes of lines`);
    assert.deepEqual(reqs.slice(0, -1).flatMap((r) => r.write.timeseries.map((ts) => ts.labels[0]!.value)), lines.slice(0, 6000).map((_, i) => `m${i}`));
    for (const r of reqs.slice(0, -1)) assert.equal(r.receivedAtMs, 1700000000500);
    assert.equal(reqs[reqs.length - 1]!.write.timeseries[0]!.labels[0]!.value, 'next');
    // one warning per split, capped at 20 per input
    assert.equal(warnings.length, Math.min(20, reqs.length - 2));
    assert.match(warnings[0]!, /one-request\.ndjson: line \d+ at byte \d+: the request of received_at_ms 1700000000500 from line 1 holds more than --max-decoded-size 65536 bytes of lines: split here/);
  } finally {
    t.done();
  }
});
