// A whole replay over an asynchronous store port (kv-adapter.ts, shaped like a network KV): the
// same report and output as SQLite (the default) and the map adapter, commits as batches, and a
// capture replayed in two runs on one KV resumes exactly where the first stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Semantics } from '../../src/model/index.js';
import { defaultHAConfig } from '../../src/tracker/index.js';
import { runReplay, type ReplayOptions } from '../../src/pipeline/replay.js';
import type { StatePort } from '../../src/store/index.js';
import { newKvServer, openKvStore } from './kv-adapter.js';
import { synthRequest } from './synthetic.js';

const N = 2400; // 100 simulated minutes: failovers, cleanups (marks and deletions), mimir passes

/** The synthetic stream as ndjson lines (one request per line). */
function lines(from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const { now, tenant, write } = synthRequest(i);
    const s = write.timeseries[0]!;
    out.push(JSON.stringify({ tenant, received_at_ms: now, labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])), timestamp: s.samples[0]!.timestamp, value: s.samples[0]!.value }));
  }
  return out.join('\n') + '\n';
}

function options(input: string, semantics: Semantics, store: ReplayOptions['store']): ReplayOptions {
  return {
    inputs: [input],
    format: 'ndjson',
    tenant: 'anonymous',
    clock: null,
    delayMs: 0,
    semantics,
    seed: 3,
    defaults: defaultHAConfig(),
    overrides: null,
    db: null,
    store,
    outputFormat: 'ndjson',
    strict: false,
    maxDecodedSize: 64 << 20,
  };
}

async function replay(input: string, semantics: Semantics, store: ReplayOptions['store']): Promise<{ report: string; output: string }> {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const warnings: string[] = [];
  const { report } = await runReplay(options(input, semantics, store), { output, warn: (l) => warnings.push(l) });
  assert.deepEqual(warnings, []);
  return { report: JSON.stringify(report), output: Buffer.concat(chunks).toString('utf8') };
}

for (const semantics of ['cortex', 'mimir'] as const) {
  test(`a replay over an async KV port decides, reports and writes as over SQLite and the map adapter; two runs on one KV resume exactly [${semantics}]`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-port-'));
    try {
      const whole = join(dir, 'whole.ndjson');
      const first = join(dir, 'first.ndjson');
      const second = join(dir, 'second.ndjson');
      writeFileSync(whole, lines(0, N));
      writeFileSync(first, lines(0, N / 2));
      writeFileSync(second, lines(N / 2, N));

      const sqlite = await replay(whole, semantics, 'sqlite');
      const map = await replay(whole, semantics, 'memory');
      const server = newKvServer();
      const port: StatePort = openKvStore(server);
      const kv = await replay(whole, semantics, port);
      assert.equal(map.report, sqlite.report);
      assert.equal(kv.report, sqlite.report);
      assert.equal(kv.output, sqlite.output);
      const report = JSON.parse(kv.report) as { totals: { requests: number; elections: number; deduped_samples: number } };
      assert.equal(report.totals.requests, N);
      assert.ok(report.totals.elections >= 4, `elections: ${report.totals.elections}`);
      assert.ok(report.totals.deduped_samples > 0);
      // commits every 1000 requests and at the end, each one transaction
      assert.equal(server.txns, Math.floor(N / 1000) + 1);
      const state = await port.load();
      await port.close();
      assert.equal(state.elections.length, report.totals.elections);
      assert.equal(state.meta.find(([k]) => k === 'tracker.semantics')?.[1], semantics);

      // The same capture in two runs, each a new client of one KV server.
      const server2 = newKvServer();
      const a = openKvStore(server2);
      const r1 = await replay(first, semantics, a);
      await a.close();
      const b = openKvStore(server2);
      const r2 = await replay(second, semantics, b);
      const resumed = await b.load();
      await b.close();
      assert.equal(r1.output + r2.output, kv.output);
      assert.deepEqual(resumed.records, state.records);
      assert.deepEqual(resumed.memory, state.memory);
      assert.deepEqual(resumed.elections, state.elections);
      assert.deepEqual(resumed.meta, state.meta);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
