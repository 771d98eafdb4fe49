// The human report (SPEC 9) as terminal tables. Colour only when asked (the CLI decides: TTY,
// NO_COLOR, --no-color); with colour off the output is plain text, stable for golden files.
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import type { Report } from './types.js';
import { CLUSTER_HEAD, CLUSTER_SPAN_COLUMNS, ELECTION_HEAD, NON_HA_HEAD, clusterRows, electionRows, nonHaRows, totalsLines, type Row } from './format.js';

export interface TableOptions {
  color: boolean;
}

function table(head: string[], rows: Row[], c: InstanceType<typeof Chalk>): string {
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
  const c = new Chalk({ level: opts.color ? 1 : 0 });
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
