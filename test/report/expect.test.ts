// --expect expressions (issue 14.6): != and numbers with exponents; a malformed expression names
// the valid keys and operators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPECT_KEYS, EXPECT_OPS, checkExpectations, parseExpectation } from '../../src/report/expect.js';
import type { TotalsReport } from '../../src/report/types.js';

const totals: TotalsReport = {
  requests: 146, samples: 36352, accepted_samples: 18456, deduped_samples: 17896, non_ha_samples: 0, rejected_samples: 0,
  passthrough_samples: 0, elections: 3, lost_samples: 5608, overlap_samples: 0, max_gap_ms: 34698, bad_records: 0,
};

test('operators, != among them, and numbers as JSON writes them (exponents, fractions, a sign)', () => {
  assert.deepEqual(EXPECT_OPS, ['<', '<=', '==', '!=', '>=', '>']);
  const cases: [string, boolean][] = [
    ['elections!=3', false],
    ['elections != 2', true],
    ['max_gap_ms<4.5e4', true],
    ['max_gap_ms<3E4', false],
    ['samples>=3.6352e+4', true],
    ['lost_samples<=5.608e3', true],
    ['bad_records==0', true],
    ['bad_records>-1', true],
    ['overlap_samples<.5', true],
    ['requests==+146', true],
  ];
  for (const [text, ok] of cases) {
    const [r] = checkExpectations([parseExpectation(text)], totals);
    assert.equal(r!.ok, ok, text);
  }
  assert.equal(parseExpectation(' max_gap_ms < 4.5e4 ').value, 45000);
  assert.equal(parseExpectation('max_gap_ms<4.5e4').op, '<');
});

test('a malformed expression names every key and every operator', () => {
  for (const bad of ['lost_samples', 'lost_samples=0', 'lost_samples===0', 'lost_samples=>0', 'lost_samples<>0', 'lost_samples==x', 'lost_samples==1e', '==0', 'lost==0']) {
    assert.throws(() => parseExpectation(bad), (err: Error) => {
      assert.ok(err.message.startsWith(`--expect ${JSON.stringify(bad)}: `), err.message);
      for (const k of EXPECT_KEYS) assert.ok(err.message.includes(k), `${bad}: names ${k}: ${err.message}`);
      assert.ok(err.message.includes('< <= == != >= >'), `${bad}: names the operators: ${err.message}`);
      return true;
    }, bad);
  }
  assert.throws(() => parseExpectation('lost==0'), /unknown key "lost"/);
  assert.throws(() => parseExpectation('lost_samples==1e999'), /1e999 is not a finite number/);
  assert.throws(() => parseExpectation('lost_samples=0'), /"=" is not an operator/);
});
