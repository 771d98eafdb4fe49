// The HTML report of the ~10^7-sample bench capture stays under 5 MB (issue 16: "large captures
// stay usable"). It replays 10^7 samples (~20 s, ~170 MiB on the development machine), so it
// runs only when asked: HA_DEDUP_HTML_LARGE=1 and a capture in bench/data/ (`node bench/gen.mjs
// large` makes one). The bound it shows by construction (at most TIMELINE_MAX_BINS marks per
// lane row) is tested on every run by test/report/html.test.ts's worst case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { renderHtml } from '../../src/report/html.js';
import { TIMELINE_MAX_BINS } from '../../src/report/timeline.js';
import { replayOptions, replayWithTimeline } from '../report/replay-timeline.js';

const DATA = join(resolve(import.meta.dirname, '..', '..'), 'bench', 'data');
const large = existsSync(DATA) ? readdirSync(DATA).filter((f) => /^large-.*\.rwcap$/.test(f)).sort() : [];
const SKIP =
  process.env.HA_DEDUP_HTML_LARGE !== '1'
    ? 'replays 10^7 samples (~20 s): set HA_DEDUP_HTML_LARGE=1 to run it'
    : large.length === 0
      ? 'no bench/data/large-*.rwcap (node bench/gen.mjs large makes one)'
      : false;

test('the HTML of the 10^7-sample bench capture is under 5 MB', { skip: SKIP, timeout: 300_000 }, async () => {
  const file = relative(process.cwd(), join(DATA, large[0]!));
  const { report, timeline } = await replayWithTimeline(replayOptions([file]));
  assert.ok(report.totals.samples > 5_000_000, `${report.totals.samples} samples`);
  for (const l of timeline.lanes) assert.ok(l.bins <= TIMELINE_MAX_BINS);
  const bytes = Buffer.byteLength(renderHtml(report, timeline));
  console.log(`# ${file}: ${report.totals.samples} samples, ${timeline.lanes.length} lanes, bins of ${timeline.binMs} ms, ${report.elections.length} elections: HTML ${bytes} bytes`);
  assert.ok(bytes < 5_000_000, `${bytes} bytes`);
});
