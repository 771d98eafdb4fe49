// Our table renderer (src/report/grid.ts): the full form is byte for byte what cli-table3 drew
// (the expected strings below were printed by cli-table3 0.6.5 before it was removed), and the
// narrow forms keep every line within the width they are given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayWidth, fitGrid, gridWidth, renderBlocks, renderGrid, renderWrapped, wrapText, type Grid } from '../../src/report/grid.js';

test('full form: the layout cli-table3 drew (row spans, multi-line cells, wide characters, no head, head only)', () => {
  const spans: Grid = {
    head: ['t', 'cluster', 'replica', 'n'],
    rows: [
      [{ text: 'tenant-a', span: 2 }, { text: 'c1', span: 2 }, 'r1', '1'],
      [null, null, 'r2\nsecond line', '22'],
      ['t2', 'c→2', '日本', '333'],
    ],
  };
  assert.equal(
    renderGrid(spans),
    '┌──────────┬─────────┬─────────────┬─────┐\n│ t        │ cluster │ replica     │ n   │\n├──────────┼─────────┼─────────────┼─────┤\n│ tenant-a │ c1      │ r1          │ 1   │\n│          │         ├─────────────┼─────┤\n│          │         │ r2          │ 22  │\n│          │         │ second line │     │\n├──────────┼─────────┼─────────────┼─────┤\n│ t2       │ c→2     │ 日本        │ 333 │\n└──────────┴─────────┴─────────────┴─────┘',
  );
  assert.equal(
    renderGrid({ rows: [['inputs', 'a.rwcap (rwcap)\nb.ndjson (ndjson)'], ['wide', 'é and 日本語']] }),
    '┌────────┬───────────────────┐\n│ inputs │ a.rwcap (rwcap)   │\n│        │ b.ndjson (ndjson) │\n├────────┼───────────────────┤\n│ wide   │ é and 日本語      │\n└────────┴───────────────────┘',
  );
  assert.equal(renderGrid({ head: ['a', 'bb', 'ccc'], rows: [] }), '┌───┬────┬─────┐\n│ a │ bb │ ccc │\n└───┴────┴─────┘');
  assert.equal(renderGrid({ rows: [] }), '');
  assert.equal(gridWidth(spans), 42);
});

test('colour is applied to the text, not the padding (head bold, cells by style)', () => {
  const paint = { bold: (s: string) => `<b>${s}</b>`, red: (s: string) => `<r>${s}</r>`, green: (s: string) => `<g>${s}</g>`, yellow: (s: string) => s };
  const out = renderGrid({ head: ['name', 'n'], rows: [[{ text: 'x', style: 'green' }, { text: '12', style: 'red' }]] }, paint);
  assert.equal(out.split('\n')[1], '│ <b>name</b> │ <b>n</b>  │');
  assert.equal(out.split('\n')[3], '│ <g>x</g>    │ <r>12</r> │');
});

test('displayWidth: ASCII, wide CJK and emoji, combining marks', () => {
  assert.equal(displayWidth('replica1 → replica2'), 19);
  assert.equal(displayWidth('日本語'), 6);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth('🚀x'), 3);
});

test('wrapText: breaks after ", " first, then at spaces, cuts only words wider than a line', () => {
  assert.deepEqual(wrapText('a, b, c', 100), ['a, b, c']);
  assert.deepEqual(wrapText('a, b, c', undefined), ['a, b, c']);
  assert.deepEqual(wrapText('146 requests, 36352 samples: 18456 accepted, 17896 deduped', 30), ['146 requests,', '  36352 samples: 18456', '  accepted, 17896 deduped']);
  const long = 'x'.repeat(50);
  for (const l of wrapText(`short, ${long}, end`, 20)) assert.ok(displayWidth(l) <= 20, l);
});

const WIDE: Grid = {
  head: ['tenant', 'cluster', 'replica', 'first sample (UTC)', 'last sample (UTC)'],
  rows: [
    ['tenant-a', 'dev-pair', 'replica1', '2026-11-24T18:55:30.157Z', '2026-11-24T18:59:20.157Z'],
    ['tenant-a', 'dev-pair', 'replica2', '2026-11-24T18:55:35.459Z', '2026-11-24T18:59:20.459Z'],
  ],
};

const SPAN: Grid = { rows: [['sample time span', '2026-11-24T18:55:30.157Z → 2026-11-24T18:59:20.459Z (3m50.302s)'], ['requests', '146']] };

test('fitGrid: the full table when it fits, wrapped cells when narrower, blocks when even that does not fit', () => {
  const full = renderGrid(WIDE);
  assert.equal(gridWidth(WIDE), 88);
  assert.equal(fitGrid(WIDE, undefined), full);
  assert.equal(fitGrid(WIDE, 88), full);
  // words cannot be cut in a table: the timestamps make 88 the narrowest table, so 80 gets blocks
  assert.equal(renderWrapped(WIDE, 80), null);
  assert.equal(
    fitGrid(WIDE, 80, { titleColumns: 3 }),
    'tenant-a / dev-pair / replica1\n  first sample (UTC) 2026-11-24T18:55:30.157Z,\n  last sample (UTC) 2026-11-24T18:59:20.157Z\ntenant-a / dev-pair / replica2\n  first sample (UTC) 2026-11-24T18:55:35.459Z,\n  last sample (UTC) 2026-11-24T18:59:20.459Z',
  );
  for (const w of [20, 30, 45, 60, 80]) {
    for (const l of fitGrid(WIDE, w, { titleColumns: 3 }).split('\n')) assert.ok(displayWidth(l) <= w, `${w}: ${l}`);
  }
  // a cell with spaces wraps inside the table
  assert.equal(gridWidth(SPAN), 86);
  assert.equal(
    fitGrid(SPAN, 80),
    '┌──────────────────┬───────────────────────────────────────────────────────────┐\n│ sample time span │ 2026-11-24T18:55:30.157Z → 2026-11-24T18:59:20.459Z       │\n│                  │ (3m50.302s)                                               │\n├──────────────────┼───────────────────────────────────────────────────────────┤\n│ requests         │ 146                                                       │\n└──────────────────┴───────────────────────────────────────────────────────────┘',
  );
  for (const l of fitGrid(SPAN, 50).split('\n')) assert.ok(displayWidth(l) <= 50, l);
});

test('renderBlocks: a block per row, empty cells left out, styles on the pairs', () => {
  const paint = { bold: (s: string) => s, red: (s: string) => `<r>${s}</r>`, green: (s: string) => s, yellow: (s: string) => s };
  const out = renderBlocks([{ title: 't / c', pairs: [{ text: 'lost 5', style: 'red' }, { text: 'gap 1.000s' }] }], 80, paint);
  assert.equal(out, 't / c\n  <r>lost 5</r>, gap 1.000s');
});
