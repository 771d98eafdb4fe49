// One list of input format names (issue 15.7): every command that reads inputs names all of
// INPUT_FORMATS, in that order, in its INPUT argument and its format option, and a bad format
// value is refused with the same list. In process (test/cli/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INPUT_FORMATS } from '../../src/pipeline/inputs.js';
import { runCli } from './run.js';

const NAMES = INPUT_FORMATS.join(', ');
const COMMANDS: [string, string, boolean][] = [
  // command, its format option, whether it takes INPUT... (convert takes one INPUT)
  ['replay', '--format', true],
  ['doctor', '--input-format', true],
  ['send', '--format', true],
  ['inspect', '--format', false],
  ['convert', '--format', false],
];

for (const [cmd, flag, inputs] of COMMANDS) {
  test(`${cmd} --help names every input format from the one list; a bad ${flag} is refused with it`, async () => {
    const help = await runCli([cmd, '--help']);
    assert.equal(help.status, 0, help.stderr);
    const flat = help.stdout.replace(/\s+/g, ' ');
    assert.ok(flat.includes(`${flag} <format> ${flag === '--format' && cmd === 'inspect' ? '' : 'input format: '}auto, ${NAMES} (default: "auto")`), `${cmd}: ${flag} lists ${NAMES}:\n${help.stdout}`);
    if (inputs) assert.match(flat, new RegExp(`INPUT \\S+(?: files)? \\(${NAMES}; gzip ok\\)`), `${cmd}: INPUT lists ${NAMES}`);
    const extra = cmd === 'send' ? ['--url', 'http://127.0.0.1:1/'] : cmd === 'convert' ? ['--to', 'ndjson', '-o', '/dev/null'] : [];
    const bad = await runCli([cmd, 'fixtures/prom-ha-dev.rwcap', flag, 'csv', ...extra]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.equal(bad.stderr, `ha-dedup: ${flag}: "csv" is not one of auto, ${NAMES}\n`);
  });
}
