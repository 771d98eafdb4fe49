// The leader chart of the markdown report: a mermaid `gantt` block (GitHub renders it in a job
// summary, an issue or a README) with one section per cluster, each leader's elected spans as
// tasks and each election as a milestone, all from the Report.
//
// Mermaid gantt rules kept here (checked by test/report/mermaid.test.ts with mermaid's own parser):
// - `dateFormat x`: start and end are Unix epoch milliseconds, exactly the Report's times;
// - a task line is `name :tags, id, start, end`: a name holds no `:` (it ends the name), and no
//   line holds `#` or `;` (comment / statement end) or `%%` (comment), so label values are cleaned
//   of them; names start with a fixed word so that no label value reads as a keyword
//   (`section`, `title`, `click`, ...);
// - a milestone is `:milestone, id, at, 0ms`;
// - `todayMarker off`, else mermaid draws a line at the viewer's today, far off a capture's time.
// Mermaid draws the axis in the viewer's time zone (it has no UTC option for gantt); the task
// names say the time since the start (the one duration form, format.ts dur), which reads the
// same everywhere.
import type { ElectionReport, Report } from './types.js';
import { sinceStart } from './format.js';

/** At most this many elections per cluster, and in all, are drawn (a flapping capture stays readable). */
export const GANTT_MAX_ELECTIONS_PER_CLUSTER = 50;
const GANTT_MAX_ELECTIONS = 200;

/** A label value made safe for a gantt line (see the file comment). */
export function ganttText(s: string): string {
  return s
    // control characters too (an ESC sequence must not reach a terminal showing the markdown)
    .replace(/[:;#%`\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The gantt block's lines (fence included), or [] when no cluster has a leader to draw. The
 * block starts with a short note line when elections were left out.
 */
export function leaderGantt(report: Report): string[] {
  const first = report.clock.first_ms;
  const last = report.clock.last_ms;
  if (first === null || last === null) return [];
  const lines: string[] = [];
  let drawn = 0;
  let omitted = 0;
  let task = 0;
  for (const c of report.clusters) {
    const els = report.elections.filter((e) => e.tenant === c.tenant && e.cluster === c.cluster);
    if (els.length === 0 && c.elected_replica === null) continue;
    const room = Math.max(0, Math.min(GANTT_MAX_ELECTIONS_PER_CLUSTER, GANTT_MAX_ELECTIONS - drawn));
    const shown: ElectionReport[] = els.slice(0, room);
    omitted += els.length - shown.length;
    drawn += shown.length;
    lines.push(`    section ${ganttText(`${c.tenant} / ${c.cluster}`) || '_'}`);
    const span = (replica: string, from: number, to: number) => {
      lines.push(`    leader ${ganttText(replica) || '_'} :s${task++}, ${from}, ${Math.max(from, to)}`);
    };
    if (shown.length === 0) {
      span(c.elected_replica!, first, last);
      continue;
    }
    if (shown[0]!.from !== null) span(shown[0]!.from, first, shown[0]!.at_ms);
    shown.forEach((e, i) => {
      const lost = e.lost_samples > 0 ? `, ${e.lost_samples} lost` : '';
      lines.push(`    election ${ganttText(`${e.from ?? '(none)'} → ${e.to}`)} at ${sinceStart(report, e.at_ms)}${lost} :milestone, e${task++}, ${e.at_ms}, 0ms`);
      const next = shown[i + 1];
      // after the last drawn election: to the next one (not drawn) or to the end
      const end = next !== undefined ? next.at_ms : i + 1 < els.length ? els[i + 1]!.at_ms : last;
      span(e.to, e.at_ms, end);
    });
  }
  if (lines.length === 0) return [];
  const out: string[] = [];
  if (omitted > 0) out.push(`(${omitted} later elections are not drawn; the table above lists them all)`, '');
  out.push('```mermaid', 'gantt', '    title Leader of each cluster (axis in your time zone)', '    dateFormat x', '    axisFormat %H:%M:%S', '    todayMarker off', ...lines, '```');
  return out;
}
