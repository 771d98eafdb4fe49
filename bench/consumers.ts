// The output writers, round 1 against their event consumers, in one process on the same decided
// stream (issue 15 point 8: no slower), and the report fold's two entry points.
//
// usage: node --import tsx bench/consumers.ts [--size small|medium|large] [--runs N] [--cases ndjson,rwcap,report]
//
// `report` compares ReportBuilderConsumer with test/report/round1-builder.ts, round 1's hot path
// kept for the tests, whose per-labels-array cache is now a WeakMap (round 1 used a symbol
// property): that side is slower than round 1 was, so for the builder the honest comparison is
// bench/pair.mjs against a round-1 build (measured before the move: consumer / round 1 = 0.80).
//
// The capture (bench/gen.mjs) is read and decided once with round 1's pieces; every request is
// kept both as round 1 hands it to ReportBuilder / createOutputWriter (TimeSeries objects and
// the RequestDecision) and as the lane event the consumers get (test/replay/round1-events.ts:
// columns, SeriesIds). Then each case runs its two sides alternately, `runs` times each, and
// prints the median and best time per side and their ratio (consumer / round 1; < 1 = faster).
// Only the fold or the writer is timed: reading, decoding and deciding are outside the loop.
// Output goes to a sink that drops it (callbacks at once), so the encoding is what is measured.
import { Writable } from 'node:stream';
import os from 'node:os';
// @ts-expect-error: plain .mjs module without declarations
import { ensureCapture } from './gen.mjs';
import type { Election, ElectionEvent, EndEvent, Request, RequestEvent, TimeSeries } from '../src/model/index.js';
import type { RequestDecision } from '../src/tracker/api.js';
import { SimClock } from '../src/clock/clock.js';
import { createPrng } from '../src/clock/prng.js';
import { createTracker, defaultHAConfig, tenantConfigs } from '../src/tracker/index.js';
import { openMemoryStore } from '../src/store/index.js';
import { mergeInputs, openInput } from '../src/pipeline/inputs.js';
import { ReportBuilderConsumer, renderJson } from '../src/report/index.js';
import { ReportBuilder } from '../test/report/round1-builder.js';
import { createOutputWriter, withoutLabelShared } from '../src/wire/writers.js';
import { createOutputConsumer } from '../src/wire/outconsumers.js';
import { TestCatalog, decisionOf, decodedOf } from '../test/replay/round1-events.js';

interface Step {
  tenant: string;
  req: Request;
  d: RequestDecision;
  now: number;
  before: Election[];
  after: Election[];
  ev: RequestEvent;
  /** Per series, its labels as decoded (round 1's writer path replaces them; restored after). */
  labels: TimeSeries['labels'][];
}

function args() {
  const o = { size: 'medium', runs: 5, cases: ['ndjson', 'rwcap'] };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--size') o.size = a[++i]!;
    else if (a[i] === '--runs') o.runs = Number(a[++i]);
    else if (a[i] === '--cases') o.cases = a[++i]!.split(',');
    else throw new Error(`unknown option ${a[i]}`);
  }
  return o;
}

async function load(path: string) {
  const configs = tenantConfigs(defaultHAConfig());
  const store = openMemoryStore();
  const tracker = createTracker({ semantics: 'cortex', configs, store, random: createPrng(1) });
  const cat = new TestCatalog();
  const clock = new SimClock(null);
  const steps: Step[] = [];
  let samples = 0;
  const input = openInput(path, 0, { format: 'auto', maxDecodedSize: 64 << 20, strict: false, onBadRecord: () => undefined });
  for await (const { request, timeMs } of mergeInputs([input], { source: 'received', delayMs: 0 })) {
    const now = clock.observe(timeMs);
    tracker.advance(now);
    const before = tracker.drainElections();
    const tenant = request.tenant ?? 'anonymous';
    const decoded = decodedOf(cat, request);
    const d = tracker.decide(tenant, request.write, now);
    const after = tracker.drainElections();
    const cfg = tracker.config(tenant);
    const { ha, decision } = decisionOf(cat, decoded, d, cfg.clusterLabel, cfg.replicaLabel);
    samples += decoded.timestamps.length + decoded.histograms.length;
    steps.push({ tenant, req: request, d, now, before, after, ev: { seq: steps.length, request: decoded, tenant, recordTimeMs: timeMs, nowMs: now, ha, decision }, labels: request.write.timeseries.map((s) => s.labels) });
  }
  store.close();
  const end: EndEvent = { inputs: [], clock: { source: 'received', first_ms: clock.firstMs, last_ms: clock.lastMs, clock_regressions: 0 }, badRecordCount: 0, badRecords: [], state: [], priorElections: [], tenants: [] };
  return { steps, cat, samples, end };
}

const ctx = { config: null, inputs: [], clock: { source: 'received', first_ms: 0, last_ms: 0, clock_regressions: 0 }, badRecords: [], badRecordCount: 0 };

function nullSink(): Writable {
  return new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
}

type Loaded = Awaited<ReturnType<typeof load>>;

function reportRound1(l: Loaded): string {
  const b = new ReportBuilder();
  for (const s of l.steps) {
    for (const e of s.before) b.election(e);
    for (const e of s.after) b.election(e);
    b.request(s.tenant, s.req.write, s.d, s.now);
  }
  return renderJson(b.finish(ctx));
}

function reportConsumer(l: Loaded): string {
  const b = new ReportBuilderConsumer();
  b.begin({ catalog: l.cat, inputs: [], semantics: 'cortex', config: () => defaultHAConfig(), defaultTenant: 'anonymous' });
  for (const s of l.steps) {
    for (const e of s.before) b.election({ election: e, seq: s.ev.seq, cause: 'pass' } satisfies ElectionEvent);
    for (const e of s.after) b.election({ election: e, seq: s.ev.seq, cause: 'request' });
    b.request(s.ev);
  }
  b.end(l.end);
  const r = b.report(null);
  r.clock = ctx.clock;
  return renderJson(r);
}

/** Round 1's writer path exactly as src/pipeline/replay.ts runs it (labels restored after each request). */
async function writerRound1(l: Loaded, format: 'ndjson' | 'rwcap'): Promise<void> {
  const w = createOutputWriter(format, nullSink(), { onWarning: () => undefined });
  const picked: TimeSeries[] = [];
  for (const s of l.steps) {
    const all = s.req.write.timeseries;
    const d = s.d;
    let emit: TimeSeries[] = all;
    let changed = false;
    let stripped = false;
    for (let i = 0; i < all.length; i++) {
      const ts = all[i]!;
      const sd = d.series[i]!;
      if (sd.outcome === 'deduped' || sd.outcome === 'rejected_too_many_clusters') {
        if (!changed) {
          picked.length = 0;
          for (let j = 0; j < i; j++) picked.push(all[j]!);
          emit = picked;
          changed = true;
        }
        continue;
      }
      if (sd.stripReplica) {
        const labels = withoutLabelShared(ts.labels, d.replicaLabel);
        if (labels !== ts.labels) {
          ts.labels = labels;
          stripped = true;
        }
      }
      if (changed) emit.push(ts);
    }
    const metadata = all.length === 0 || emit.length > 0 ? s.req.write.metadata : [];
    if (emit.length > 0 || metadata.length > 0) {
      const p = w.write(s.req, s.tenant, emit, stripped || changed || metadata !== s.req.write.metadata, metadata);
      if (p) await p;
    }
    for (let i = 0; i < all.length; i++) all[i]!.labels = s.labels[i]!;
  }
  await w.end();
}

async function writerConsumer(l: Loaded, format: 'ndjson' | 'rwcap'): Promise<void> {
  const w = createOutputConsumer(format, nullSink(), { onWarning: () => undefined });
  w.begin({ catalog: l.cat, inputs: [], semantics: 'cortex', config: () => defaultHAConfig(), defaultTenant: 'anonymous' });
  for (const s of l.steps) {
    const p = w.request(s.ev);
    if (p) await p;
  }
  await w.end();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main() {
  const o = args();
  const path = ensureCapture(o.size, { log: (m: string) => process.stderr.write(m + '\n') }).file as string;
  const l = await load(path);
  process.stdout.write(`capture ${o.size}: ${l.steps.length} requests, ${l.samples} samples, ${l.cat.size} series ids; ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  if (reportRound1(l) !== reportConsumer(l)) throw new Error('the two reports differ');
  const cases: Record<string, [() => unknown, () => unknown]> = {
    report: [() => reportRound1(l), () => reportConsumer(l)],
    ndjson: [() => writerRound1(l, 'ndjson'), () => writerConsumer(l, 'ndjson')],
    rwcap: [() => writerRound1(l, 'rwcap'), () => writerConsumer(l, 'rwcap')],
  };
  process.stdout.write('| case | round 1 median ms (best) | consumer median ms (best) | consumer / round 1 (median) | Msamples/s round 1 → consumer |\n|---|---|---|---|---|\n');
  for (const name of o.cases) {
    const [a, b] = cases[name]!;
    const ta: number[] = [];
    const tb: number[] = [];
    await a(); // warm-up, both sides
    await b();
    for (let i = 0; i < o.runs; i++) {
      for (const [fn, out] of (i % 2 === 0 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]]) as [() => unknown, number[]][]) {
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        await fn();
        out.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const ma = median(ta);
    const mb = median(tb);
    const rate = (ms: number) => (l.samples / ms / 1000).toFixed(2);
    process.stdout.write(`| ${name} | ${ma.toFixed(0)} (${Math.min(...ta).toFixed(0)}) | ${mb.toFixed(0)} (${Math.min(...tb).toFixed(0)}) | ${(mb / ma).toFixed(3)} | ${rate(ma)} → ${rate(mb)} |\n`);
  }
}

await main();
