// The HTML report of the bundled fixture: built from the same Report as the table and JSON
// (a replay with the timeline consumer among its consumers gives the Report of one without),
// timeline lanes that agree with the Report's counts, and a golden file (same input, same
// bytes; test/cli/html.test.ts checks the CLI writes exactly it). Regenerate the golden on purpose:
//   HA_DEDUP_REGEN=1 node scripts/test.mjs test/report/html-fixture
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { OUTCOMES, OUTCOME_ACCEPTED, OUTCOME_DEDUPED } from '../../src/model/index.js';
import { defaultHAConfig } from '../../src/tracker/index.js';
import { runReplay } from '../../src/pipeline/replay.js';
import { renderJson } from '../../src/report/index.js';
import { renderHtml } from '../../src/report/html.js';
import { TIMELINE_SLOTS, slotOf, type TimelineLane } from '../../src/report/timeline.js';
import { replayOptions, replayWithTimeline } from './replay-timeline.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
// relative, as a user types it (the path is shown in the page: the golden must not hold this checkout's folder)
const FIXTURE = relative(process.cwd(), join(ROOT, 'fixtures', 'prom-ha-dev.rwcap'));
export const HTML_GOLDEN = join(ROOT, 'fixtures', 'html', 'prom-ha-dev.html');

function sum(l: TimelineLane, what: 'requests' | 'samples'): number {
  let s = 0;
  for (let b = 0; b < l.bins; b++) for (let o = 0; o < OUTCOMES.length; o++) s += l.counts[b * TIMELINE_SLOTS + slotOf(o, what)]!;
  return s;
}

const RUNS = [{ semantics: 'cortex' }, { semantics: 'mimir' }, { semantics: 'cortex', perSample: true }, { semantics: 'mimir', perSample: true }] as const;
for (const run of RUNS) {
  const name = `${run.semantics}${'perSample' in run ? ', per sample' : ''}`;
  test(`${name}: the Report with the timeline consumer is the Report without it, and the timeline's lanes add up to its counts`, async () => {
    const opts = replayOptions([FIXTURE], { semantics: run.semantics, defaults: { ...defaultHAConfig(), perSample: 'perSample' in run } });
    const { report, timeline } = await replayWithTimeline(opts);
    const plain = await runReplay(opts, { output: null, warn: () => {} });
    assert.equal(renderJson(report), renderJson(plain.report));
    assert.ok(report.elections.length > 0 && report.totals.deduped_samples > 0, 'the fixture has elections and deduped samples');
    const c = report.clusters[0]!;
    assert.equal(timeline.lanes.length, c.replicas.length);
    for (const r of c.replicas) {
      const lane = timeline.lanes.find((l) => l.replica === r.replica)!;
      assert.equal(sum(lane, 'requests'), r.requests, `${r.replica} requests`);
      assert.equal(sum(lane, 'samples'), r.samples, `${r.replica} samples`);
      const by = (o: number) => {
        let n = 0;
        for (let b = 0; b < lane.bins; b++) n += lane.counts[b * TIMELINE_SLOTS + slotOf(o, 'samples')]!;
        return n;
      };
      assert.equal(by(OUTCOME_ACCEPTED), r.accepted_samples, `${r.replica} accepted samples`);
      assert.equal(by(OUTCOME_DEDUPED), r.deduped_samples, `${r.replica} deduped samples`);
    }
    const outside = timeline.tenants.reduce((n, l) => n + sum(l, 'requests'), 0);
    assert.equal(outside + c.replicas.reduce((n, r) => n + r.requests, 0), report.totals.requests);
  });
}

test('the fixture HTML: every election with its figures, and the golden bytes', async () => {
  const { report, timeline } = await replayWithTimeline(replayOptions([FIXTURE]));
  const html = renderHtml(report, timeline);
  assert.equal(renderHtml(report, timeline), html);
  report.elections.forEach((e, i) => {
    const k = i + 1;
    assert.ok(html.includes(`id="m-${k}"`), `marker ${k}`);
    assert.ok(html.includes(`id="e-${k}"`), `zoom ${k}`);
    assert.ok(html.includes(`; ${e.lost_samples} lost samples; ${e.lost_scrapes} lost scrapes</title>`), `figures of ${k}`);
  });
  if (process.env.HA_DEDUP_REGEN === '1') writeFileSync(HTML_GOLDEN, html);
  assert.equal(html, readFileSync(HTML_GOLDEN, 'utf8'), 'regenerate on purpose with HA_DEDUP_REGEN=1');
});
