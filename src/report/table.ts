// The human report (SPEC 9) as terminal tables. Colour only when asked (the CLI decides: TTY,
// NO_COLOR, --no-color); with colour off the output is plain text, stable for golden files.
import Table from 'cli-table3';
import type { Report } from './types.js';
import { CLUSTER_HEAD, CLUSTER_SPAN_COLUMNS, ELECTION_HEAD, NON_HA_HEAD, clusterRows, electionRows, nonHaRows, totalsLines, type Row } from './format.js';

/** The styles the tables use: chalk's, or none. */
export interface Paint {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

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

export interface TableOptions {
  /** From loadPaint(); plain text when absent. */
  paint?: Paint;
}

function table(head: string[], rows: Row[], c: Paint): string {
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: false },
  });
  for (const r of rows) {
    const cells: (string | { content: string; rowSpan: number })[] = [];
    r.cells.forEach((cell, i) => {
      // Cluster cells: one spanning cell on the cluster's first row, nothing on the rows it covers.
      if (r.span !== undefined && i < CLUSTER_SPAN_COLUMNS) {
        if (r.span === 0) return;
        if (r.span > 1) {
          cells.push({ content: r.bad?.[i] ? c.red(cell) : cell, rowSpan: r.span });
          return;
        }
      }
      if (r.bad?.[i]) cells.push(c.red(cell));
      else if (r.elected && i === CLUSTER_SPAN_COLUMNS) cells.push(c.green(cell));
      else cells.push(cell);
    });
    t.push(cells);
  }
  return t.toString();
}

export function renderTable(report: Report, opts: TableOptions): string {
  const c = opts.paint ?? PLAIN;
  const out: string[] = [];
  out.push(c.bold('Clusters'));
  const cr = clusterRows(report);
  out.push(cr.length === 0 ? '(none)' : table(CLUSTER_HEAD, cr, c));
  out.push('');
  const nr = nonHaRows(report);
  if (nr.length > 0) {
    out.push(c.bold('Outside HA'));
    out.push(table(NON_HA_HEAD, nr, c));
    out.push('');
  }
  out.push(c.bold('Elections'));
  const er = electionRows(report);
  out.push(er.length === 0 ? '(none)' : table(ELECTION_HEAD, er, c));
  out.push('');
  for (const l of totalsLines(report)) out.push(l);
  if (report.bad_records.length > 0) {
    out.push('');
    out.push(c.bold(`Bad records (${report.totals.bad_records}${report.totals.bad_records > report.bad_records.length ? `, first ${report.bad_records.length} listed` : ''})`));
    for (const b of report.bad_records) out.push(c.yellow(`${b.input}: ${b.unit} ${b.index} at byte ${b.offset}: ${b.reason}`));
  }
  return out.join('\n') + '\n';
}
