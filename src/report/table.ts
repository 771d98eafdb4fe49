// The human report (SPEC 9) as terminal tables. Colour only when asked (the CLI decides: TTY,
// NO_COLOR, --no-color); with colour off the output is plain text, stable for golden files.
// `width` is the terminal's (the CLI gives it only on a TTY): a table that does not fit becomes
// narrower forms (src/report/grid.ts), the clusters one block per cluster; without a width every
// table is printed in full.
import type { Report } from './types.js';
import { fitGrid, gridWidth, renderBlocks, renderGrid, wrapText, type BlockLine, type Grid, type GridInput, type Paint, type Style } from './grid.js';
import { CLUSTER_HEAD, CLUSTER_SPAN_COLUMNS, ELECTION_HEAD, NON_HA_HEAD, clusterRows, electionRows, nonHaRows, printable, totalsLines, type Row } from './format.js';

export type { Paint } from './grid.js';

const same = (s: string): string => s;
const PLAIN: Paint = { bold: same, red: same, green: same, yellow: same };

/**
 * The paint for colour on or off. chalk is loaded only for colour (~17 ms of start-up that a
 * replay into a pipe or a file never needs).
 */
export async function loadPaint(color: boolean): Promise<Paint> {
  if (!color) return PLAIN;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

interface TableOptions {
  /** From loadPaint(); plain text when absent. */
  paint?: Paint;
  /** Columns of the terminal the report is shown on; absent = no limit (every table in full). */
  width?: number;
}

/** Narrowest width the narrow forms are laid out for (below it lines may be longer than the terminal). */
const MIN_WIDTH = 20;

function cellStyle(r: Row, i: number): Style | undefined {
  if (r.bad?.[i]) return 'red';
  if (r.elected && i === CLUSTER_SPAN_COLUMNS) return 'green';
  return undefined;
}

function styledCell(r: Row, i: number): GridInput {
  const style = cellStyle(r, i);
  const text = r.cells[i]!;
  return style === undefined ? text : { text, style };
}

function grid(head: readonly string[], rows: readonly Row[]): Grid {
  return { head, rows: rows.map((r) => r.cells.map((_, i) => styledCell(r, i))) };
}

/** The clusters table: a cluster's own cells span its replica rows. */
function clusterGrid(rows: readonly Row[]): Grid {
  return {
    head: CLUSTER_HEAD,
    rows: rows.map((r) =>
      r.cells.map((cell, i): GridInput => {
        if (r.span !== undefined && i < CLUSTER_SPAN_COLUMNS) {
          if (r.span === 0) return null;
          if (r.span > 1) return { text: cell, style: cellStyle(r, i), span: r.span };
        }
        return styledCell(r, i);
      }),
    ),
  };
}

function pair(head: string, r: Row, i: number, style?: Style): { text: string; style?: Style } {
  return { text: `${head} ${r.cells[i]}`, style: style ?? cellStyle(r, i) };
}

/** Narrow clusters: per cluster a title line, its figures, and a table of its replicas. */
function clusterBlocks(rows: readonly Row[], width: number, c: Paint): string {
  const out: string[] = [];
  const replicaHead = CLUSTER_HEAD.slice(CLUSTER_SPAN_COLUMNS);
  for (let i = 0; i < rows.length; ) {
    const first = rows[i]!;
    const n = Math.max(1, first.span ?? 1);
    const replicas = rows.slice(i, i + n);
    i += n;
    const elected = replicas.find((r) => r.elected);
    const block: BlockLine = {
      title: `${first.cells[0]} / ${first.cells[1]}`,
      pairs: [
        pair(CLUSTER_HEAD[2]!, first, 2, elected ? 'green' : undefined),
        pair(CLUSTER_HEAD[3]!, first, 3),
        pair(CLUSTER_HEAD[4]!, first, 4),
        pair(CLUSTER_HEAD[5]!, first, 5),
      ],
    };
    out.push(renderBlocks([block], width, c));
    const sub: Grid = {
      head: replicaHead,
      rows: replicas.map((r) => r.cells.slice(CLUSTER_SPAN_COLUMNS).map((_, j) => styledCell(r, j + CLUSTER_SPAN_COLUMNS))),
    };
    out.push(fitGrid(sub, width, { titleColumns: 1, paint: c }));
  }
  return out.join('\n');
}

/** Narrow elections: one block each, "when cluster: from → to" and its figures. */
function electionBlocks(rows: readonly Row[], width: number, c: Paint): string {
  return renderBlocks(
    rows.map((r) => ({
      title: `${r.cells[0]} (${r.cells[1]}) ${r.cells[2]} / ${r.cells[3]}: ${r.cells[4]}`,
      pairs: [5, 6, 7, 8].map((i) => pair(ELECTION_HEAD[i]!, r, i)),
    })),
    width,
    c,
  );
}

function wrapped(lines: readonly string[], width: number | undefined): string[] {
  if (width === undefined) return [...lines];
  return lines.flatMap((l) => wrapText(l, width, 2));
}

export function renderTable(report: Report, opts: TableOptions): string {
  const c = opts.paint ?? PLAIN;
  const width = opts.width === undefined ? undefined : Math.max(MIN_WIDTH, Math.floor(opts.width));
  const out: string[] = [];
  out.push(c.bold('Clusters'));
  const cr = clusterRows(report);
  if (cr.length === 0) out.push('(none)');
  else {
    const g = clusterGrid(cr);
    out.push(width === undefined || gridWidth(g) <= width ? renderGrid(g, c) : clusterBlocks(cr, width, c));
  }
  out.push('');
  const nr = nonHaRows(report);
  if (nr.length > 0) {
    out.push(c.bold('Outside HA'));
    out.push(fitGrid(grid(NON_HA_HEAD, nr), width, { titleColumns: 1, paint: c }));
    out.push('');
  }
  out.push(c.bold('Elections'));
  const er = electionRows(report);
  if (er.length === 0) out.push('(none)');
  else {
    const g = grid(ELECTION_HEAD, er);
    out.push(width === undefined || gridWidth(g) <= width ? renderGrid(g, c) : electionBlocks(er, width, c));
  }
  out.push('');
  out.push(...wrapped(totalsLines(report), width));
  if (report.bad_records.length > 0) {
    out.push('');
    out.push(c.bold(`Bad records (${report.totals.bad_records}${report.totals.bad_records > report.bad_records.length ? `, first ${report.bad_records.length} listed` : ''})`));
    for (const b of report.bad_records) {
      for (const l of wrapped([`${printable(b.input)}: ${b.unit} ${b.index} at byte ${b.offset}: ${printable(b.reason)}`], width)) out.push(c.yellow(l));
    }
  }
  return out.join('\n') + '\n';
}
