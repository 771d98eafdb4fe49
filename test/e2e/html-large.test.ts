// The HTML report of the ~10^7-sample bench capture stays under 5 MB (issue 16: "large captures
// stay usable"), written by the built CLI as a user asks for it (`replay FILE --output-format
// none --html FILE`). It replays 10^7 samples (~25 s, ~200 MiB on the development machine), so
// it runs only when asked: HA_DEDUP_HTML_LARGE=1 and a capture in bench/data/ (`node bench/gen.mjs
// large` makes one). The bound it shows by construction (at most TIMELINE_MAX_BINS marks per
// lane row) is tested on every run by test/report/html.test.ts's worst case; `npm run bench --
// --large` has the same check as a row (case html).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { TIMELINE_MAX_BINS } from '../../src/report/timeline.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATA = join(ROOT, 'bench', 'data');
const large = existsSync(DATA) ? readdirSync(DATA).filter((f) => /^large-.*\.rwcap$/.test(f)).sort() : [];
const SKIP =
  process.env.HA_DEDUP_HTML_LARGE !== '1'
    ? 'replays 10^7 samples (~25 s): set HA_DEDUP_HTML_LARGE=1 to run it'
    : large.length === 0
      ? 'no bench/data/large-*.rwcap (node bench/gen.mjs large makes one)'
      : false;

test('the HTML of the 10^7-sample bench capture is under 5 MB', { skip: SKIP, timeout: 300_000 }, () => {
  const file = relative(ROOT, join(DATA, large[0]!));
  const tmp = mkdtempSync(join(tmpdir(), 'ha-dedup-html-large-'));
  try {
    const page = join(tmp, 'r.html');
    const json = join(tmp, 'r.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ha-dedup'), 'replay', file, '--output-format', 'none', '--report', json, '--html', page, '-q'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.ok(report.totals.samples > 5_000_000, `${report.totals.samples} samples`);
    const html = readFileSync(page, 'utf8');
    const bytes = statSync(page).size;
    // every election has its zoom section; every lane's bins are at most TIMELINE_MAX_BINS
    assert.equal((html.match(/<section class="zoom" id="e-\d+">/g) ?? []).length, report.elections.length);
    let lanes = 0;
    let binMs = 0;
    for (const m of html.matchAll(/<script type="application\/json" id="bins-[^"]+">([^<]*)<\/script>/g)) {
      const data = JSON.parse(m[1]!) as { w: number; l: { b: number[][] }[] };
      binMs = data.w;
      for (const l of data.l) {
        lanes++;
        for (const b of l.b) assert.ok(b[0]! >= 0 && b[0]! < TIMELINE_MAX_BINS, `bin ${b[0]}`);
      }
    }
    assert.ok(lanes >= report.clusters.length * 2, `${lanes} lanes`);
    console.log(`# ${file}: ${report.totals.samples} samples, ${lanes} lanes, bins of ${binMs} ms, ${report.elections.length} elections: HTML ${bytes} bytes`);
    assert.ok(bytes < 5_000_000, `${bytes} bytes`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
