// what-if's output (issue 19.3, 19.5): one row per cell in grid order (the settings that vary,
// elections, lost samples, largest lost scrapes, max gap, deduped, flaps), the skipped cells with
// their reasons, a per-cluster breakdown (--by-cluster), the recommendation line, markdown, and
// the versioned JSON of SPEC 12. Pure text, no colour, no terminal.
import { formatDuration, stableJson } from '../model/index.js';
import { reportJsonValue } from '../report/json.js';
import { dur, printable } from '../report/format.js';
import { fitGrid, type GridInput } from '../report/grid.js';
import type { Report } from '../report/index.js';
import { GRID_OPTIONS, type CellSettings, type GridKey } from './grid.js';
import type { CellResult } from './lanes.js';

export const WHATIF_VERSION = 1;

export interface WhatIfCell {
  /** 1-based, in grid order. */
  index: number;
  settings: CellSettings;
  /** Why the cell was not run (its settings fail validation); null when it ran. */
  skipped: string | null;
  result: CellResult | null;
}

export interface WhatIfResult {
  /** The options given more than one value, in grid order. */
  varying: GridKey[];
  cells: WhatIfCell[];
}

const SETTING: Record<GridKey, (s: CellSettings) => string> = {
  semantics: (s) => s.semantics,
  dedupe: (s) => s.dedupe,
  updateTimeout: (s) => formatDuration(s.update_timeout_ms),
  updateTimeoutJitterMax: (s) => formatDuration(s.update_timeout_jitter_max_ms),
  failoverTimeout: (s) => formatDuration(s.failover_timeout_ms),
  sampleFailoverTimeout: (s) => formatDuration(s.sample_failover_timeout_ms),
  maxClusters: (s) => String(s.max_clusters),
};

const option = (key: GridKey) => GRID_OPTIONS.find((o) => o.key === key)!;

/** "--failover-timeout 15s --semantics mimir": a cell's varying settings as flags to replay. */
export function cellFlags(s: CellSettings, keys: readonly GridKey[]): string {
  return keys.map((k) => `${option(k).flag} ${SETTING[k](s)}`).join(' ');
}

/** "cell 3 (--semantics mimir --failover-timeout 15s)", or "cell 1" when nothing varies. */
export function cellName(c: WhatIfCell, varying: readonly GridKey[]): string {
  return varying.length === 0 ? `cell ${c.index}` : `cell ${c.index} (${cellFlags(c.settings, varying)})`;
}

/** The largest lost_scrapes of any election of the report (0 without elections). */
export function largestLostScrapes(elections: readonly { lost_scrapes: number }[]): number {
  let m = 0;
  for (const e of elections) if (e.lost_scrapes > m) m = e.lost_scrapes;
  return m;
}

export const FIGURE_HEAD = ['elections', 'lost samples', 'largest lost scrapes', 'max gap', 'deduped', 'flaps'];

function figures(report: Report, flaps: number): string[] {
  const t = report.totals;
  return [String(t.elections), String(t.lost_samples), String(largestLostScrapes(report.elections)), dur(t.max_gap_ms), String(t.deduped_samples), String(flaps)];
}

function settingCells(c: WhatIfCell, varying: readonly GridKey[]): string[] {
  return [String(c.index), ...varying.map((k) => SETTING[k](c.settings))];
}

function head(varying: readonly GridKey[]): string[] {
  return ['cell', ...varying.map((k) => option(k).column)];
}

/** The grid's rows: one per cell; a skipped cell shows "skipped" and no figures. */
function cellRows(r: WhatIfResult): string[][] {
  return r.cells.map((c) => [...settingCells(c, r.varying), ...(c.result === null ? ['skipped', '-', '-', '-', '-', '-'] : figures(c.result.report, c.result.flaps))]);
}

function skippedLines(r: WhatIfResult): string[] {
  return r.cells.filter((c) => c.skipped !== null).map((c) => `skipped: ${cellName(c, r.varying)}: ${printable(c.skipped!)}`);
}

/** How `b`'s settings differ from `a`'s: "--semantics mimir (first: cortex), --failover-timeout 15s (first: 30s)". */
function differences(a: CellSettings, b: CellSettings): string {
  const d: string[] = [];
  for (const o of GRID_OPTIONS) {
    const x = SETTING[o.key](a);
    const y = SETTING[o.key](b);
    if (x !== y) d.push(`${o.flag} ${y} (first: ${x})`);
  }
  return d.join(', ');
}

const plural = (n: number, word: string) => `${n} ${n === 1 ? word.replace(/s$/, '') : word}`;

/**
 * The recommendation line (issue 19.5), stated as data: the cell with the fewest lost samples
 * among the cells with no flaps (the earliest on a tie), and how it differs from the first cell
 * that ran.
 */
export function recommendation(r: WhatIfResult): string {
  const ran = r.cells.filter((c) => c.result !== null);
  if (ran.length === 0) return 'recommendation: no cell ran';
  const calm = ran.filter((c) => c.result!.flaps === 0);
  if (calm.length === 0) return `recommendation: none: every cell that ran has flaps (SPEC 12.1)`;
  let best = calm[0]!;
  for (const c of calm) if (c.result!.report.totals.lost_samples < best.result!.report.totals.lost_samples) best = c;
  const first = ran[0]!;
  const firstWord = first === r.cells[0] ? 'the first cell' : 'the first cell that ran';
  const t = best.result!.report.totals;
  const what = `${plural(t.lost_samples, 'lost samples')}, ${plural(t.elections, 'elections')}`;
  const head = `recommendation: fewest lost samples among the cells with no flaps: ${cellName(best, r.varying)}: ${what}`;
  if (best === first) return `${head}; it is ${firstWord}`;
  const f = first.result!.report.totals;
  return `${head}; ${firstWord}, ${cellName(first, r.varying)}, has ${plural(f.lost_samples, 'lost samples')}, ${plural(f.elections, 'elections')}, ${plural(first.result!.flaps, 'flaps')}; it differs from ${firstWord} in ${differences(first.settings, best.settings)}`;
}

/** The table of cells, the skipped cells and the recommendation line; fitted to `width` when given. */
export function renderTable(r: WhatIfResult, width?: number): string {
  const grid = { head: [...head(r.varying), ...FIGURE_HEAD], rows: cellRows(r) };
  const out = [fitGrid(grid, width, { titleColumns: 1 + r.varying.length })];
  const skipped = skippedLines(r);
  if (skipped.length > 0) out.push('', ...skipped);
  out.push('', recommendation(r));
  return out.join('\n') + '\n';
}

export const CLUSTER_FIGURE_HEAD = ['tenant', 'cluster', 'elected', 'elections', 'lost samples', 'largest lost scrapes', 'max gap', 'deduped', 'flaps'];

/** One row per (cell, cluster): the same figures per cluster (--by-cluster); a cell's settings span its clusters. */
function clusterRows(r: WhatIfResult): GridInput[][] {
  const rows: GridInput[][] = [];
  for (const c of r.cells) {
    const lead = settingCells(c, r.varying);
    if (c.result === null) {
      rows.push([...lead, '-', '-', '-', 'skipped', '-', '-', '-', '-', '-']);
      continue;
    }
    const rep = c.result.report;
    const clusters = rep.clusters;
    if (clusters.length === 0) {
      rows.push([...lead, '(none)', '-', '-', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    clusters.forEach((k, i) => {
      const elections = rep.elections.filter((e) => e.tenant === k.tenant && e.cluster === k.cluster);
      const deduped = k.replicas.reduce((a, x) => a + x.deduped_samples, 0);
      const cells: GridInput[] = [
        printable(k.tenant),
        printable(k.cluster),
        k.elected_replica === null ? '-' : printable(k.elected_replica),
        String(k.elections),
        String(k.lost_samples),
        String(largestLostScrapes(elections)),
        dur(k.max_gap_ms),
        String(deduped),
        String(c.result!.clusterFlaps[i]?.flaps ?? 0),
      ];
      const leadCells: GridInput[] = i === 0 ? lead.map((text) => (clusters.length > 1 ? { text, span: clusters.length } : text)) : lead.map(() => null);
      rows.push([...leadCells, ...cells]);
    });
  }
  return rows;
}

/** The per-cluster breakdown (--by-cluster), after the table of cells. */
export function renderByCluster(r: WhatIfResult, width?: number): string {
  const grid = { head: [...head(r.varying), ...CLUSTER_FIGURE_HEAD], rows: clusterRows(r) };
  return fitGrid(grid, width, { titleColumns: 1 + r.varying.length + 2 }) + '\n';
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(h: string[], rows: readonly (readonly GridInput[])[], firstNumeric: number): string[] {
  const out = [`| ${h.map(esc).join(' | ')} |`, `|${h.map((_, i) => (i >= firstNumeric ? '---:' : '---')).join('|')}|`];
  let prev: string[] = [];
  for (const row of rows) {
    // a spanning cell is repeated on each row it covers (markdown has no row span)
    const cells = row.map((c, i) => (c === null ? (prev[i] ?? '') : typeof c === 'string' ? c : c.text));
    prev = cells;
    out.push(`| ${cells.map(esc).join(' | ')} |`);
  }
  return out;
}

/** The same as GitHub-flavoured markdown (CI job summaries): cells, per cluster when asked, skipped, recommendation. */
export function renderMarkdown(r: WhatIfResult, byCluster: boolean): string {
  const lead = head(r.varying);
  const out = ['## ha-dedup what-if', '', ...mdTable([...lead, ...FIGURE_HEAD], cellRows(r), lead.length)];
  if (byCluster) out.push('', '### Per cluster', '', ...mdTable([...lead, ...CLUSTER_FIGURE_HEAD], clusterRows(r), lead.length + 3));
  const skipped = skippedLines(r);
  if (skipped.length > 0) out.push('', ...skipped.map((l) => `- ${esc(l)}`));
  out.push('', esc(recommendation(r)));
  return out.join('\n') + '\n';
}

/** SPEC 12: {"version": 1, "cells": [{settings, skipped, report, flaps}]}, keys sorted, cells in grid order. */
export function renderJson(r: WhatIfResult): string {
  return stableJson({
    version: WHATIF_VERSION,
    cells: r.cells.map((c) => ({
      settings: c.settings,
      skipped: c.skipped,
      report: c.result === null ? null : reportJsonValue(c.result.report),
      flaps: c.result === null ? null : c.result.flaps,
    })),
  });
}
