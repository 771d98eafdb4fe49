// The markdown report's mermaid gantt block, checked with mermaid's own parser (the npm
// `mermaid` package, a devDependency; happy-dom gives it the DOM it sanitises text with):
// every line parses, and the tasks mermaid builds from it (names, sections, start and end
// times, milestones) are exactly the Report's leaders and elections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Window } from 'happy-dom';
import { renderMarkdown, type Report } from '../../src/report/index.js';
import { GANTT_MAX_ELECTIONS_PER_CLUSTER, ganttText, leaderGantt } from '../../src/report/mermaid.js';
import { runReplay } from '../../src/pipeline/replay.js';
import { handReport } from './timeline-events.js';
import { replayOptions } from './replay-timeline.js';

const FIXTURE = join(resolve(import.meta.dirname, '..', '..'), 'fixtures', 'prom-ha-dev.rwcap');

interface Task {
  task: string;
  section: string;
  startTime: Date;
  endTime: Date;
  milestone?: boolean;
}

const win = new Window();
const g = globalThis as Record<string, unknown>;
g.window = win;
g.document = win.document;
const { default: mermaid } = await import('mermaid');

/** The tasks mermaid's gantt parser builds from `text` (throws what mermaid throws). */
async function ganttTasks(text: string): Promise<Task[]> {
  await mermaid.parse(text);
  const d = (await mermaid.mermaidAPI.getDiagramFromText(text)) as unknown as { type: string; db: { getTasks(): Task[] } };
  assert.equal(d.type, 'gantt');
  return d.db.getTasks();
}

/** The body of the ```mermaid block of a markdown text. */
function block(md: string): string {
  const m = /```mermaid\n([\s\S]*?)```/.exec(md);
  assert.ok(m, 'a mermaid block');
  return m[1]!;
}

const spans = (tasks: Task[]) => tasks.filter((t) => !t.milestone).map((t) => [t.section, t.task.trim(), t.startTime.getTime(), t.endTime.getTime()]);
const milestones = (tasks: Task[]) => tasks.filter((t) => t.milestone).map((t) => [t.section, t.task.trim(), t.startTime.getTime()]);

test('the fixture: one section, the leader spans and the three elections at their exact times', async () => {
  const { report } = await runReplay(replayOptions([FIXTURE]), { output: null, warn: () => {} });
  const md = renderMarkdown(report);
  assert.match(md, /### Leaders\n\n```mermaid\ngantt\n/);
  const tasks = await ganttTasks(block(md));
  const [e1, e2, e3] = report.elections;
  const first = report.clock.first_ms!;
  const last = report.clock.last_ms!;
  assert.equal(e1!.at_ms, first);
  assert.deepEqual(spans(tasks), [
    ['tenant-a / dev-pair', 'leader replica1', e1!.at_ms, e2!.at_ms],
    ['tenant-a / dev-pair', 'leader replica2', e2!.at_ms, e3!.at_ms],
    ['tenant-a / dev-pair', 'leader replica1', e3!.at_ms, last],
  ]);
  assert.deepEqual(milestones(tasks), [
    ['tenant-a / dev-pair', 'election (none) → replica1 at +0.000s', e1!.at_ms],
    ['tenant-a / dev-pair', `election replica1 → replica2 at +1m22.284s, ${e2!.lost_samples} lost`, e2!.at_ms],
    ['tenant-a / dev-pair', `election replica2 → replica1 at +2m46.985s, ${e3!.lost_samples} lost`, e3!.at_ms],
  ]);
  assert.match(block(md), /dateFormat x\n/);
  assert.match(block(md), /todayMarker off\n/);
});

function nasty(): Report {
  return handReport({
    first: 1_700_000_000_000,
    last: 1_700_000_900_000,
    clusters: [
      { tenant: 'team:a', cluster: 'eu#1;x', elected_replica: 'b' },
      { tenant: 'team:a', cluster: 'resumed', elected_replica: 'title x' },
      { tenant: 'tb', cluster: 'section 2', elected_replica: 'r%%2' },
    ],
    elections: [
      { tenant: 'team:a', cluster: 'eu#1;x', at_ms: 1_700_000_100_000, from: 'a: one', to: 'b', lost_samples: 3 },
      { tenant: 'tb', cluster: 'section 2', at_ms: 1_700_000_000_000, from: null, to: 'click me' },
      { tenant: 'tb', cluster: 'section 2', at_ms: 1_700_000_500_000, from: 'click me', to: 'r%%2' },
    ],
  });
}

test('label values with : # ; %% and keyword-like names are kept out of the syntax; times exact', async () => {
  const r = nasty();
  const tasks = await ganttTasks(leaderGantt(r).slice(1, -1).join('\n'));
  assert.deepEqual(spans(tasks), [
    ['team_a / eu_1_x', 'leader a_ one', 1_700_000_000_000, 1_700_000_100_000], // the leader before the run's first election
    ['team_a / eu_1_x', 'leader b', 1_700_000_100_000, 1_700_000_900_000],
    ['team_a / resumed', 'leader title x', 1_700_000_000_000, 1_700_000_900_000], // no election: the elected replica all along
    ['tb / section 2', 'leader click me', 1_700_000_000_000, 1_700_000_500_000],
    ['tb / section 2', 'leader r__2', 1_700_000_500_000, 1_700_000_900_000],
  ]);
  assert.deepEqual(milestones(tasks), [
    ['team_a / eu_1_x', 'election a_ one → b at +1m40.000s, 3 lost', 1_700_000_100_000],
    ['tb / section 2', 'election (none) → click me at +0.000s', 1_700_000_000_000],
    ['tb / section 2', 'election click me → r__2 at +8m20.000s', 1_700_000_500_000],
  ]);
});

test('the check can fail: without cleaning, a colon cuts the task name and mermaid reads other times', async () => {
  const raw = leaderGantt(nasty()).slice(1, -1).join('\n').replace('leader a_ one', 'leader a: one');
  const tasks = await ganttTasks(raw).catch(() => null);
  // either mermaid refuses it or it builds a task that is not the Report's
  if (tasks !== null) assert.notDeepEqual(spans(tasks)[0], ['team_a / eu_1_x', 'leader a_ one', 1_700_000_000_000, 1_700_000_100_000]);
  assert.equal(ganttText(' a:b#c;d%e\nf  g '), 'a_b_c_d_e_f g');
});

test('a flapping cluster draws at most GANTT_MAX_ELECTIONS_PER_CLUSTER elections and says so; spans stay continuous', async () => {
  const n = 120;
  const r = handReport({
    first: 0,
    last: n * 1000,
    clusters: [{ cluster: 'c1', elected_replica: n % 2 === 0 ? 'a' : 'b' }],
    elections: Array.from({ length: n }, (_, i) => ({ at_ms: i * 1000, from: i === 0 ? null : i % 2 === 1 ? 'a' : 'b', to: i % 2 === 0 ? 'a' : 'b' })),
  });
  const lines = leaderGantt(r);
  assert.match(lines[0]!, new RegExp(`^\\(${n - GANTT_MAX_ELECTIONS_PER_CLUSTER} later elections are not drawn`));
  const md = renderMarkdown(r);
  const tasks = await ganttTasks(block(md));
  assert.equal(milestones(tasks).length, GANTT_MAX_ELECTIONS_PER_CLUSTER);
  const s = spans(tasks);
  assert.equal(s.length, GANTT_MAX_ELECTIONS_PER_CLUSTER);
  for (let i = 1; i < s.length; i++) assert.equal(s[i]![2], s[i - 1]![3]);
  assert.equal(s[s.length - 1]![3], GANTT_MAX_ELECTIONS_PER_CLUSTER * 1000); // to the next (undrawn) election
});

test('no clusters, or no requests: no block', () => {
  assert.deepEqual(leaderGantt(handReport({ first: 0, last: 10, clusters: [], elections: [] })), []);
  const empty = handReport({ first: 0, last: 0, clusters: [{ elected_replica: 'a' }], elections: [] });
  empty.clock.first_ms = null;
  empty.clock.last_ms = null;
  assert.deepEqual(leaderGantt(empty), []);
  assert.doesNotMatch(renderMarkdown(empty), /mermaid/);
});

test('docs/timeline.md shows the fixture\'s real block (the markdown report of the CLI)', async () => {
  const { report } = await runReplay(replayOptions([FIXTURE]), { output: null, warn: () => {} });
  const docs = readFileSync(join(resolve(import.meta.dirname, '..', '..'), 'docs', 'timeline.md'), 'utf8');
  assert.equal(block(docs), block(renderMarkdown(report)));
});
