// The human report as GitHub-flavoured Markdown, for CI job summaries ($GITHUB_STEP_SUMMARY).
import type { Report } from './types.js';
import { leaderGantt } from './mermaid.js';
import { CLUSTER_HEAD, ELECTION_HEAD, NON_HA_HEAD, clusterRows, electionRows, nonHaRows, printable, totalsLines, type Row } from './format.js';

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** An input path in backticks: control characters escaped, and a backtick cannot end the span. */
function code(s: string): string {
  const p = printable(s);
  return p.includes('`') ? `\`\` ${p} \`\`` : `\`${p}\``;
}

function mdTable(head: string[], rows: Row[], firstNumeric: number): string[] {
  const right = (i: number) => i >= firstNumeric;
  const out = [`| ${head.map(esc).join(' | ')} |`, `|${head.map((_, i) => (right(i) ? '---:' : '---')).join('|')}|`];
  for (const r of rows) out.push(`| ${r.cells.map((c, i) => (r.bad?.[i] ? `**${esc(c)}**` : esc(c))).join(' | ')} |`);
  return out;
}

export function renderMarkdown(report: Report): string {
  const out: string[] = ['## ha-dedup replay report', ''];
  for (const l of totalsLines(report)) out.push(`- ${esc(l)}`);
  const cr = clusterRows(report);
  out.push('', '### Clusters', '');
  if (cr.length === 0) out.push('(none)');
  else out.push(...mdTable(CLUSTER_HEAD, cr, 3));
  const nr = nonHaRows(report);
  if (nr.length > 0) out.push('', '### Outside HA', '', ...mdTable(NON_HA_HEAD, nr, 1));
  out.push('', '### Elections', '');
  const er = electionRows(report);
  if (er.length === 0) out.push('(none)');
  else out.push(...mdTable(ELECTION_HEAD, er, 5));
  const gantt = leaderGantt(report);
  if (gantt.length > 0) out.push('', '### Leaders', '', ...gantt);
  if (report.bad_records.length > 0) {
    out.push('', `### Bad records (${report.totals.bad_records})`, '');
    for (const b of report.bad_records) out.push(`- ${code(b.input)} ${b.unit} ${b.index} at byte ${b.offset}: ${esc(printable(b.reason))}`);
  }
  return out.join('\n') + '\n';
}
