// doctor's findings for people and machines: `--format json` (SPEC 12: versioned, keys sorted),
// the default table, and markdown (CI job summaries). Pure text, no colour: the CLI decides
// about terminals. The table is drawn here (cli-table3 is for report/ and cli/ only).
import { stableJson } from '../model/index.js';
import { COUNT_UNIT, SEVERITIES, type DoctorReport, type Finding } from './types.js';
import { int, plural, selector, utc } from './options.js';
import { printable } from '../report/format.js';

export function renderJson(report: DoctorReport): string {
  return stableJson(report);
}

const HEAD = ['severity', 'code', 'tenant', 'cluster', 'replica', 'count'];

function row(f: Finding): string[] {
  return [f.severity, f.code, printable(f.tenant), printable(f.cluster ?? '-'), printable(f.replica ?? '-'), `${int(f.count)} ${COUNT_UNIT[f.code]}`];
}

function summary(report: DoctorReport): string {
  const n = report.findings.length;
  if (n === 0) return 'No findings: the traffic shows no HA configuration problem doctor knows.';
  const by = SEVERITIES.map((s) => {
    const k = report.findings.filter((f) => f.severity === s).length;
    return s === 'info' ? `${int(k)} info` : plural(k, s === 'error' ? 'errors' : 'warnings');
  });
  return `${plural(n, 'findings')}: ${by.join(', ')}`;
}

function inputsLine(report: DoctorReport): string {
  if (report.inputs.length === 0) return 'inputs: (none)';
  return 'inputs: ' + report.inputs.map((i) => `${i.path} (${i.format}, ${plural(i.records, 'records')}, ${int(i.bad_records)} bad)`).join('; ');
}

/** A box table with the glyphs of the other reports. */
function box(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (l: string, m: string, r: string) => l + w.map((x) => '─'.repeat(x + 2)).join(m) + r;
  const cells = (r: string[]) => '│' + r.map((c, i) => ` ${c.padEnd(w[i]!)} `).join('│') + '│';
  const out = [line('┌', '┬', '┐'), cells(head), line('├', '┼', '┤')];
  rows.forEach((r, k) => {
    if (k > 0) out.push(line('├', '┼', '┤'));
    out.push(cells(r));
  });
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
export function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (cur !== '' && indent.length + cur.length + 1 + word.length > width) {
      out.push(indent + cur);
      cur = word;
    } else cur = cur === '' ? word : `${cur} ${word}`;
  }
  if (cur !== '') out.push(indent + cur);
  return out;
}

/** Like wrap, the first line not indented (a heading whose continuation hangs under it). */
export function hang(text: string, width: number, indent: string): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const first = wrap(text, width, '')[0] ?? '';
  const rest = words.slice(first.split(' ').length).join(' ');
  return rest === '' ? [first] : [first, ...wrap(rest, width, indent)];
}

/** The table's width off a terminal (the README block is printed at it). */
export const WIDTH = 100;

function where(f: Finding): string {
  return [f.tenant, f.cluster, f.replica].filter((x) => x !== null).join(' / ');
}

/**
 * `width`: the terminal's (text wraps to it; the overview table is left out when it would not
 * fit, the numbered list below it says the same); WIDTH off a terminal.
 */
export function renderTable(report: DoctorReport, width: number = WIDTH): string {
  // issue 12.11: names, label values and paths come from the input: their control characters
  // are escaped before the text is wrapped (a raw newline would otherwise split a value)
  const out: string[] = [...hang(printable(inputsLine(report)), width, '  '), summary(report)];
  if (report.findings.length === 0) return out.join('\n') + '\n';
  const table = box(HEAD, report.findings.map(row));
  if (table.indexOf('\n') <= width) out.push(table);
  out.push('');
  report.findings.forEach((f, k) => {
    out.push(...hang(printable(`${k + 1}. ${f.severity} ${f.code}: ${where(f)} (${int(f.count)} ${COUNT_UNIT[f.code]})`), width, '   '));
    for (const e of f.examples) out.push(...wrap(printable(`e.g. ${e.labels === null ? '' : `${selector(e.labels)} `}at ${utc(e.at_ms)}: ${e.note}`), width, '   '));
    out.push(...wrap(printable(`fix: ${f.fix}`), width, '   '), '');
  });
  return out.join('\n');
}

function esc(s: string): string {
  return printable(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(report: DoctorReport): string {
  const out: string[] = ['## ha-dedup doctor', '', `- ${esc(inputsLine(report))}`, `- ${esc(summary(report))}`];
  if (report.findings.length > 0) {
    out.push('', `| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i === HEAD.length - 1 ? '---:' : '---')).join('|')}|`);
    for (const f of report.findings) out.push(`| ${row(f).map(esc).join(' | ')} |`);
    report.findings.forEach((f, k) => {
      out.push('', `### ${k + 1}. ${f.severity}: \`${f.code}\` (${esc(where(f))})`, '');
      for (const e of f.examples) out.push(`- ${e.labels === null ? '' : `\`${printable(selector(e.labels))}\` `}at ${utc(e.at_ms)}: ${esc(e.note)}`);
      if (f.examples.length > 0) out.push('');
      out.push(`**Fix:** ${esc(f.fix)}`);
    });
  }
  return out.join('\n') + '\n';
}
