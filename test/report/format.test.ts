// The one duration form of the human renderers (issue 14.4): since-start, gaps and spans alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dur, sinceStart } from '../../src/report/format.js';
import type { Report } from '../../src/report/types.js';

test('dur: milliseconds always, minutes and hours zero-padded below the largest field', () => {
  const cases: [number | null, string][] = [
    [null, '-'],
    [0, '0.000s'],
    [250, '0.250s'],
    [30_302, '30.302s'],
    [60_000, '1m00.000s'],
    [166_985, '2m46.985s'],
    [3_723_000, '1h02m03.000s'],
    [-1500, '-1.500s'],
  ];
  for (const [ms, want] of cases) assert.equal(dur(ms), want, String(ms));
});

test('sinceStart prints in the same form, with a "+"', () => {
  const report = { clock: { first_ms: 1000 } } as Report;
  assert.equal(sinceStart(report, 1000 + 166_985), '+2m46.985s');
  assert.equal(sinceStart(report, 1000 + 82_284), '+1m22.284s');
  assert.equal(sinceStart(report, 1000 + 55_000), '+55.000s');
  assert.equal(sinceStart({ clock: { first_ms: null } } as Report, 5), '-');
});
