// The HTML report (SPEC 12, `--report-format html` / `--html FILE`): one self-contained page
// built from the Report (every figure about elections, gaps, lost samples, counts) and the
// Timeline consumer's bins (each replica's requests over time). No network request of any kind:
// inline CSS, inline SVG, one small inline script (hover figures of the binned ticks); without
// scripts the page reads the same, every mark keeping its exact figures in an SVG <title>.
// Elections link to a zoomed chart of their own (`#e-K`, shown by CSS :target). Deterministic:
// the same inputs give the same bytes.
import type { ClusterReport, Report, TenantConfigReport } from './types.js';
import type { Timeline } from './timeline.js';
import { CLUSTER_HEAD, CLUSTER_SPAN_COLUMNS, ELECTION_HEAD, NON_HA_HEAD, clusterRows, dur, electionRows, isoUtc, nonHaRows, totalsLines, type Row } from './format.js';
import { HA_ROWS, OUTSIDE_ROWS, binsJson, clusterChart, electionText, esc, outsideChart, type NumberedElection, type Window } from './svg.js';

const CSS = `
:root{--acc:#2f9e55;--ded:#9aa4ae;--rej:#d4382f;--nonha:#7b5cc4;--pass:#2a9fb0;--lead:#3c6fd6;--hole:#f3c9c4;--ink:#1d2329;--mute:#5d6873;--line:#d9dee3}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0 auto;padding:16px 24px 48px;max-width:1280px;background:#fff}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 6px}h3{font-size:15px;margin:18px 0 6px}
p.meta,p.note{color:var(--mute);margin:2px 0}ul.totals{margin:6px 0 0;padding-left:18px}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:10px 0 0;color:var(--mute);font-size:13px}
.legend span::before{content:"";display:inline-block;width:12px;height:9px;margin-right:5px;vertical-align:middle;background:var(--c)}
.chart{width:100%;height:auto;display:block;margin:6px 0 0;font-size:11px}
.chart text{fill:var(--ink)}.axis line{stroke:var(--line)}.axis text{fill:var(--mute);text-anchor:middle}.axis text.r{text-anchor:end}
.lane-bg{fill:#f7f8fa}.lane-name{text-anchor:end;font-size:12px}.lane-name.elected{font-weight:700}
.lead{fill:var(--lead)}.tk{shape-rendering:crispEdges}.acc{fill:var(--acc)}.ded{fill:var(--ded)}.rej{fill:var(--rej)}.nonha{fill:var(--nonha)}.pass{fill:var(--pass)}
.hole rect{fill:#e8776c;fill-opacity:.28}.hole text{fill:#a3261d;text-anchor:middle;font-weight:600}
.el line{stroke:#b3261e;stroke-width:1.5;stroke-dasharray:3 2}.el text{fill:#b3261e;font-weight:600}.el:hover line{stroke-width:3}
table{border-collapse:collapse;margin:6px 0 0;font-size:13px}th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums}td.bad{color:#b3261e;font-weight:700}td.elected{color:var(--acc);font-weight:700}
.zoom{display:none;border:1px solid var(--line);border-radius:6px;padding:4px 12px 10px;margin:12px 0}.zoom:target{display:block}
#tip{position:fixed;z-index:9;pointer-events:none;background:#1d2329;color:#fff;font-size:12px;padding:5px 8px;border-radius:4px;white-space:pre;max-width:520px}
a{color:#2458c6}
`;

// The one script: the exact counts of the bin under the pointer, read from the chart's JSON block.
// (Lines indented: none may read as a module-level `var` to a line-based check of src/report.)
const SCRIPT = `
 (function(){var tip=document.getElementById('tip');if(!tip)return;
 function iso(ms){return new Date(ms).toISOString();}
 function dur(ms){var r=Math.round(Math.abs(ms)),g=ms<0?'-':'',h=Math.floor(r/3600000);r-=h*3600000;var m=Math.floor(r/60000);r-=m*60000;var x=(r/1000).toFixed(3);return h>0?g+h+'h'+String(m).padStart(2,'0')+'m'+x.padStart(6,'0')+'s':m>0?g+m+'m'+x.padStart(6,'0')+'s':g+x+'s';}
 document.querySelectorAll('svg[data-bins]').forEach(function(svg){
 var el=document.getElementById(svg.getAttribute('data-bins'));if(!el)return;var data=JSON.parse(el.textContent);
 var t0=+svg.getAttribute('data-t0'),t1=+svg.getAttribute('data-t1'),x0=+svg.getAttribute('data-x0'),x1=+svg.getAttribute('data-x1');
 function find(b,k){var lo=0,hi=b.length-1;while(lo<=hi){var m=(lo+hi)>>1;if(b[m][0]===k)return b[m];if(b[m][0]<k)lo=m+1;else hi=m-1;}return null;}
 svg.addEventListener('mousemove',function(ev){var m=svg.getScreenCTM();if(!m||data.o===null){return;}
 var p=svg.createSVGPoint();p.x=ev.clientX;p.y=ev.clientY;p=p.matrixTransform(m.inverse());
 if(p.x<x0||p.x>x1){tip.hidden=true;return;}
 var t=t0+(p.x-x0)/(x1-x0)*(t1-t0),k=Math.floor((t-data.o)/data.w),n=data.r.length;
 var lines=[iso(data.o+k*data.w)+' + '+dur(data.w)];
 data.l.forEach(function(l){var c=find(l.b,k);if(!c)return;var parts=[];
 for(var i=0;i<n;i++)if(c[1+i]||c[1+n+i])parts.push(c[1+i]+' '+data.r[i]+' ('+c[1+n+i]+' samples)');
 lines.push(l.n+': '+parts.join(', '));});
 if(lines.length===1)lines.push('no requests');
 tip.textContent=lines.join('\\n');tip.hidden=false;
 tip.style.left=Math.min(ev.clientX+14,window.innerWidth-300)+'px';tip.style.top=(ev.clientY+14)+'px';});
 svg.addEventListener('mouseleave',function(){tip.hidden=true;});});})();
`;

function table(head: readonly string[], rows: readonly Row[], firstNumeric: number, o: { span?: boolean; rowAttrs?: (i: number) => string; lead?: { head: string; cell: (i: number) => string } } = {}): string {
  const out: string[] = ['<table><thead><tr>'];
  if (o.lead) out.push(`<th>${esc(o.lead.head)}</th>`);
  for (const h of head) out.push(`<th>${esc(h)}</th>`);
  out.push('</tr></thead><tbody>');
  rows.forEach((r, ri) => {
    out.push(`<tr${o.rowAttrs ? o.rowAttrs(ri) : ''}>`);
    if (o.lead) out.push(`<td>${o.lead.cell(ri)}</td>`);
    r.cells.forEach((cell, i) => {
      let span = '';
      if (o.span && r.span !== undefined && i < CLUSTER_SPAN_COLUMNS) {
        if (r.span === 0) return;
        if (r.span > 1) span = ` rowspan="${r.span}"`;
      }
      const cls = [i >= firstNumeric ? 'n' : '', r.bad?.[i] ? 'bad' : '', r.elected && i === CLUSTER_SPAN_COLUMNS ? 'elected' : ''].filter((x) => x !== '').join(' ');
      out.push(`<td${span}${cls === '' ? '' : ` class="${cls}"`}>${esc(cell)}</td>`);
    });
    out.push('</tr>');
  });
  out.push('</tbody></table>');
  return out.join('');
}

const SETTING_KEYS: readonly (keyof TenantConfigReport)[] = [
  'accept_ha_samples',
  'accept_mixed_ha_samples',
  'ha_cluster_label',
  'ha_replica_label',
  'ha_max_clusters',
  'ha_tracker_update_timeout',
  'ha_tracker_update_timeout_jitter_max',
  'ha_tracker_failover_timeout',
  'ha_tracker_sample_failover_timeout',
];

function configSection(report: Report): string {
  const out: string[] = ['<h2 id="config">Config</h2>'];
  const c = report.config;
  if (c === null) {
    out.push('<p class="note">(not recorded)</p>');
  } else {
    const top: [string, string][] = [
      ['semantics', c.semantics],
      ['dedupe', c.dedupe],
      ['seed', String(c.seed)],
      ['tenant (for records without one)', c.tenant],
      ['clock', c.clock],
      ['delay', c.delay],
      ['output format', c.output_format],
    ];
    out.push('<table><tbody>');
    for (const [k, v] of top) out.push(`<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`);
    out.push('</tbody></table>');
    out.push('<h3>HA settings per tenant</h3><table><thead><tr><th>tenant</th>');
    for (const k of SETTING_KEYS) out.push(`<th>${esc(k)}</th>`);
    out.push('</tr></thead><tbody>');
    const rows: [string, TenantConfigReport][] = [['(defaults)', c.defaults], ...Object.keys(c.tenants).sort().map((t): [string, TenantConfigReport] => [t, c.tenants[t]!])];
    for (const [t, s] of rows) {
      out.push(`<tr><td>${esc(t)}</td>`);
      for (const k of SETTING_KEYS) out.push(`<td>${esc(String(s[k]))}</td>`);
      out.push('</tr>');
    }
    out.push('</tbody></table>');
  }
  out.push('<h3>Inputs</h3><table><thead><tr><th>path</th><th>format</th><th>records</th><th>bad records</th></tr></thead><tbody>');
  for (const i of report.inputs) out.push(`<tr><td>${esc(i.path)}</td><td>${esc(i.format)}</td><td class="n">${i.records}</td><td class="n">${i.bad_records}</td></tr>`);
  out.push('</tbody></table>');
  const k = report.clock;
  out.push(`<p class="meta">clock ${esc(k.source)}: first ${k.first_ms === null ? '-' : isoUtc(k.first_ms)}, last ${k.last_ms === null ? '-' : isoUtc(k.last_ms)}, ${k.clock_regressions} clock regressions</p>`);
  return out.join('');
}

/** The window of the whole run, from the Report's clock (widened to hold the last bin and at least 1 s). */
function runWindow(report: Report, tl: Timeline): Window | null {
  const first = report.clock.first_ms ?? tl.originMs;
  if (first === null) return null;
  const last = report.clock.last_ms ?? first;
  return { t0: first, t1: Math.max(last + tl.binMs, first + 1000) };
}

/** The zoom window of an election: the old leader's silence and as much again on each side. */
function zoomWindow(run: Window, tl: Timeline, e: { at_ms: number; previous_last_seen_ms: number | null }): Window {
  const from = e.previous_last_seen_ms ?? e.at_ms;
  const silent = Math.max(0, e.at_ms - from);
  const pad = Math.max(silent, 16 * tl.binMs, 5000);
  const t0 = Math.max(run.t0, from - pad);
  const t1 = Math.min(run.t1, e.at_ms + pad);
  return { t0, t1: Math.max(t1, t0 + 1000) };
}

function clusterSection(report: Report, tl: Timeline, c: ClusterReport, ci: number, run: Window, all: NumberedElection[]): string {
  const els = all.filter(({ e }) => e.tenant === c.tenant && e.cluster === c.cluster);
  const lanes = tl.lanes.filter((l) => l.tenant === c.tenant && l.cluster === c.cluster);
  const binsId = `bins-${ci}`;
  const name = `${c.tenant} / ${c.cluster}`;
  const out: string[] = [`<section class="cluster" id="c-${ci}">`];
  out.push(`<h2>${esc(name)}</h2>`);
  out.push(
    `<p class="meta">elected at the end: ${esc(c.elected_replica ?? '-')}; ${c.elections} elections, ${c.lost_samples} lost samples, largest gap ${dur(c.max_gap_ms)}, ${c.series} series</p>`,
  );
  const caption = `${name}: replicas over time (UTC ${isoUtc(run.t0)} to ${isoUtc(run.t1)})`;
  out.push(clusterChart(report, tl, c, lanes, els, run, { binsId, markerIdPrefix: 'm-', markerHref: '#e-', caption }));
  out.push(`<script type="application/json" id="${binsId}">${binsJson(tl, lanes.map((l) => ({ name: l.replica ?? '', lane: l })), HA_ROWS)}</script>`);
  for (const { k, e } of els) {
    const w = zoomWindow(run, tl, e);
    out.push(`<section class="zoom" id="e-${k}"><h3>${esc(electionText(report, e, k))}</h3>`);
    out.push(`<p class="meta">${esc(name)}, ${isoUtc(w.t0)} to ${isoUtc(w.t1)} (${dur(w.t1 - w.t0)}); ticks in bins of ${dur(tl.binMs)}. <a href="#c-${ci}">back to the cluster</a> · <a href="#elections">elections</a></p>`);
    out.push(clusterChart(report, tl, c, lanes, els, w, { binsId, markerIdPrefix: null, markerHref: '#e-', caption: `${name}, election ${k}` }));
    out.push('</section>');
  }
  out.push('</section>');
  return out.join('');
}

export function renderHtml(report: Report, tl: Timeline): string {
  const out: string[] = [];
  out.push('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`);
  out.push('<title>ha-dedup replay report</title>');
  out.push(`<style>${CSS}</style></head><body>`);
  out.push('<h1>ha-dedup replay report</h1>');
  const run = runWindow(report, tl);
  out.push(`<p class="meta">${esc(report.inputs.map((i) => i.path).join(', ') || '(no input)')}${run === null ? '' : `: ${isoUtc(run.t0)} to ${isoUtc(report.clock.last_ms ?? run.t0)} UTC (${dur((report.clock.last_ms ?? run.t0) - run.t0)})`}</p>`);
  out.push('<ul class="totals">');
  for (const l of totalsLines(report)) out.push(`<li>${esc(l)}</li>`);
  out.push('</ul>');
  out.push(
    '<div class="legend"><span style="--c:var(--lead)">elected</span><span style="--c:var(--acc)">accepted requests</span><span style="--c:var(--ded)">deduped</span><span style="--c:var(--rej)">rejected (too many clusters)</span><span style="--c:var(--hole)">old leader silent before an election</span><span style="--c:#b3261e">election</span><span style="--c:var(--nonha)">non-HA</span><span style="--c:var(--pass)">passthrough</span></div>',
  );
  const numbered: NumberedElection[] = report.elections.map((e, i) => ({ k: i + 1, e }));
  if (run === null) {
    out.push('<p class="note">No requests: nothing to draw.</p>');
  } else {
    out.push(`<p class="note">Time axis in UTC; ticks are requests, in bins of ${dur(tl.binMs)}. Hover a mark for its figures; click an election for a zoomed view.</p>`);
    if (report.clusters.length === 0) out.push('<p class="note">No HA clusters.</p>');
    report.clusters.forEach((c, ci) => out.push(clusterSection(report, tl, c, ci, run, numbered)));
    if (tl.tenants.length > 0) {
      out.push('<section id="outside"><h2>Outside HA</h2>');
      out.push(outsideChart(tl, report.tenants, run, { binsId: 'bins-outside', caption: `traffic outside HA per tenant (UTC ${isoUtc(run.t0)} to ${isoUtc(run.t1)})` }));
      out.push(`<script type="application/json" id="bins-outside">${binsJson(tl, tl.tenants.map((l) => ({ name: l.tenant, lane: l })), OUTSIDE_ROWS)}</script>`);
      out.push('</section>');
    }
  }

  out.push('<h2 id="clusters">Clusters</h2>');
  const cr = clusterRows(report);
  out.push(cr.length === 0 ? '<p class="note">(none)</p>' : table(CLUSTER_HEAD, cr, 3, { span: true }));
  const nr = nonHaRows(report);
  if (nr.length > 0) out.push('<h2 id="outside-ha">Outside HA</h2>', table(NON_HA_HEAD, nr, 1));
  out.push('<h2 id="elections">Elections</h2>');
  const er = electionRows(report);
  out.push(
    er.length === 0
      ? '<p class="note">(none)</p>'
      : table(ELECTION_HEAD, er, 5, {
          lead: { head: '#', cell: (i) => `<a href="#e-${i + 1}">${i + 1}</a>` },
          rowAttrs: (i) => ` id="row-e-${i + 1}" data-election="${i + 1}"`,
        }),
  );
  out.push('<h2 id="totals">Totals</h2><ul class="totals">');
  for (const l of totalsLines(report)) out.push(`<li>${esc(l)}</li>`);
  out.push('</ul>');
  if (report.bad_records.length > 0) {
    const more = report.totals.bad_records > report.bad_records.length ? `, first ${report.bad_records.length} listed` : '';
    out.push(`<h2 id="bad-records">Bad records (${report.totals.bad_records}${more})</h2><ul>`);
    for (const b of report.bad_records) out.push(`<li>${esc(`${b.input}: ${b.unit} ${b.index} at byte ${b.offset}: ${b.reason}`)}</li>`);
    out.push('</ul>');
  }
  out.push(configSection(report));
  out.push('<div id="tip" hidden></div>');
  out.push(`<script>${SCRIPT}</script>`);
  out.push('</body></html>\n');
  return out.join('\n');
}
