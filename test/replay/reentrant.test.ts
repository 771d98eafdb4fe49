// Issue 15.3: replays share a process without sharing state. Different replays (inputs, models,
// dedupe modes, output formats, stores) run interleaved in this process — started together, each
// yielding at every chunk of input it reads — and must give byte for byte what each gives as a
// process of its own (bin/ha-dedup, run one at a time). A module-level cache, scratch buffer or
// out-parameter shared between runs shows up here as a difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, runCliBytes } from '../cli/run.js';

const FIXTURE = `${ROOT}/fixtures/prom-ha-dev.rwcap`;
const SCEN = `${ROOT}/fixtures/scenarios`;

function runs(dir: string): string[][] {
  return [
    ['replay', FIXTURE, '--semantics', 'cortex', '-o', join(dir, 'a.ndjson'), '--report', join(dir, 'a.json'), '--report-format', 'json'],
    ['replay', FIXTURE, '--semantics', 'mimir', '--dedupe', 'per-sample', '--output-format', 'rwcap', '-o', join(dir, 'b.rwcap'), '--report', join(dir, 'b.json'), '--report-format', 'json', '--db', join(dir, 'b.db')],
    ['replay', `${SCEN}/per-sample-mixed/input.ndjson`, '--update-timeout-jitter-max', '0s', '--dedupe', 'per-sample', '--output-format', 'vm-json', '--report', join(dir, 'c.md'), '--report-format', 'markdown'],
    ['replay', `${SCEN}/overrides-custom-labels/input.ndjson`, '--update-timeout-jitter-max', '0s', '--overrides', `${SCEN}/overrides-custom-labels/overrides.yaml`, '--failover-timeout', '45s'],
    ['replay', FIXTURE, '--semantics', 'mimir', '--failover-timeout', '10s', '--update-timeout', '2s', '--update-timeout-jitter-max', '1s', '--output-format', 'vm-json', '-o', join(dir, 'e.json')],
  ];
}

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Every file a run left in dir except SQLite files (their pages hold no figure of the run). */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (/\.db(-wal|-shm|-journal)?$/.test(f)) continue;
    out[f] = readFileSync(join(dir, f)).toString('base64');
  }
  return out;
}

test('different replays interleaved in one process give what each gives as its own process', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-reentrant-'));
  try {
    const separate: Outcome[] = [];
    for (const args of runs(dir)) {
      const r = spawnSync(BIN, args, { encoding: 'buffer', maxBuffer: 1 << 28 });
      separate.push({ status: r.status ?? -1, stdout: r.stdout.toString('base64'), stderr: r.stderr.toString('utf8') });
    }
    const separateFiles = files(dir);
    assert.equal(separate.every((o) => o.status === 0), true, separate.map((o) => o.stderr).join('\n'));
    assert.ok(Object.keys(separateFiles).length >= 6, `the runs wrote their files: ${Object.keys(separateFiles).join(', ')}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);

    const together = await Promise.all(runs(dir).map((args) => runCliBytes(args)));
    const interleaved: Outcome[] = together.map((r) => ({ status: r.status, stdout: r.stdout.toString('base64'), stderr: r.stderr.toString('utf8') }));
    assert.deepEqual(interleaved, separate);
    assert.deepEqual(files(dir), separateFiles);

    // and once more in the other order of start, against the same answers
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const reversed = await Promise.all(runs(dir).reverse().map((args) => runCliBytes(args)));
    assert.deepEqual(
      reversed.reverse().map((r) => ({ status: r.status, stdout: r.stdout.toString('base64'), stderr: r.stderr.toString('utf8') })),
      separate,
    );
    assert.deepEqual(files(dir), separateFiles);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
