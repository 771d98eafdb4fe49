// The HTML report on hand-made Reports and Timelines: self-contained, escaped, every chart part
// present with its figures, the text report's tables and config below, bounded size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../src/report/html.js';
import { clusterRows, electionRows } from '../../src/report/format.js';
import { TIMELINE_MAX_BINS, TimelineConsumer, type Timeline } from '../../src/report/timeline.js';
import type { Report } from '../../src/report/types.js';
import { ha, handReport, requestAt } from './timeline-events.js';

const T0 = 1_700_000_000_000;

/** Two replicas a and b of t1/c1: a leads, goes silent 40 s, b takes over at +100 s; a returns deduped. */
function story(): { report: Report; timeline: Timeline } {
  const c = new TimelineConsumer();
  for (let t = 0; t <= 200_000; t += 5000) {
    if (t <= 60_000) c.request(requestAt(T0 + t, [ha('c1', 'a', 10)], 'accepted'));
    else if (t >= 150_000) c.request(requestAt(T0 + t, [ha('c1', 'a', 10)], 'deduped'));
    c.request(requestAt(T0 + t + 1000, [ha('c1', 'b', 10)], t + 1000 >= 100_000 ? 'accepted' : 'deduped'));
  }
  c.request(requestAt(T0 + 3000, [ha('c9', 'x', 4)], 'rejected_too_many_clusters'));
  c.request(requestAt(T0 + 7000, [{ labels: { __name__: 'up' }, ts: [1, 2] }], 'non_ha'));
  const report = handReport({
    first: T0,
    last: T0 + 201_000,
    clusters: [
      {
        cluster: 'c1',
        elected_replica: 'b',
        elections: 2,
        lost_samples: 80,
        max_gap_ms: 41_000,
        replicas: [
          { replica: 'a', requests: 21, samples: 210, accepted_samples: 130, deduped_samples: 80, rejected_samples: 0, first_seen_ms: T0, last_seen_ms: T0 + 200_000 },
          { replica: 'b', requests: 41, samples: 410, accepted_samples: 1010, deduped_samples: 200, rejected_samples: 0, first_seen_ms: T0 + 1000, last_seen_ms: T0 + 201_000 },
        ],
      },
      {
        cluster: 'c9',
        replicas: [{ replica: 'x', requests: 1, samples: 4, accepted_samples: 0, deduped_samples: 0, rejected_samples: 4, first_seen_ms: T0 + 3000, last_seen_ms: T0 + 3000 }],
      },
    ],
    elections: [
      { cluster: 'c1', at_ms: T0, from: null, to: 'a' },
      { cluster: 'c1', at_ms: T0 + 101_000, from: 'a', to: 'b', previous_last_seen_ms: T0 + 60_000, gap_ms: 41_000, lost_samples: 80, lost_scrapes: 8 },
    ],
  });
  report.tenants = [{ tenant: 't1', requests: 64, samples: 626, accepted_samples: 0, deduped_samples: 0, non_ha_samples: 2, rejected_samples: 4, passthrough_samples: 0 }];
  report.config = {
    semantics: 'cortex',
    dedupe: 'per-request',
    seed: 1,
    tenant: 'anonymous',
    clock: 'received',
    delay: '0s',
    output_format: 'none',
    defaults: {
      accept_ha_samples: true,
      accept_mixed_ha_samples: false,
      ha_cluster_label: 'cluster',
      ha_replica_label: '__replica__',
      ha_max_clusters: 1,
      ha_tracker_update_timeout: '15s',
      ha_tracker_update_timeout_jitter_max: '0s',
      ha_tracker_failover_timeout: '30s',
      ha_tracker_sample_failover_timeout: '0s',
    },
    tenants: {},
    ignored_override_keys: [],
  };
  report.config.tenants.t1 = { ...report.config.defaults, ha_tracker_failover_timeout: '41s' };
  return { report, timeline: c.finish() };
}

/** The text between the start of the element with this id and the end of its section/tag. */
function sectionById(html: string, id: string): string {
  const at = html.indexOf(` id="${id}"`);
  assert.ok(at >= 0, `element #${id}`);
  const start = html.lastIndexOf('<', at);
  const end = html.indexOf('</section>', at);
  return html.slice(start, end);
}

test('self-contained: no URL, no external resource, a CSP that forbids every fetch, one small script', () => {
  const { report, timeline } = story();
  const html = renderHtml(report, timeline);
  assert.ok(html.startsWith('<!doctype html>'));
  assert.doesNotMatch(html, /:\/\//, 'no URL of any scheme');
  assert.doesNotMatch(html, /<link\b|<img\b|<iframe\b|<object\b|<embed\b|@import|url\(|\bsrc=/i);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">/);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  const code = scripts.filter((m) => m[1] === '');
  assert.equal(code.length, 1, 'one inline script');
  assert.ok(code[0]![2]!.length < 3000, `script of ${code[0]![2]!.length} bytes`);
  for (const m of scripts.filter((x) => x[1] !== '')) assert.match(m[1]!, /^ type="application\/json" id="bins-[\w-]+"$/);
  // the chart does not depend on the script: the marks are there as SVG
  assert.match(html, /<svg class="chart"/);
});

test('per cluster: a lane per replica with elected spans, ticks by outcome, markers, the shaded hole, all with their figures', () => {
  const { report, timeline } = story();
  const html = renderHtml(report, timeline);
  const c1 = sectionById(html, 'c-0');
  assert.match(c1, /<h2>t1 \/ c1<\/h2>/);
  const main = c1.slice(0, c1.indexOf('<section class="zoom"'));
  assert.equal((main.match(/<g class="lane" data-replica="/g) ?? []).length, 2);
  // elected spans: a from the first election to the second, b from there to the end
  assert.match(main, /<rect class="lead"[^>]*><title>a elected from 2023-11-14T22:13:20.000Z to 2023-11-14T22:15:01.000Z \(1m41.000s\)<\/title>/);
  assert.match(main, /<title>b elected from 2023-11-14T22:15:01.000Z to the end, 2023-11-14T22:16:41.000Z \(1m40.000s\)<\/title>/);
  // ticks: a accepted then deduped; b deduped then accepted; counts from the timeline
  assert.match(main, /<path class="tk acc" d="M[^"]+"><title>c1 \/ a, accepted: 13 requests, 130 samples \(bins of 0\.128s\)<\/title>/);
  assert.match(main, /<path class="tk ded" d="M[^"]+"><title>c1 \/ a, deduped: 11 requests, 110 samples/);
  assert.match(main, /<path class="tk acc" d="M[^"]+"><title>c1 \/ b, accepted: 21 requests/);
  // markers: numbered, linked to their zoom, titled with the figures
  assert.match(main, /<a href="#e-2" id="m-2" class="el" data-election="2"><line [^>]+\/><text [^>]+>2 a → b<\/text><title>Election 2: a → b at 2023-11-14T22:15:01.000Z \(\+1m41\.000s\); old leader silent 41\.000s; gap 41\.000s; 80 lost samples; 8 lost scrapes<\/title><\/a>/);
  assert.match(main, /<a href="#e-1" id="m-1" class="el" data-election="1">.*?1 \(none\) → a<\/text>/);
  // the hole: from the old leader's last request to the election, labelled
  assert.match(main, /<g class="hole" data-election="2"><rect [^>]+\/><text [^>]+>80 lost, 8 scrapes<\/text><title>Hole before election 2: a silent from 2023-11-14T22:14:20.000Z to 2023-11-14T22:15:01.000Z \(41\.000s\); gap 41\.000s; 80 lost samples; 8 lost scrapes<\/title><\/g>/);
  // the rejected cluster's lane
  const c9 = sectionById(html, 'c-1');
  assert.match(c9, /<path class="tk rej" d="M[^"]+"><title>c9 \/ x, rejected \(too many clusters\): 1 requests, 4 samples/);
  // outside HA: one lane per tenant
  const out = sectionById(html, 'outside');
  assert.match(out, /<g class="lane" data-tenant="t1">/);
  assert.match(out, /<path class="tk nonha" d="M[^"]+"><title>t1 \(outside HA\), non-HA: 1 requests, 2 samples/);
  // the axis is UTC
  assert.match(main, /<g class="axis"><line [^>]+\/><text [^>]+>22:13:30<\/text>/);
});

test('elections: the table links each to a zoomed chart of its own (#e-K), which links back', () => {
  const { report, timeline } = story();
  const html = renderHtml(report, timeline);
  for (let k = 1; k <= report.elections.length; k++) {
    assert.match(html, new RegExp(`<tr id="row-e-${k}" data-election="${k}"><td><a href="#e-${k}">${k}</a></td>`));
    const zoom = sectionById(html, `e-${k}`);
    assert.match(zoom, /^<section class="zoom" id="e-\d+"><h3>Election \d+: /);
    assert.match(zoom, /<a href="#c-0">back to the cluster<\/a>/);
    assert.match(zoom, /<svg class="chart"/);
    assert.doesNotMatch(zoom, / id="m-/, 'marker ids only in the main chart');
  }
  // the zoom of election 2 spans the hole (41 s) and as much again each side: 22:13:39 to 22:15:42
  const z2 = sectionById(html, 'e-2');
  assert.match(z2, /data-t0="1700000019000" data-t1="1700000142000"/);
  assert.match(html, /\.zoom\{display:none;[^}]*\}\.zoom:target\{display:block\}/);
});

test('below the chart: the text report tables (same rows), totals and the config', () => {
  const { report, timeline } = story();
  const html = renderHtml(report, timeline);
  const tables = html.slice(html.indexOf('<h2 id="clusters">'));
  for (const r of clusterRows(report)) for (const cell of r.cells.filter((c) => c !== '')) assert.ok(tables.includes(`>${cell}</td>`), `cluster cell ${cell}`);
  electionRows(report).forEach((r, i) => {
    const row = new RegExp(`<tr id="row-e-${i + 1}"[^>]*>(.*?)</tr>`).exec(tables);
    assert.ok(row, `election row ${i + 1}`);
    const cells = [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/&gt;/g, '>'));
    assert.deepEqual(cells, [String(i + 1), ...r.cells]);
  });
  assert.match(tables, /<td rowspan="2">t1<\/td><td rowspan="2">c1<\/td><td rowspan="2">b<\/td>/);
  assert.match(tables, /<td rowspan="2" class="n bad">80<\/td>/);
  assert.match(tables, /<h2 id="totals">Totals<\/h2><ul class="totals">\n<li>0 requests, 0 samples/);
  const config = tables.slice(tables.indexOf('<h2 id="config">'));
  assert.match(config, /<tr><th>semantics<\/th><td>cortex<\/td><\/tr>/);
  assert.match(config, /<tr><td>\(defaults\)<\/td><td>true<\/td><td>false<\/td><td>cluster<\/td><td>__replica__<\/td><td>1<\/td><td>15s<\/td><td>0s<\/td><td>30s<\/td><td>0s<\/td><\/tr>/);
  assert.match(config, /<tr><td>t1<\/td>(<td>[^<]*<\/td>){7}<td>41s<\/td>/);
  assert.match(config, /<tr><td>in\.rwcap<\/td><td>rwcap<\/td>/);
});

test('label values and paths are escaped everywhere, the JSON blocks cannot close their element', () => {
  const evil = `</script><script>alert("x")</script>&'`;
  const c = new TimelineConsumer();
  c.request(requestAt(T0, [ha(evil, evil, 1)], 'accepted', evil));
  c.request(requestAt(T0 + 1, [{ labels: { __name__: 'up' }, ts: [1] }], 'non_ha', evil));
  const report = handReport({
    first: T0,
    last: T0 + 1,
    clusters: [{ tenant: evil, cluster: evil, elected_replica: evil, replicas: [{ replica: evil, requests: 1, samples: 1, accepted_samples: 1, deduped_samples: 0, rejected_samples: 0, first_seen_ms: T0, last_seen_ms: T0 }] }],
    elections: [{ tenant: evil, cluster: evil, at_ms: T0, from: null, to: evil }],
  });
  report.inputs[0]!.path = evil;
  report.tenants = [{ tenant: evil, requests: 2, samples: 2, accepted_samples: 1, deduped_samples: 0, non_ha_samples: 1, rejected_samples: 0, passthrough_samples: 0 }];
  const html = renderHtml(report, c.finish());
  assert.doesNotMatch(html, /<script>alert/);
  assert.equal((html.match(/<\/script>/g) ?? []).length, (html.match(/<script\b/g) ?? []).length);
  assert.match(html, /&lt;\/script&gt;&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&#39;/);
  const json = /<script type="application\/json" id="bins-0">([^<]*)<\/script>/.exec(html);
  assert.ok(json, 'the bins block holds no <');
  assert.equal(JSON.parse(json[1]!).l[0].n, evil);
});

test('ticks: at most one mark per bin, so at most TIMELINE_MAX_BINS per lane row, however many requests', () => {
  const c = new TimelineConsumer();
  // 4 requests in every other bin-sized step over a long span: no two non-empty bins touch
  for (let i = 0; i < 40_000; i++) c.request(requestAt(T0 + i * 1000, [ha('c1', 'a')], 'accepted'));
  const tl = c.finish();
  const report = handReport({ first: T0, last: T0 + 40_000_000, clusters: [{ cluster: 'c1', elected_replica: 'a', replicas: [{ replica: 'a', requests: 40_000, samples: 40_000, accepted_samples: 40_000, deduped_samples: 0, rejected_samples: 0, first_seen_ms: T0, last_seen_ms: T0 + 40_000_000 }] }], elections: [] });
  const html = renderHtml(report, tl);
  const main = sectionById(html, 'c-0');
  const path = /<path class="tk acc" d="([^"]+)"/.exec(main)![1]!;
  const marks = (path.match(/M/g) ?? []).length;
  assert.ok(marks >= 1 && marks <= TIMELINE_MAX_BINS, `${marks} marks`);
  assert.ok(tl.lanes[0]!.bins <= TIMELINE_MAX_BINS);
});

test('size stays bounded by lanes x bins and elections (worst case: every bin its own mark, 12 lanes, 300 elections)', () => {
  const c = new TimelineConsumer();
  const span = 6 * 3_600_000;
  const bin = 16_384; // the grid's bin for a 6 h span
  const clusters = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  for (let b = 0; b < span / bin; b += 2) {
    for (const cl of clusters) {
      c.request(requestAt(T0 + b * bin, [ha(cl, 'r0', 500)], b % 4 === 0 ? 'accepted' : 'deduped'));
      c.request(requestAt(T0 + b * bin + 1, [ha(cl, 'r1', 500)], b % 4 === 0 ? 'deduped' : 'accepted'));
    }
  }
  const tl = c.finish();
  const els = clusters.flatMap((cl) => Array.from({ length: 50 }, (_, i) => ({ cluster: cl, at_ms: T0 + i * 400_000, from: i === 0 ? null : i % 2 ? 'r0' : 'r1', to: i % 2 ? 'r1' : 'r0', previous_last_seen_ms: i === 0 ? null : T0 + i * 400_000 - 40_000, gap_ms: 40_000, lost_samples: 1000, lost_scrapes: 3 })));
  const report = handReport({ first: T0, last: T0 + span, clusters: clusters.map((cl) => ({ cluster: cl, elected_replica: 'r0', replicas: [] })), elections: els });
  const html = renderHtml(report, tl);
  assert.ok(html.length < 5_000_000, `${html.length} bytes`);
  assert.ok(html.length > 1_000_000, `the case is a heavy one (${html.length} bytes)`);
  console.log(`# worst case: ${html.length} bytes`);
});

test('deterministic: the same inputs give the same bytes', () => {
  const a = story();
  const b = story();
  assert.equal(renderHtml(a.report, a.timeline), renderHtml(b.report, b.timeline));
});

test('no requests: a page with the tables and a note, no chart', () => {
  const report = handReport({ first: 0, last: 0, clusters: [], elections: [] });
  report.clock.first_ms = null;
  report.clock.last_ms = null;
  const html = renderHtml(report, new TimelineConsumer().finish());
  assert.match(html, /No requests: nothing to draw/);
  assert.doesNotMatch(html, /<svg/);
  assert.match(html, /<h2 id="clusters">Clusters<\/h2>\n<p class="note">\(none\)<\/p>/);
});

test('an election near the right edge is labelled to the left of its marker, not cut', () => {
  const c = new TimelineConsumer();
  c.request(requestAt(T0, [ha('c1', 'a')], 'accepted'));
  const report = handReport({
    first: T0,
    last: T0 + 100_000,
    clusters: [{ cluster: 'c1', elected_replica: 'b', replicas: [] }],
    elections: [
      { cluster: 'c1', at_ms: T0, from: null, to: 'a' },
      { cluster: 'c1', at_ms: T0 + 99_000, from: 'a-long-replica-name', to: 'b-long-replica-name' },
    ],
  });
  const main = sectionById(renderHtml(report, c.finish()), 'c-0');
  assert.match(main, /<text x="[\d.]+" y="\d+" text-anchor="end">2 a-long-replica-name → b-long-replica-name<\/text>/);
  assert.match(main, /<text x="[\d.]+" y="\d+">1 \(none\) → a<\/text>/);
});

test('an axis label at the right edge ends at its line instead of running off the chart', () => {
  const c = new TimelineConsumer();
  c.request(requestAt(T0 + 1000, [ha('c1', 'a')], 'accepted'));
  // 22:13:21 to 22:14:00: the 22:14:00 line sits at the right edge
  const report = handReport({ first: T0 + 1000, last: T0 + 40_000 - 1, clusters: [{ cluster: 'c1', elected_replica: 'a', replicas: [] }], elections: [] });
  const main = sectionById(renderHtml(report, c.finish()), 'c-0');
  assert.match(main, /<text x="[\d.]+" y="\d+" class="r">22:14:00<\/text>/);
  assert.match(main, /<text x="[\d.]+" y="\d+">22:13:25<\/text>/);
});
