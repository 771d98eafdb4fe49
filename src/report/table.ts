// The human report (SPEC 9) as terminal tables. Colour only when asked (the CLI decides: TTY,
// NO_COLOR, --no-color); with colour off the output is plain text, stable for golden files.
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import type { Report } from './types.js';
import { CLUSTER_HEAD, ELECTION_HEAD, clusterRows, electionRows, totalsLines, type Row } from './format.js';

export interface TableOptions {
  color: boolean;
}

function table(head: string[], rows: Row[], c: InstanceType<typeof Chalk>): string {
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: false },
  });
  for (const r of rows) {
    t.push(
      r.cells.map((cell, i) => {
        if (r.bad?.[i]) return c.red(cell);
        if (i === 2 && r.elected) return c.green(cell);
        return cell;
      }),
    );
  }
  return t.toString();
}

export function renderTable(report: Report, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  out.push(c.bold('Clusters'));
  out.push(table(CLUSTER_HEAD, clusterRows(report), c));
  out.push('');
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
