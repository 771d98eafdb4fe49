// fixtures/doctor/readme.rwcap is what fixtures/doctor/make-readme-capture.ts writes from the
// bundled capture (deterministic), and holds the three mistakes docs/doctor.md says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build, TARGET } from '../../fixtures/doctor/make-readme-capture.js';

test('the committed README capture is the script\'s output, byte for byte', () => {
  const want = build();
  const have = new Uint8Array(readFileSync(TARGET));
  assert.equal(have.length, want.length);
  assert.ok(Buffer.from(have).equals(Buffer.from(want)), 'regenerate with: npx tsx fixtures/doctor/make-readme-capture.ts');
});
