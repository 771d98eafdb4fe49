// kill -9 in the middle of a replay: the database opens, is consistent, and a run resumed from
// it decides exactly as one that was never interrupted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Election, Semantics } from '../../src/model/index.js';
import { createTracker, defaultHAConfig, tenantConfigs, type HATracker } from '../../src/tracker/index.js';
import { openMemoryStore, openStore } from '../../src/store/index.js';
import { createPrng } from '../../src/clock/prng.js';
import { synthRequest } from './synthetic.js';

const CHILD = fileURLToPath(new URL('./kill-child.ts', import.meta.url));

function runChildUntilKilled(file: string, semantics: Semantics): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, semantics], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n').filter((l) => l.startsWith('committed'));
      if (!killed && lines.length >= 5) {
        killed = true;
        child.kill('SIGKILL'); // in the middle of writing: it commits every 7 requests
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(Number(/committed (\d+)\n(?![\s\S]*committed)/.exec(out)?.[1] ?? 0));
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

function decideRange(tracker: HATracker, from: number, to: number): { outcomes: string[]; elections: Election[] } {
  const outcomes: string[] = [];
  const elections: Election[] = [];
  for (let i = from; i < to; i++) {
    const r = synthRequest(i);
    tracker.advance(r.now);
    outcomes.push(tracker.decide(r.tenant, r.write, r.now).outcome);
    elections.push(...tracker.drainElections());
  }
  return { outcomes, elections };
}

for (const semantics of ['cortex', 'mimir'] as Semantics[]) {
  test(`a killed run leaves a consistent database that resumes exactly [${semantics}]`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-crash-'));
    const file = join(dir, 'state.db');
    try {
      const lastReported = await runChildUntilKilled(file, semantics);
      assert.ok(lastReported >= 5 * 350, `child committed ${lastReported} requests before the kill`);

      // SQLite's own check, on a plain connection.
      const raw = new Database(file);
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      raw.close();

      const store = openStore({ path: file });
      const next = Number(store.getMeta('test.next'));
      assert.ok(next >= lastReported, `resumes at ${next}, after the last reported commit ${lastReported}`);
      assert.equal(next % 7, 0, 'the last committed transaction ends on a commit boundary');

      // The reference: one uninterrupted run over the same requests.
      const ref = createTracker({ semantics, configs: tenantConfigs(defaultHAConfig()), store: openMemoryStore(), random: createPrng(7), commitEvery: 0 });
      const end = next + 3000;
      const before = decideRange(ref, 0, next);
      const recordsAtKill = ref.records();
      const memoryAtKill = recordsAtKill.map((r) => ref.memory(r.tenant, r.cluster)).filter((m) => m !== undefined);
      const after = decideRange(ref, next, end);

      // What the killed run committed matches the reference up to that point.
      assert.deepEqual(store.loadElections(), before.elections);
      assert.deepEqual(store.loadRecords(), recordsAtKill);
      if (semantics === 'mimir') assert.deepEqual(store.loadMemory(), memoryAtKill);
      // Resume (with a different seed: the saved generator state must win) and continue.
      const resumed = createTracker({ semantics, configs: tenantConfigs(defaultHAConfig()), store, random: createPrng(999), commitEvery: 7 });
      const got = decideRange(resumed, next, end);
      assert.deepEqual(got.outcomes, after.outcomes);
      assert.deepEqual(got.elections, after.elections);
      assert.deepEqual(resumed.records(), ref.records());
      assert.ok(after.elections.length + before.elections.length > 10, 'the stream has failovers to get right');
      resumed.flush();
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
