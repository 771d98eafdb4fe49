// The timeline charts of the HTML report, as inline SVG text. Pure: the same Report and Timeline
// give the same bytes (coordinates rounded to 0.1 px, no clock, no locale).
//
// One chart per cluster: a UTC time axis, one lane per replica holding its elected spans (a bar
// along the top of the lane, from the Report's elections) and its request ticks (from the
// Timeline's bins) in one row per outcome: accepted, deduped, rejected. Each election is a
// vertical marker labelled "K from → to"; the hole before it (from the old leader's last request
// to the election, both from the Report) is shaded, labelled with its lost samples and scrapes.
// Every mark has a <title> with its exact figures; ticks, binned, carry their lane's totals and
// the page's small script reads the exact per-bin counts from a JSON block on hover.
import type { ClusterReport, ElectionReport, Report, TenantReport } from './types.js';
import { OUTCOME_ACCEPTED, OUTCOME_DEDUPED, OUTCOME_NON_HA, OUTCOME_PASSTHROUGH, OUTCOME_REJECTED } from '../model/index.js';
import { TIMELINE_SLOTS, slotOf, type Timeline, type TimelineLane } from './timeline.js';
import { dur, isoUtc, sinceStart } from './format.js';

const VIEW_W = 1200;
const PLOT_X0 = 170;
const PLOT_X1 = 1185;
const AXIS_H = 26;
const LABEL_ROW_H = 14;
const LABEL_ROWS = 3;
const LANE_H = 34;
const ROW_H = 6;
const GAP_ROW_H = 18;
/** Narrowest tick drawn, px (a bin narrower than that still shows). */
const MIN_TICK = 1.2;
/** Rough width of one character of the 11 px labels, px (to keep labels from overlapping). */
const CHAR_W = 6.4;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A coordinate rounded to 0.1 px, as short text. */
function f(x: number): string {
  const r = Math.round(x * 10) / 10;
  return String(r === 0 ? 0 : r);
}

/** One tick row of a lane: which outcome, its CSS class and its name in titles. */
interface TickRow {
  outcome: number;
  cls: string;
  name: string;
}
export const HA_ROWS: readonly TickRow[] = [
  { outcome: OUTCOME_ACCEPTED, cls: 'acc', name: 'accepted' },
  { outcome: OUTCOME_DEDUPED, cls: 'ded', name: 'deduped' },
  { outcome: OUTCOME_REJECTED, cls: 'rej', name: 'rejected (too many clusters)' },
];
export const OUTSIDE_ROWS: readonly TickRow[] = [
  { outcome: OUTCOME_NON_HA, cls: 'nonha', name: 'non-HA' },
  { outcome: OUTCOME_PASSTHROUGH, cls: 'pass', name: 'passthrough' },
];

/** The time window a chart shows and its mapping to x. */
export interface Window {
  t0: number;
  t1: number;
}

function xOf(w: Window, t: number): number {
  return PLOT_X0 + ((t - w.t0) / (w.t1 - w.t0)) * (PLOT_X1 - PLOT_X0);
}

const clampX = (x: number) => Math.min(PLOT_X1, Math.max(PLOT_X0, x));

const STEPS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000,
];

/** The UTC axis: grid lines and labels, about 6 to 10 of them. */
function axis(w: Window, bottom: number): string {
  const span = w.t1 - w.t0;
  const step = STEPS.find((s) => span / s <= 9) ?? Math.ceil(span / 9 / 86_400_000) * 86_400_000;
  const out: string[] = [`<g class="axis">`];
  for (let t = Math.ceil(w.t0 / step) * step; t <= w.t1; t += step) {
    const x = f(xOf(w, t));
    const iso = isoUtc(t);
    const label = step >= 86_400_000 ? iso.slice(0, 10) : step >= 1000 ? iso.slice(11, 19) : iso.slice(11, 23);
    // a label that would run past the right edge ends at its line instead of centring on it
    const end = xOf(w, t) + (label.length * CHAR_W) / 2 > VIEW_W ? ' class="r"' : '';
    out.push(`<line x1="${x}" y1="${AXIS_H - 6}" x2="${x}" y2="${bottom}"/><text x="${x}" y="${AXIS_H - 10}"${end}>${label}</text>`);
  }
  out.push('</g>');
  return out.join('');
}

/** Requests / samples of one outcome over a lane (for its titles). */
function laneTotals(lane: TimelineLane, outcome: number): { requests: number; samples: number } {
  let requests = 0;
  let samples = 0;
  const r = slotOf(outcome, 'requests');
  const s = slotOf(outcome, 'samples');
  for (let b = 0; b < lane.bins; b++) {
    requests += lane.counts[b * TIMELINE_SLOTS + r]!;
    samples += lane.counts[b * TIMELINE_SLOTS + s]!;
  }
  return { requests, samples };
}

/**
 * The tick rows of one lane inside window `w`: runs of consecutive bins holding requests of an
 * outcome become one rect each (a long steady sender is one bar at coarse bins, separate ticks
 * at fine ones).
 */
function ticks(tl: Timeline, lane: TimelineLane, rows: readonly TickRow[], w: Window, y: number, who: string, binText: string): string {
  if (tl.originMs === null) return '';
  const out: string[] = [];
  const o = tl.originMs;
  const bw = tl.binMs;
  const first = Math.max(0, Math.floor((w.t0 - o) / bw));
  const last = Math.min(lane.bins - 1, Math.floor((w.t1 - o) / bw));
  rows.forEach((row, ri) => {
    const tot = laneTotals(lane, row.outcome);
    if (tot.requests === 0 && tot.samples === 0) return;
    const slot = slotOf(row.outcome, 'requests');
    const ry = y + 10 + ri * (ROW_H + 2);
    let d = '';
    let b = first;
    while (b <= last) {
      if (lane.counts[b * TIMELINE_SLOTS + slot]! === 0) {
        b++;
        continue;
      }
      let e = b;
      while (e + 1 <= last && lane.counts[(e + 1) * TIMELINE_SLOTS + slot]! > 0) e++;
      const x0 = clampX(xOf(w, o + b * bw));
      let x1 = clampX(xOf(w, o + (e + 1) * bw));
      if (x1 - x0 < MIN_TICK) x1 = Math.min(PLOT_X1 + MIN_TICK, x0 + MIN_TICK);
      d += `M${f(x0)} ${f(ry)}h${f(x1 - x0)}v${ROW_H}h${f(x0 - x1)}z`;
      b = e + 1;
    }
    if (d === '') return;
    out.push(
      `<path class="tk ${row.cls}" d="${d}"><title>${esc(who)}, ${row.name}: ${tot.requests} requests, ${tot.samples} samples (${binText})</title></path>`,
    );
  });
  return out.join('');
}

/** An elected span of one replica. */
interface Span {
  replica: string;
  from: number;
  to: number;
  /** The span runs to the end of the capture (no later election). */
  open: boolean;
  /** The span began before this run's first request (a leader from a resumed --db, or the first election's `from`). */
  before: boolean;
}

/** The elected spans of a cluster, from its elections in the Report (and its elected replica when it had none). */
function electedSpans(report: Report, c: ClusterReport, els: readonly ElectionReport[]): Span[] {
  const start = report.clock.first_ms ?? 0;
  const end = report.clock.last_ms ?? start;
  const spans: Span[] = [];
  if (els.length === 0) {
    if (c.elected_replica !== null) spans.push({ replica: c.elected_replica, from: start, to: end, open: true, before: true });
    return spans;
  }
  if (els[0]!.from !== null) spans.push({ replica: els[0]!.from, from: start, to: els[0]!.at_ms, open: false, before: true });
  els.forEach((e, i) => {
    const next = els[i + 1];
    spans.push({ replica: e.to, from: e.at_ms, to: next === undefined ? Math.max(end, e.at_ms) : next.at_ms, open: next === undefined, before: false });
  });
  return spans;
}

/** The figures of an election, as one line (marker and hole titles, the zoom heading). */
export function electionText(report: Report, e: ElectionReport, k: number): string {
  const silent = e.previous_last_seen_ms === null ? '-' : dur(e.at_ms - e.previous_last_seen_ms);
  return (
    `Election ${k}: ${e.from ?? '(none)'} → ${e.to} at ${isoUtc(e.at_ms)} (${sinceStart(report, e.at_ms)}); ` +
    `old leader silent ${silent}; gap ${dur(e.gap_ms)}; ${e.lost_samples} lost samples; ${e.lost_scrapes} lost scrapes`
  );
}

/** An election of the Report with its number (1-based position in report.elections: its anchor). */
export interface NumberedElection {
  k: number;
  e: ElectionReport;
}

interface ChartOptions {
  /** id of the JSON block holding the bins (the page's hover script reads it). */
  binsId: string;
  /** id given to each election marker: prefix + K (the main chart only, so ids stay unique). */
  markerIdPrefix: string | null;
  /** Where a marker links to (its zoom), as prefix + K. */
  markerHref: string;
  caption: string;
}

function binText(tl: Timeline): string {
  return `bins of ${dur(tl.binMs)}`;
}

/** A cluster's chart over window `w`. */
export function clusterChart(report: Report, tl: Timeline, c: ClusterReport, lanes: readonly TimelineLane[], els: readonly NumberedElection[], w: Window, o: ChartOptions): string {
  const replicas = c.replicas.map((r) => r.replica);
  for (const l of lanes) if (l.replica !== null && !replicas.includes(l.replica)) replicas.push(l.replica);
  const laneTop = AXIS_H + LABEL_ROWS * LABEL_ROW_H + 4;
  const lanesBottom = laneTop + replicas.length * LANE_H;
  const height = lanesBottom + GAP_ROW_H + 4;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${VIEW_W} ${height}" role="img" aria-label="${esc(o.caption)}" data-bins="${o.binsId}" data-t0="${w.t0}" data-t1="${w.t1}" data-x0="${PLOT_X0}" data-x1="${PLOT_X1}">`,
  );
  out.push(`<title>${esc(o.caption)}</title>`);
  out.push(axis(w, lanesBottom));
  const inWin = (t: number) => t >= w.t0 && t <= w.t1;

  // lanes: label, elected spans, ticks
  const spans = electedSpans(report, c, els.map((x) => x.e));
  const lastOf = report.clock.last_ms ?? 0;
  replicas.forEach((replica, i) => {
    const y = laneTop + i * LANE_H;
    const rep = c.replicas.find((r) => r.replica === replica);
    const elected = replica === c.elected_replica;
    const who = `${c.cluster} / ${replica}`;
    const name = replica.length > 24 ? replica.slice(0, 23) + '…' : replica;
    const repTitle =
      rep === undefined
        ? who
        : `${who}: ${rep.requests} requests, ${rep.samples} samples (${rep.accepted_samples} accepted, ${rep.deduped_samples} deduped, ${rep.rejected_samples} rejected); seen ${isoUtc(rep.first_seen_ms)} → ${isoUtc(rep.last_seen_ms)}${elected ? '; elected at the end' : ''}`;
    out.push(`<g class="lane" data-replica="${esc(replica)}">`);
    out.push(`<rect class="lane-bg" x="${PLOT_X0}" y="${y + 1}" width="${PLOT_X1 - PLOT_X0}" height="${LANE_H - 2}"/>`);
    out.push(`<text class="lane-name${elected ? ' elected' : ''}" x="${PLOT_X0 - 8}" y="${y + 21}">${esc(name)}<title>${esc(repTitle)}</title></text>`);
    for (const s of spans) {
      if (s.replica !== replica || s.to < w.t0 || s.from > w.t1) continue;
      const x0 = clampX(xOf(w, s.from));
      const x1 = clampX(xOf(w, s.to));
      const title = `${replica} elected from ${s.before ? `before ${isoUtc(s.from)} (the start of this run)` : isoUtc(s.from)} to ${s.open ? `the end, ${isoUtc(lastOf)}` : isoUtc(s.to)} (${dur(s.to - s.from)}${s.before ? ' or more' : ''})`;
      out.push(`<rect class="lead" x="${f(x0)}" y="${y + 3}" width="${f(Math.max(x1 - x0, 1))}" height="${ROW_H}"><title>${esc(title)}</title></rect>`);
    }
    const lane = lanes.find((l) => l.replica === replica);
    if (lane !== undefined) out.push(ticks(tl, lane, HA_ROWS, w, y, who, binText(tl)));
    out.push('</g>');
  });

  // holes before elections: over the lanes (translucent), under the markers
  out.push('<g class="holes">');
  for (const { k, e } of els) {
    if (e.previous_last_seen_ms === null || e.previous_last_seen_ms >= e.at_ms) continue;
    if (e.at_ms < w.t0 || e.previous_last_seen_ms > w.t1) continue;
    const x0 = clampX(xOf(w, e.previous_last_seen_ms));
    const x1 = clampX(xOf(w, e.at_ms));
    const title = `Hole before election ${k}: ${e.from ?? '(none)'} silent from ${isoUtc(e.previous_last_seen_ms)} to ${isoUtc(e.at_ms)} (${dur(e.at_ms - e.previous_last_seen_ms)}); gap ${dur(e.gap_ms)}; ${e.lost_samples} lost samples; ${e.lost_scrapes} lost scrapes`;
    out.push(`<g class="hole" data-election="${k}"><rect x="${f(x0)}" y="${laneTop}" width="${f(Math.max(x1 - x0, 1))}" height="${lanesBottom - laneTop + GAP_ROW_H}"/>`);
    const full = `${e.lost_samples} lost, ${e.lost_scrapes} scrapes`;
    const short = `${e.lost_samples} lost`;
    const label = full.length * CHAR_W <= x1 - x0 ? full : short.length * CHAR_W <= x1 - x0 ? short : '';
    if (label !== '') out.push(`<text x="${f((x0 + x1) / 2)}" y="${lanesBottom + 13}">${label}</text>`);
    out.push(`<title>${esc(title)}</title></g>`);
  }
  out.push('</g>');

  // election markers and their labels (placed in up to LABEL_ROWS rows without overlapping)
  out.push('<g class="elections">');
  const rowEnd = new Array<number>(LABEL_ROWS).fill(-Infinity);
  for (const { k, e } of els) {
    if (!inWin(e.at_ms)) continue;
    const x = xOf(w, e.at_ms);
    const long = `${k} ${e.from ?? '(none)'} → ${e.to}`;
    const short = String(k);
    // right of the marker where there is room, else left of it (near the right edge), else the number only
    let text = '';
    let row = -1;
    let left = false;
    for (const cand of [long, short]) {
      const width = cand.length * CHAR_W + 6;
      let r = x + width <= VIEW_W ? rowEnd.findIndex((end) => end <= x) : -1;
      if (r < 0 && x - width >= PLOT_X0) {
        r = rowEnd.findIndex((end) => end <= x - width);
        left = r >= 0;
      }
      if (r >= 0) {
        row = r;
        text = cand;
        rowEnd[r] = left ? x : x + width;
        break;
      }
    }
    const id = o.markerIdPrefix === null ? '' : ` id="${o.markerIdPrefix}${k}"`;
    out.push(`<a href="${o.markerHref}${k}"${id} class="el" data-election="${k}"><line x1="${f(x)}" y1="${AXIS_H}" x2="${f(x)}" y2="${lanesBottom}"/>`);
    if (row >= 0) out.push(`<text x="${f(left ? x - 3 : x + 3)}" y="${AXIS_H + 11 + row * LABEL_ROW_H}"${left ? ' text-anchor="end"' : ''}>${esc(text)}</text>`);
    out.push(`<title>${esc(electionText(report, e, k))}</title></a>`);
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('');
}

/** The chart of traffic outside HA: one lane per tenant (non-HA and passthrough ticks). */
export function outsideChart(tl: Timeline, tenants: readonly TenantReport[], w: Window, o: Pick<ChartOptions, 'binsId' | 'caption'>): string {
  const laneTop = AXIS_H + 4;
  const bottom = laneTop + tl.tenants.length * LANE_H;
  const out: string[] = [
    `<svg class="chart" viewBox="0 0 ${VIEW_W} ${bottom + 6}" role="img" aria-label="${esc(o.caption)}" data-bins="${o.binsId}" data-t0="${w.t0}" data-t1="${w.t1}" data-x0="${PLOT_X0}" data-x1="${PLOT_X1}">`,
    `<title>${esc(o.caption)}</title>`,
    axis(w, bottom),
  ];
  tl.tenants.forEach((lane, i) => {
    const y = laneTop + i * LANE_H;
    const t = tenants.find((x) => x.tenant === lane.tenant);
    const title =
      t === undefined
        ? lane.tenant
        : `${lane.tenant}: ${t.requests} requests, ${t.samples} samples in all; outside HA ${t.non_ha_samples} non-HA and ${t.passthrough_samples} passthrough samples`;
    const name = lane.tenant.length > 24 ? lane.tenant.slice(0, 23) + '…' : lane.tenant;
    out.push(`<g class="lane" data-tenant="${esc(lane.tenant)}">`);
    out.push(`<rect class="lane-bg" x="${PLOT_X0}" y="${y + 1}" width="${PLOT_X1 - PLOT_X0}" height="${LANE_H - 2}"/>`);
    out.push(`<text class="lane-name" x="${PLOT_X0 - 8}" y="${y + 21}">${esc(name)}<title>${esc(title)}</title></text>`);
    out.push(ticks(tl, lane, OUTSIDE_ROWS, w, y - 6, `${lane.tenant} (outside HA)`, binText(tl)));
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('');
}

/**
 * The bins of some lanes as compact JSON for the hover script: origin, bin width, and per lane
 * its name and the non-empty bins as [bin, requests..., samples...] of the given rows' outcomes.
 */
export function binsJson(tl: Timeline, lanes: readonly { name: string; lane: TimelineLane }[], rows: readonly TickRow[]): string {
  const l = lanes.map(({ name, lane }) => {
    const b: number[][] = [];
    for (let i = 0; i < lane.bins; i++) {
      const base = i * TIMELINE_SLOTS;
      const cell = [i];
      let any = false;
      for (const what of ['requests', 'samples'] as const) {
        for (const r of rows) {
          const v = lane.counts[base + slotOf(r.outcome, what)]!;
          if (v !== 0) any = true;
          cell.push(v);
        }
      }
      if (any) b.push(cell);
    }
    return { n: name, b };
  });
  const json = JSON.stringify({ o: tl.originMs, w: tl.binMs, r: rows.map((r) => r.name), l });
  // inside <script type="application/json">: nothing may close the element
  return json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
