// runReplay as a library (no process spawned): counts, written samples, clocks, outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import { defaultHAConfig } from '../../src/tracker/index.js';
import { runReplay, type ReplayOptions } from '../../src/pipeline/replay.js';
import { ProgressLine, useColor } from '../../src/cli/tty.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');
const SCEN = join(ROOT, 'fixtures', 'scenarios');

function options(inputs: string[], over: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    inputs,
    format: 'auto',
    tenant: 'anonymous',
    clock: null,
    delayMs: 0,
    semantics: 'cortex',
    seed: 1,
    defaults: { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 },
    overrides: null,
    db: null,
    outputFormat: 'ndjson',
    strict: false,
    maxDecodedSize: 64 << 20,
    ...over,
  };
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

test('fixture: the counts add up and what is written is accepted + non_ha + passthrough', async () => {
  for (const semantics of ['cortex', 'mimir'] as const) {
    const out = sink();
    const warnings: string[] = [];
    const { report, writtenSamples } = await runReplay(options([FIXTURE], { semantics }), { output: out.stream, warn: (l) => warnings.push(l) });
    const t = report.totals;
    assert.equal(t.accepted_samples + t.non_ha_samples + t.passthrough_samples + t.deduped_samples + t.rejected_samples, t.samples);
    assert.equal(writtenSamples, t.accepted_samples + t.non_ha_samples + t.passthrough_samples);
    const lines = out.text().split('\n').filter((l) => l !== '' && !l.includes('"metadata":'));
    assert.equal(lines.length, writtenSamples);
    assert.deepEqual(warnings, []);
    assert.equal(t.requests, 146);
    assert.equal(t.elections, 3);
    // per replica figures sum to the totals
    const reps = report.clusters.flatMap((c) => c.replicas);
    assert.equal(reps.reduce((s, r) => s + r.accepted_samples, 0), t.accepted_samples);
    assert.equal(reps.reduce((s, r) => s + r.deduped_samples, 0), t.deduped_samples);
    // the 4 metadata-only requests pass through
    assert.equal(report.status_codes['200']! + report.status_codes['202']! + report.status_codes['400']!, 146);
    assert.ok(report.elections.slice(1).every((e) => e.gap_ms !== null && e.gap_ms > 0));
    assert.equal(report.clusters[0]!.lost_samples, t.lost_samples);
  }
});

test('--clock sample with --delay equal to the send lag decides like --clock received', async () => {
  // the scenario's records arrive exactly 1s after their sample time
  const input = join(SCEN, 'clean-failover', 'input.ndjson');
  const a = sink();
  const b = sink();
  const ra = await runReplay(options([input], { clock: 'received' }), { output: a.stream, warn: () => undefined });
  const rb = await runReplay(options([input], { clock: 'sample', delayMs: 1000 }), { output: b.stream, warn: () => undefined });
  assert.equal(a.text(), b.text());
  assert.deepEqual(ra.report.elections, rb.report.elections);
  assert.equal(rb.report.clock.source, 'sample');
  // without the delay every "now" is 1s earlier: a uniform shift, so the same decisions, each
  // election 1s earlier
  const c = await runReplay(options([input], { clock: 'sample', delayMs: 0 }), { output: sink().stream, warn: () => undefined });
  assert.equal(c.report.totals.lost_samples, ra.report.totals.lost_samples);
  assert.equal(c.report.elections[1]!.at_ms, ra.report.elections[1]!.at_ms - 1000);
});

test('records that go back in time are clock regressions; now never moves back', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-pipeline-'));
  try {
    const f = join(dir, 'in.ndjson');
    const line = (recv: number, replica: string) =>
      JSON.stringify({ tenant: 't', received_at_ms: recv, labels: { __name__: 'up', cluster: 'c', __replica__: replica }, timestamp: recv - 500, value: 1 });
    writeFileSync(f, [line(10_000, 'a'), line(50_000, 'a'), line(20_000, 'b'), line(60_000, 'a')].join('\n') + '\n');
    const { report } = await runReplay(options([f]), { output: null, warn: () => undefined });
    assert.equal(report.clock.clock_regressions, 1);
    assert.equal(report.clock.first_ms, 10_000);
    assert.equal(report.clock.last_ms, 60_000);
    // b's record is decided at now = 50s, 40s after a's election: b would win a failover, but a
    // wrote at 50s, so b is deduplicated
    assert.equal(report.totals.deduped_samples, 1);
    assert.equal(report.totals.elections, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('several inputs merge by clock; the report lists each input', async () => {
  const input = join(SCEN, 'flap', 'input.ndjson');
  const one = await runReplay(options([input]), { output: null, warn: () => undefined });
  const two = await runReplay(options([input, input]), { output: null, warn: () => undefined });
  assert.equal(two.report.inputs.length, 2);
  assert.equal(two.report.totals.samples, 2 * one.report.totals.samples);
  assert.equal(two.report.totals.deduped_samples, 2 * one.report.totals.deduped_samples);
  // the second copy of each accepted sample is an overlap (a duplicate an ingester would reject)
  assert.equal(two.report.totals.overlap_samples, one.report.totals.accepted_samples);
  assert.equal(two.report.totals.lost_samples, 0);
});

test('progress callback is called every N requests, with simulated time', async () => {
  const seen: number[] = [];
  await runReplay(options([FIXTURE]), { output: null, warn: () => undefined, progress: (p) => seen.push(p.requests), progressEvery: 50 });
  assert.deepEqual(seen, [50, 100]);
});

test('ProgressLine: nothing for short runs, then one self-overwriting line; useColor rules', () => {
  let now = 0;
  let out = '';
  const line = new ProgressLine({ write: (s: string) => (out += s) }, 1000, 250, () => now);
  line.update({ requests: 10, samples: 100, nowMs: 0 });
  assert.equal(out, '');
  now = 2000;
  line.update({ requests: 20, samples: 4000, nowMs: 1_700_000_000_000 });
  assert.match(out, /^\r\x1b\[2Kreplay: 20 requests, 4000 samples, simulated 2023-11-14T22:13:20.000Z, 2000 samples\/s$/);
  const before = out;
  now = 2100;
  line.update({ requests: 21, samples: 4100, nowMs: 1_700_000_000_000 });
  assert.equal(out, before, 'redrawn at most every 250ms');
  line.clear();
  assert.ok(out.endsWith('\r\x1b[2K'));
  assert.equal(useColor({ isTTY: true }, true, {}), true);
  assert.equal(useColor({ isTTY: false }, true, {}), false);
  assert.equal(useColor({ isTTY: true }, false, {}), false);
  assert.equal(useColor({ isTTY: true }, true, { NO_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, true, { NO_COLOR: '' }), true);
});

test('the snappy library option { decoder: "js" } gives the same output, report and bad-record reasons as the default (WebAssembly) decoder', async () => {
  const { mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { PbReader } = await import('../../src/wire/pbreader.js');
  const { decodeCapturedRequest, encodeCaptureRecord, withCrc } = await import('../../src/wire/rwcap.js');
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-snappy-'));
  try {
    // the fixture with record 3's body cut short (CRC recomputed, so snappy is what fails)
    const f = readFileSync(FIXTURE);
    const r = new PbReader(f, 7);
    const parts: Uint8Array[] = [f.subarray(0, 7)];
    for (let i = 0; r.pos < r.end; i++) {
      const start = r.delimited();
      const rec = decodeCapturedRequest(f.subarray(start, r.fieldEnd));
      parts.push(encodeCaptureRecord(i === 3 ? withCrc({ ...rec, body: rec.body.subarray(0, rec.body.length - 5) }) : rec));
    }
    const input = join(dir, 'cut.rwcap');
    writeFileSync(input, Buffer.concat(parts));
    const runWith = async (snappy?: { decoder: 'js' }) => {
      const out = sink();
      const warnings: string[] = [];
      const res = await runReplay(options([input]), { output: out.stream, warn: (l) => warnings.push(l), ...(snappy ? { snappy } : {}) });
      return { text: out.text(), warnings, report: JSON.stringify(res.report) };
    };
    const a = await runWith();
    const b = await runWith({ decoder: 'js' });
    assert.equal(a.warnings.length, 1);
    assert.match(a.warnings[0]!, /cut\.rwcap: record 3 at byte \d+: snappy: /);
    assert.deepEqual(b.warnings, a.warnings);
    assert.ok(a.text.length > 0);
    assert.equal(b.text, a.text);
    assert.equal(b.report, a.report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
