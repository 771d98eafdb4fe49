import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
// @ts-expect-error plain ESM script without types
import { render } from '../../scripts/readme.mjs';

// The README's usage blocks (`--help` of every command) and its example outputs (inspect and
// replay on the bundled fixture) are the real output of the built CLI; regenerate them with
// `node scripts/readme.mjs`.
test('README usage and example blocks equal what the CLI prints', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const blocks = readme.match(/<!-- BEGIN run: /g) ?? [];
  assert.ok(blocks.length >= 7, `README has ${blocks.length} generated blocks`);
  for (const cmd of ['--help', 'replay --help', 'record --help', 'inspect --help', 'convert --help', 'state --help', 'send --help']) {
    assert.ok(readme.includes(`<!-- BEGIN run: ${cmd} -->`), `README shows ${cmd}`);
  }
  assert.equal(render(readme), readme);
});
