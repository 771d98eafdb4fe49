// The report builder and the output writers as event consumers (issue 15 points 1 and 2) give
// exactly what round 1 gives. The same inputs go through round 1's replay loop (round1-replay.ts:
// TimeSeries objects, the ReportBuilder and createOutputWriter inline), through runReplay (the
// engine with ReportBuilderConsumer and createOutputConsumer) and through round1-events.ts's lane
// (round 1's decoding and tracker, events into the same consumers: the consumers alone); the
// JSON report, the human table, the markdown and every output format must be byte-identical, and
// the decoded requests the consumers saw unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Consumer, OutputFormat, RequestEvent } from '../../src/model/index.js';
import { runReplay, type ReplayOptions } from '../../src/pipeline/replay.js';
import { ReportBuilderConsumer, renderJson, renderMarkdown, renderTable } from '../../src/report/index.js';
import { createOutputConsumer } from '../../src/wire/outconsumers.js';
import { defaultHAConfig } from '../../src/tracker/index.js';
import { parseDuration } from '../../src/model/index.js';
import { runRound1Lane } from './round1-events.js';
import { runReplayRound1 } from './round1-replay.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const FORMATS: OutputFormat[] = ['ndjson', 'vm-json', 'rwcap', 'rwcap-json', 'none'];

function options(inputs: string[], o: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    inputs,
    format: 'auto',
    tenant: 'anonymous',
    clock: null,
    delayMs: 0,
    semantics: 'cortex',
    seed: 1,
    defaults: defaultHAConfig(),
    overrides: null,
    db: null,
    outputFormat: 'ndjson',
    strict: false,
    maxDecodedSize: 64 << 20,
    ...o,
  };
}

function collector(): { sink: Writable; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

interface Outcome {
  json: string;
  table: string;
  markdown: string;
  output: Buffer;
  warnings: string[];
  written: number;
}

async function round1(opts: ReplayOptions): Promise<Outcome> {
  const c = collector();
  const warnings: string[] = [];
  const r = await runReplayRound1(opts, { output: opts.outputFormat === 'none' ? null : c.sink, warn: (l) => warnings.push(l) });
  return { json: renderJson(r.report), table: renderTable(r.report, {}), markdown: renderMarkdown(r.report), output: c.bytes(), warnings, written: r.writtenSamples };
}

/** A consumer that remembers a fingerprint of every request as it was handed over, and checks it again after the others ran. */
class Untouched implements Consumer {
  private pending: { ev: RequestEvent; print: string } | null = null;
  changed = 0;
  static print(ev: RequestEvent): string {
    const r = ev.request;
    return JSON.stringify([r.tenant, r.receivedAtMs, [...r.ids], [...r.sampleStart], [...r.timestamps], [...new Uint8Array(r.values.buffer, r.values.byteOffset, r.values.byteLength)], r.metadata.length, r.captured?.body.length ?? -1]);
  }
  request(ev: RequestEvent): void {
    this.check();
    this.pending = { ev, print: Untouched.print(ev) };
  }
  check(): void {
    if (this.pending !== null && Untouched.print(this.pending.ev) !== this.pending.print) this.changed++;
    this.pending = null;
  }
}

async function viaEngine(opts: ReplayOptions): Promise<Outcome> {
  const c = collector();
  const warnings: string[] = [];
  const r = await runReplay(opts, { output: opts.outputFormat === 'none' ? null : c.sink, warn: (l) => warnings.push(l) });
  return { json: renderJson(r.report), table: renderTable(r.report, {}), markdown: renderMarkdown(r.report), output: c.bytes(), warnings, written: r.writtenSamples };
}

async function viaConsumers(opts: ReplayOptions): Promise<Outcome> {
  const c = collector();
  const warnings: string[] = [];
  const builder = new ReportBuilderConsumer();
  const writer = createOutputConsumer(opts.outputFormat, opts.outputFormat === 'none' ? null : c.sink, { onWarning: (m) => warnings.push(`ha-dedup: warning: ${m}`) });
  const first = new Untouched();
  // the request is fingerprinted before the builder and the writer see it and checked after
  const after: Consumer = { request: () => first.check(), end: () => first.check() };
  const { config } = await runRound1Lane(opts, [first, builder, writer, after]);
  assert.equal(first.changed, 0, 'a consumer changed a decoded request');
  const report = builder.report(config);
  return { json: renderJson(report), table: renderTable(report, {}), markdown: renderMarkdown(report), output: c.bytes(), warnings, written: writer.writtenSamples };
}

async function same(opts: ReplayOptions, what: string): Promise<void> {
  const want = await round1(opts);
  const engine = await viaEngine(opts);
  assert.equal(engine.json, want.json, `${what}: JSON report (engine)`);
  assert.equal(engine.table, want.table, `${what}: table (engine)`);
  assert.equal(engine.markdown, want.markdown, `${what}: markdown (engine)`);
  assert.ok(engine.output.equals(want.output), `${what}: ${opts.outputFormat} output differs (engine: ${engine.output.length} vs ${want.output.length} bytes)`);
  assert.deepEqual(engine.warnings, want.warnings, `${what}: warnings (engine)`);
  assert.equal(engine.written, want.written, `${what}: written samples (engine)`);
  const got = await viaConsumers(opts);
  assert.equal(got.json, want.json, `${what}: JSON report`);
  assert.equal(got.table, want.table, `${what}: table`);
  assert.equal(got.markdown, want.markdown, `${what}: markdown`);
  assert.ok(got.output.equals(want.output), `${what}: ${opts.outputFormat} output differs (${got.output.length} vs ${want.output.length} bytes)`);
  // round 1 warns about bad records inline; the consumers only emit the writers' warnings
  assert.deepEqual(got.warnings, want.warnings.filter((w) => w.startsWith('ha-dedup: warning: vm-json')), `${what}: warnings`);
  assert.equal(got.written, want.written, `${what}: written samples`);
}

const FIXTURE = join(FIXTURES, 'prom-ha-dev.rwcap');

for (const format of FORMATS) {
  test(`bundled fixture, cortex per-request, --output-format ${format}: same report and bytes as round 1`, async () => {
    await same(options([FIXTURE], { outputFormat: format }), format);
  });
}

test('bundled fixture, mimir and per-sample, rwcap and ndjson: same report and bytes as round 1', async () => {
  await same(options([FIXTURE], { semantics: 'mimir', outputFormat: 'rwcap' }), 'mimir rwcap');
  await same(options([FIXTURE], { defaults: { ...defaultHAConfig(), perSample: true }, outputFormat: 'ndjson' }), 'per-sample ndjson');
  await same(options([FIXTURE], { semantics: 'mimir', defaults: { ...defaultHAConfig(), perSample: true, updateTimeoutJitterMaxMs: 0 }, outputFormat: 'rwcap-json' }), 'mimir per-sample rwcap-json');
});

/** The scenario's args as ReplayOptions (the options the scenarios use). */
function scenarioOptions(dir: string, args: string[]): ReplayOptions | null {
  const o = options([]);
  const d = { ...defaultHAConfig() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = (): string => args[++i]!;
    const dur = (): number => {
      const ms = parseDuration(v());
      if (ms === undefined) throw new Error('bad duration');
      return ms;
    };
    switch (a) {
      case '--update-timeout-jitter-max':
        d.updateTimeoutJitterMaxMs = dur();
        break;
      case '--failover-timeout':
        try {
          d.failoverTimeoutMs = dur();
        } catch {
          return null; // the usage-error scenario: nothing runs
        }
        break;
      case '--semantics':
        o.semantics = v() as ReplayOptions['semantics'];
        break;
      case '--tenant':
        o.tenant = v();
        break;
      case '--dedupe':
        d.perSample = v() === 'per-sample';
        break;
      case '--max-clusters':
        d.maxClusters = Number(v());
        break;
      case '--overrides': {
        const f = join(dir, v());
        o.overrides = { text: readFileSync(f, 'utf8'), file: f };
        break;
      }
      case '--strict':
        o.strict = true;
        break;
      case '--output-format':
      case '--report-format':
      case '--expect':
        v();
        break;
      default:
        if (a.startsWith('--')) throw new Error(`scenario option ${a} not mapped in this test`);
        o.inputs.push(join(dir, a));
    }
  }
  o.defaults = d;
  return o;
}

const SCENARIOS = join(FIXTURES, 'scenarios');
const names = ['bad-records', 'both-down-one-returns', 'clean-failover', 'clean-failover-mimir', 'flap', 'markdown-report', 'metadata-only', 'non-ha-mixed', 'overrides-custom-labels', 'per-sample-mixed', 'strict', 'too-many-clusters', 'usage-error'];

for (const name of names) {
  test(`scenario ${name}: every output format and the report as round 1`, async () => {
    const dir = join(SCENARIOS, name);
    const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { args: string[] };
    const base = scenarioOptions(dir, spec.args);
    if (base === null) {
      assert.equal(name, 'usage-error'); // the one scenario that stops before reading
      return;
    }
    for (const format of FORMATS) {
      const opts: ReplayOptions = { ...base, outputFormat: format };
      if (opts.strict) {
        // strict stops at the first bad record: both stop with the same error
        const a: string = await round1(opts).then(() => 'no error', (e: Error) => e.message);
        const b = await viaConsumers(opts).then(() => 'no error', (e: Error) => e.message);
        const e = await viaEngine(opts).then(() => 'no error', (e: Error) => e.message);
        assert.notEqual(a, 'no error');
        assert.equal(b, a);
        assert.equal(e, a);
        continue;
      }
      await same(opts, `${name} ${format}`);
    }
  });
}

test('the scenario list above is every scenario folder', () => {
  const dirs = readdirSync(SCENARIOS).filter((n) => existsSync(join(SCENARIOS, n, 'scenario.json'))).sort();
  assert.deepEqual(dirs, names);
});

// Histograms, exemplars, special values, metadata, a replica label on a non-HA series, a mixed
// request (per-request: the second series counted under the first's pair), two tenants.
const T = 1_700_000_000_000;
function line(o: Record<string, unknown>): string {
  return JSON.stringify(o);
}
const hist = { schema: 0, zero_threshold: 0, zero_count: 1, count: 3, sum: 2.5, positive_spans: [{ offset: 0, length: 2 }], negative_spans: [], positive_deltas: [1, 0], negative_deltas: [], reset_hint: 'no' };
const fhist = { schema: 1, zero_threshold: 0.001, zero_count: 0.5, count: 3.5, sum: -1, positive_spans: [{ offset: 1, length: 1 }], negative_spans: [], positive_counts: [3], negative_counts: [], reset_hint: 'gauge' };
function richInput(): string {
  const out: string[] = [];
  for (let j = 0; j < 12; j++) {
    for (const rep of ['a', 'b']) {
      if (rep === 'a' && j >= 5 && j < 9) continue; // a is away: b takes over
      const at = T + j * 10_000 + (rep === 'b' ? 2000 : 1000);
      const ts = T + j * 10_000 + (rep === 'b' ? 500 : 0);
      const base = { tenant: 't1', received_at_ms: at };
      const L = (name: string, extra: Record<string, string> = {}) => ({ __name__: name, __replica__: rep, cluster: 'c1', job: 'node', ...extra });
      const vals = [j, 'NaN', 'stale', '+Inf', '-Inf', -0, 0.1 * j, 1e21 + j];
      out.push(line({ ...base, labels: L('up'), timestamp: ts, value: vals[j % vals.length] }));
      out.push(line({ ...base, labels: L('temp', { sensor: 'x' }), timestamp: ts, value: j / 3 }));
      out.push(line({ ...base, labels: L('req_duration'), timestamp: ts, histogram: j % 2 === 0 ? hist : fhist }));
      out.push(line({ ...base, labels: L('up'), exemplar: { labels: { trace_id: `t${j}` }, value: 1.5, timestamp: ts } }));
      // same request, another replica's label: counted under the request's (first) pair
      out.push(line({ ...base, labels: { __name__: 'odd', __replica__: 'z', cluster: 'c1' }, timestamp: ts, value: 1 }));
      out.push(line({ ...base, labels: { __name__: 'lonely', __replica__: rep }, timestamp: ts, value: 2 }));
      out.push(line({ ...base, metadata: { type: 'counter', metric_family_name: 'up', help: 'h "q"', unit: '' } }));
      if (j === 3) {
        // a retried batch: the same samples again, a little later (overlap samples, no loss)
        out.push(line({ tenant: 't1', received_at_ms: at + 300, labels: L('up'), timestamp: ts, value: j }));
        out.push(line({ tenant: 't1', received_at_ms: at + 300, labels: L('temp', { sensor: 'x' }), timestamp: ts - 5000, value: j }));
      }
    }
    out.push(line({ tenant: 't2', received_at_ms: T + j * 10_000 + 3000, labels: { __name__: 'batch', job: 'cron' }, timestamp: T + j * 10_000, value: j }));
  }
  return out.join('\n') + '\n';
}

test('histograms, exemplars, NaN, stale markers, metadata, mixed requests: every format as round 1', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ha-dedup-consumers-'));
  try {
    const f = join(tmp, 'rich.ndjson');
    writeFileSync(f, richInput());
    const shown = JSON.parse((await viaConsumers(options([f], { outputFormat: 'none', defaults: { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 } }))).json);
    assert.ok(shown.totals.overlap_samples > 0 && shown.totals.lost_samples > 0 && shown.totals.elections === 2, JSON.stringify(shown.totals));
    for (const format of FORMATS) {
      await same(options([f], { outputFormat: format, defaults: { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 } }), `rich ${format}`);
      await same(options([f], { outputFormat: format, defaults: { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0, perSample: true } }), `rich per-sample ${format}`);
    }
    // and the rwcap round 1 writes, read back: unchanged bodies kept byte for byte, changed ones re-encoded
    const cap = join(tmp, 'rich.rwcap');
    const w = await round1(options([f], { outputFormat: 'rwcap', defaults: { ...defaultHAConfig(), acceptHaSamples: false } }));
    writeFileSync(cap, w.output);
    for (const format of ['rwcap', 'rwcap-json', 'ndjson'] as OutputFormat[]) {
      await same(options([cap], { outputFormat: format, defaults: { ...defaultHAConfig(), updateTimeoutJitterMaxMs: 0 } }), `rich rwcap ${format}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
