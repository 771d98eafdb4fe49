// Issue 12.11 across the commands: text that came from the input (label values, tenants, paths,
// the reasons of bad records, which quote the input) is printed in tables and warnings with its
// control characters escaped, by every command. test/report/escape.test.ts covers the report
// renderers; this covers doctor's renderers and each command's warnings, end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMarkdown, renderTable } from '../../src/doctor/render.js';
import type { DoctorReport } from '../../src/doctor/types.js';
import { ROOT, runCli } from './run.js';

// what a terminal acts on: C0 (newline aside), DEL, C1, bidi overrides, line separators
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test('doctor\'s table and markdown escape tenants, clusters, replicas, label values, notes and paths', () => {
  const report: DoctorReport = {
    version: 1,
    inputs: [{ path: 'in\x1b[8m.rwcap', format: 'rwcap', records: 3, bad_records: 0 }],
    findings: [
      {
        code: 'partial-ha-labels',
        severity: 'error',
        tenant: 't\x1b]0;owned\x07',
        cluster: 'c\x1b[2J',
        replica: 'r\u202e1',
        count: 1,
        examples: [{ labels: { __name__: 'up', cluster: 'c\x1b[2J', job: 'j\u009b1m' }, at_ms: 1_700_000_000_000, note: 'carries `cluster=c\x1b[2J`\nand more' }],
        fix: 'set the replica label on r\u202e1',
      },
    ],
  };
  for (const text of [renderTable(report), renderTable(report, 40), renderMarkdown(report).replaceAll('\\\\', '\\')]) {
    assert.doesNotMatch(text, RAW, text);
    for (const want of ['t\\x1b]0;owned\\x07', 'c\\x1b[2J', 'r\\u202e1', 'in\\x1b[8m.rwcap', '\\x9b1m', '\\nand']) assert.ok(text.includes(want), `${want} in\n${text}`);
  }
});

test('warnings of replay, convert, inspect, doctor and send quote bad input with its control characters escaped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-escape-'));
  try {
    const input = join(dir, 'in.ndjson');
    // JSON.parse's message quotes the line: the ESC of the input reaches the reason
    const good = JSON.stringify({ received_at_ms: 1_700_000_000_500, labels: { __name__: 'up', cluster: 'c\x1b[2J', __replica__: 'a' }, timestamp: 1_700_000_000_000, value: 1 });
    writeFileSync(input, `${good}\n\x1b[31mnot json\u009b\n`);
    const cmds = [
      ['replay', input, '--format', 'ndjson', '--output-format', 'none'],
      ['convert', input, '--format', 'ndjson', '-o', join(dir, 'out.ndjson'), '--to', 'ndjson'],
      ['inspect', input, '--format', 'ndjson'],
      ['doctor', input, '--input-format', 'ndjson'],
      // nothing listens on port 9: the request is refused, the warning is what matters
      ['send', input, '--format', 'ndjson', '--url', 'http://127.0.0.1:9/api/v1/push', '--retries', '0'],
    ];
    for (const args of cmds) {
      const r = await runCli(args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
      assert.match(r.stderr, /line 2 at byte \d+: invalid JSON: Unexpected token '\\x1b', "\\x1b\[31mnot json\\x9b" is not valid JSON/, `${args[0]}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, RAW, args[0]);
      assert.doesNotMatch(r.stdout, RAW, args[0]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
