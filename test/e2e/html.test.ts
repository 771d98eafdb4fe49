// End to end: the fixture's HTML report opened in a real browser (Debian's headless Chromium,
// driven over the DevTools protocol on a pipe, test/e2e/html-cdp.ts). Checks: no console error
// or exception, no network request but the page itself, every election of the fixture's Report
// present with its figures (table rows, chart markers, holes), the hover figures of a bin (the
// page's script), the zoom of an election (#e-K), the page readable with scripts disabled; and
// a screenshot (saved to the test's temp dir; `HA_DEDUP_UPDATE_SCREENSHOT=1` writes
// docs/timeline.png, the README's picture).
//
// Skipped with a reason when chromium is not on PATH, unless HA_DEDUP_REQUIRE_CHROMIUM is set
// (.ci/run sets it), which makes that a failure.
//
// The page is what the built CLI writes (`ha-dedup replay FIXTURE --output-format none --html
// FILE`); the figures it is checked against come from the same replay run in process (the
// Report, and the timeline's bins for the hover check), and the CLI's page must equal
// renderHtml of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { skipReason } from './util.js';
import { Chromium, type CdpEvent } from './html-cdp.js';
import { renderHtml } from '../../src/report/html.js';
import { electionRows } from '../../src/report/format.js';
import { electionText } from '../../src/report/svg.js';
import { TIMELINE_SLOTS, slotOf } from '../../src/report/timeline.js';
import { OUTCOME_ACCEPTED, OUTCOME_DEDUPED } from '../../src/model/index.js';
import { replayOptions, replayWithTimeline } from '../report/replay-timeline.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
// relative, as a user types it (the path is shown in the page: the golden must not hold this checkout's folder)
const FIXTURE = relative(process.cwd(), join(ROOT, 'fixtures', 'prom-ha-dev.rwcap'));
const SHOT = join(ROOT, 'docs', 'timeline.png');
const ENV = 'HA_DEDUP_REQUIRE_CHROMIUM';
const SKIP = skipReason('chromium', 'chromium', ENV);

interface Watch {
  problems: string[];
  requests: string[];
}

/** Record console errors, exceptions, log errors and every request of a page session. */
function watch(b: Chromium, sessionId: string): Watch {
  const w: Watch = { problems: [], requests: [] };
  b.on((e: CdpEvent) => {
    if (e.sessionId !== sessionId) return;
    const p = e.params as Record<string, any>;
    if (e.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert' || p.type === 'warning')) w.problems.push(`console.${p.type}: ${JSON.stringify(p.args)}`);
    if (e.method === 'Runtime.exceptionThrown') w.problems.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
    if (e.method === 'Log.entryAdded' && (p.entry?.level === 'error' || p.entry?.level === 'warning')) w.problems.push(`log ${p.entry.level}: ${p.entry.text} ${p.entry.url ?? ''}`);
    if (e.method === 'Network.requestWillBeSent') w.requests.push(String(p.request?.url));
  });
  return w;
}

async function open(b: Chromium, url: string, o: { scripts: boolean }): Promise<{ s: string; w: Watch }> {
  const s = await b.newPage();
  const w = watch(b, s);
  for (const m of ['Runtime.enable', 'Log.enable', 'Network.enable', 'Page.enable']) await b.send(m, {}, s);
  await b.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, s);
  if (!o.scripts) await b.send('Emulation.setScriptExecutionDisabled', { value: true }, s);
  const loaded = b.waitFor('Page.loadEventFired', s);
  await b.send('Page.navigate', { url }, s);
  await loaded;
  return { s, w };
}

test('the fixture HTML in headless Chromium: no errors, no network, every election with its figures, hover, zoom, no-script, screenshot', { skip: SKIP, timeout: 120_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'ha-dedup-html-'));
  let browser: Chromium | null = null;
  t.after(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const { report, timeline } = await replayWithTimeline(replayOptions([FIXTURE]));
  const file = join(tmp, 'report.html');
  const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'ha-dedup'), 'replay', FIXTURE, '--output-format', 'none', '--html', file, '-q'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(readFileSync(file, 'utf8'), renderHtml(report, timeline), 'the CLI writes the page of this Report and timeline');
  const url = pathToFileURL(file).href;

  browser = Chromium.launch('chromium', join(tmp, 'profile'));
  const b = browser;
  const { s, w } = await open(b, url, { scripts: true });

  // every election: its table row (the text report's cells), its marker and hole titles
  const rows = await b.evaluate<string[][]>(s, `[...document.querySelectorAll('tr[data-election]')].map(tr => [...tr.cells].slice(1).map(td => td.textContent))`);
  assert.deepEqual(rows, electionRows(report).map((r) => r.cells));
  const markers = await b.evaluate<{ id: string; title: string; w: number; h: number }[]>(
    s,
    `[...document.querySelectorAll('a.el[id]')].map(a => { const r = a.getBoundingClientRect(); return { id: a.id, title: a.querySelector('title').textContent, w: r.width, h: r.height }; })`,
  );
  assert.deepEqual(markers.map((m) => m.id), report.elections.map((_, i) => `m-${i + 1}`));
  report.elections.forEach((e, i) => {
    assert.equal(markers[i]!.title, electionText(report, e, i + 1));
    assert.ok(markers[i]!.h > 20, `marker ${i + 1} is drawn (${markers[i]!.w}x${markers[i]!.h})`);
  });
  const holes = await b.evaluate<{ k: string; title: string; label: string; w: number }[]>(
    s,
    `[...document.querySelectorAll('#c-0 > svg g.hole')].map(g => ({ k: g.dataset.election, title: g.querySelector('title').textContent, label: g.querySelector('text')?.textContent ?? '', w: g.getBoundingClientRect().width }))`,
  );
  const withHole = report.elections.map((e, i) => ({ e, k: String(i + 1) })).filter(({ e }) => e.previous_last_seen_ms !== null);
  assert.deepEqual(holes.map((h) => h.k), withHole.map((x) => x.k));
  for (const h of holes) {
    const e = report.elections[Number(h.k) - 1]!;
    assert.ok(h.title.endsWith(`; ${e.lost_samples} lost samples; ${e.lost_scrapes} lost scrapes`), h.title);
    assert.ok(h.label.startsWith(`${e.lost_samples} lost`), `hole label "${h.label}"`);
    assert.ok(h.w > 10, `hole ${h.k} is ${h.w} px wide`);
  }

  // hover: the tooltip gives the exact counts of the bin under the pointer (a whole-pixel
  // position whose bin, mapped as the page's script maps it, holds replica1's accepted requests)
  const lane = timeline.lanes.find((l) => l.replica === 'replica1')!;
  const box = await b.evaluate<{ left: number; top: number; width: number; height: number; t0: number; t1: number; x0: number; x1: number }>(
    s,
    `(() => { const svg = document.querySelector('#c-0 > svg'); const r = svg.getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width, height: r.height, t0: +svg.dataset.t0, t1: +svg.dataset.t1, x0: +svg.dataset.x0, x1: +svg.dataset.x1 }; })()`,
  );
  let sx = Math.ceil(box.left + (box.x0 * box.width) / 1200) + 1;
  let bin = -1;
  for (; sx < box.left + (box.x1 * box.width) / 1200; sx++) {
    const t = box.t0 + (((sx - box.left) * 1200) / box.width - box.x0) / (box.x1 - box.x0) * (box.t1 - box.t0);
    const pos = (t - timeline.originMs!) / timeline.binMs;
    const frac = pos - Math.floor(pos);
    if (frac > 0.2 && frac < 0.8 && lane.counts[Math.floor(pos) * TIMELINE_SLOTS + slotOf(OUTCOME_ACCEPTED, 'requests')]! > 0) {
      bin = Math.floor(pos);
      break;
    }
  }
  assert.ok(bin >= 0, 'a pixel over one of replica1\'s accepted bins');
  await b.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: sx, y: Math.round(box.top + box.height / 2) }, s);
  const tip = await b.evaluate<{ hidden: boolean; text: string }>(s, `({ hidden: document.getElementById('tip').hidden, text: document.getElementById('tip').textContent })`);
  assert.equal(tip.hidden, false, 'the tooltip shows');
  const base = bin * TIMELINE_SLOTS;
  const acc = lane.counts[base + slotOf(OUTCOME_ACCEPTED, 'requests')]!;
  const accS = lane.counts[base + slotOf(OUTCOME_ACCEPTED, 'samples')]!;
  assert.ok(tip.text.includes(`replica1: ${acc} accepted (${accS} samples)`), tip.text);
  const other = timeline.lanes.find((l) => l.replica === 'replica2')!;
  if (other.counts[base + slotOf(OUTCOME_DEDUPED, 'requests')]! === 0) assert.ok(!tip.text.includes('replica2'), tip.text);

  // zoom: hidden until its anchor is the target, then shown
  const z = (k: number) => b.evaluate<{ h: number; top: number }>(s, `(() => { const r = document.getElementById('e-${k}').getBoundingClientRect(); return { h: r.height, top: r.top }; })()`);
  assert.equal((await z(2)).h, 0);
  await b.evaluate(s, `document.querySelector('tr[data-election="2"] a').click()`);
  const shown = await z(2);
  assert.ok(shown.h > 100 && Math.abs(shown.top) < 5, `zoom 2 shown at the top (${JSON.stringify(shown)})`);
  assert.equal((await z(3)).h, 0);

  // screenshot of the chart with election 2's zoom open (top of the page down to the tables)
  await b.evaluate(s, `window.scrollTo(0, 0); document.getElementById('tip').hidden = true; 0`);
  const clipH = await b.evaluate<number>(s, `Math.ceil(document.getElementById('clusters').getBoundingClientRect().top)`);
  const shot = await b.send<{ data: string }>('Page.captureScreenshot', { format: 'png', clip: { x: 0, y: 0, width: 1280, height: clipH, scale: 1 } }, s);
  const png = Buffer.from(shot.data, 'base64');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 1280);
  assert.equal(png.readUInt32BE(20), clipH);
  const saved = join(tmp, 'timeline.png');
  writeFileSync(saved, png);
  if (process.env.HA_DEDUP_UPDATE_SCREENSHOT === '1') copyFileSync(saved, SHOT);

  assert.deepEqual(w.problems, [], 'no console error, exception or log error');
  assert.deepEqual(w.requests, [url], 'no request but the page itself');

  // scripts disabled: the same content, readable (chart marks and tables are static)
  const ns = await open(b, url, { scripts: false });
  const static_ = await b.evaluate<{ markers: number; rows: number; ticks: number; tipHidden: boolean; chartH: number }>(
    ns.s,
    `({ markers: document.querySelectorAll('a.el[id]').length, rows: document.querySelectorAll('tr[data-election]').length, ticks: document.querySelectorAll('#c-0 > svg path.tk').length, tipHidden: document.getElementById('tip').hidden, chartH: document.querySelector('#c-0 > svg').getBoundingClientRect().height })`,
  );
  assert.equal(static_.markers, report.elections.length);
  assert.equal(static_.rows, report.elections.length);
  assert.ok(static_.ticks >= 4, `${static_.ticks} tick rows`);
  assert.ok(static_.chartH > 100);
  assert.equal(static_.tipHidden, true);
  assert.deepEqual(ns.w.problems, []);
  assert.deepEqual(ns.w.requests, [url]);
});

test('docs/timeline.png is a PNG screenshot of the timeline, shown in the README', () => {
  const png = readFileSync(SHOT);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 1280);
  assert.ok(png.length > 20_000, `${png.length} bytes`);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /!\[[^\]]+\]\(docs\/timeline\.png\)/);
});
