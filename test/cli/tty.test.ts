// Terminal rules of the CLI (issue 14.1, 14.5): the width text is laid out for, the stdin hint,
// and a progress line that never wraps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLine, readsTerminalStdin, terminalWidth } from '../../src/cli/tty.js';
import { helpWidth } from '../../src/cli/voice.js';

test('terminalWidth: none off a terminal (full tables); COLUMNS, then the terminal size, then 80', () => {
  assert.equal(terminalWidth({ isTTY: false, columns: 50 }, { COLUMNS: '60' }), undefined);
  assert.equal(terminalWidth({}, {}), undefined);
  assert.equal(terminalWidth({ isTTY: true, columns: 50 }, { COLUMNS: '60' }), 60);
  assert.equal(terminalWidth({ isTTY: true, columns: 50 }, {}), 50);
  assert.equal(terminalWidth({ isTTY: true, columns: 50 }, { COLUMNS: 'wide' }), 50);
  assert.equal(terminalWidth({ isTTY: true, columns: 0 }, { COLUMNS: '0' }), 80);
  assert.equal(helpWidth({ isTTY: false }, { COLUMNS: '200' }), 80, 'help off a terminal: 80, as commander');
  assert.equal(helpWidth({ isTTY: true, columns: 132 }, {}), 132);
});

test('readsTerminalStdin: only when an input is stdin and stdin is a terminal', () => {
  assert.equal(readsTerminalStdin([], { isTTY: true }), true);
  assert.equal(readsTerminalStdin(['a.rwcap', '-'], { isTTY: true }), true);
  assert.equal(readsTerminalStdin(['a.rwcap'], { isTTY: true }), false);
  assert.equal(readsTerminalStdin([], { isTTY: false }), false);
});

test('the progress line is cut to the terminal width (a wrapped line cannot be redrawn with \\r)', () => {
  let out = '';
  let now = 0;
  const p = new ProgressLine({ write: (s: string) => (out += s), columns: 40 }, 0, 0, () => now);
  now = 5000;
  p.update({ requests: 123456, samples: 98765432, nowMs: 1_700_000_000_000 });
  const line = out.replace('\r\x1b[2K', '');
  assert.equal(line.length, 39);
  assert.ok(line.startsWith('replay: 123456 requests, 98765432 sampl'));
});
