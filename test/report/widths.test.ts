// The human tables at terminal widths (issue 14.1): golden files at 80 and 160 columns for the
// replay report, `inspect` and `state`, rendered in-process from stored JSON inputs
// (fixtures/widths/; regenerate on purpose with `node --import tsx scripts/regen-widths.ts`).
// At 80 every line fits; at 160 (wider than every full table) the output is the full table,
// the same as without a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WIDTHS_DIR, widthCases } from '../../scripts/regen-widths.js';
import { displayWidth } from '../../src/report/grid.js';
import { renderTable } from '../../src/report/table.js';
import { renderInspectTable } from '../../src/cli/commands/inspect.js';
import { renderStateTable } from '../../src/cli/commands/state.js';
import type { Report } from '../../src/report/types.js';

const cases = widthCases();

for (const c of cases) {
  test(`golden ${c.name}`, () => {
    const got = c.render();
    assert.equal(got, readFileSync(join(WIDTHS_DIR, 'expected', `${c.name}.txt`), 'utf8'));
    for (const line of got.split('\n')) assert.ok(displayWidth(line) <= c.width, `${c.name}: ${displayWidth(line)} columns: ${line}`);
  });
}

test('the 80-column forms are not the full tables (which are wider than 80), the 160-column ones are', () => {
  const json = (f: string) => JSON.parse(readFileSync(join(WIDTHS_DIR, f), 'utf8'));
  const report = json('fixture-report.json') as Report;
  const full = renderTable(report, {});
  assert.ok(full.split('\n').some((l) => displayWidth(l) > 80), 'the full report is wider than 80');
  assert.equal(renderTable(report, { width: 160 }), full);
  assert.notEqual(renderTable(report, { width: 80 }), full);
  const inspect = json('fixture-inspect.json');
  assert.equal(renderInspectTable(inspect, 160), renderInspectTable(inspect));
  assert.ok(renderInspectTable(inspect).split('\n').some((l) => displayWidth(l) > 80));
  const state = json('fixture-state.json').clusters;
  assert.equal(renderStateTable(state, 160), renderStateTable(state));
  assert.ok(renderStateTable(state).split('\n').some((l) => displayWidth(l) > 80));
});

test('at 80 columns the clusters are one block per cluster, the elections one block per election', () => {
  const report = JSON.parse(readFileSync(join(WIDTHS_DIR, 'fixture-report.json'), 'utf8')) as Report;
  const text = renderTable(report, { width: 80 });
  assert.match(text, /^Clusters\ntenant-a \/ dev-pair\n  elected replica1, elections 3, lost 5608, max gap 34\.698s\n┌/);
  assert.match(text, /\n2026-11-24T18:56:47\.482Z \(\+1m17\.284s\) tenant-a \/ dev-pair: replica1 → replica2\n  old leader silent 25\.302s, gap 25\.302s, lost samples 2548, lost scrapes 5\n/);
  // every narrower terminal too (down to 20 columns)
  for (const w of [20, 33, 40, 57, 64, 79]) {
    for (const line of renderTable(report, { width: w }).split('\n')) assert.ok(displayWidth(line) <= w, `${w}: ${line}`);
  }
});
