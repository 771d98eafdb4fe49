// doctor's renderers and exit code: JSON (SPEC 12 shape, versioned, keys sorted), table,
// markdown; exit 1 at or above --fail-on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorExitCode } from '../../src/doctor/exit.js';
import { parseFailOn } from '../../src/cli/commands/doctor.js';
import { hang, renderJson, renderMarkdown, renderTable, wrap } from '../../src/doctor/render.js';
import type { DoctorReport, Finding } from '../../src/doctor/types.js';
import { HaDedupError } from '../../src/model/index.js';

const finding = (over: Partial<Finding>): Finding => ({
  code: 'mixed-request',
  severity: 'error',
  tenant: 't1',
  cluster: 'c1',
  replica: 'r1',
  count: 12,
  examples: [{ labels: { job: 'node', __name__: 'up', cluster: 'c1', __replica__: 'r2' }, at_ms: Date.UTC(2026, 10, 24, 18, 55, 30, 198), note: 'decided as c1/r1' }],
  fix: 'Send one (cluster, replica) per request.',
  ...over,
});
const report = (findings: Finding[]): DoctorReport => ({ version: 1, findings, inputs: [{ path: 'x.rwcap', format: 'rwcap', records: 146, bad_records: 0 }] });

test('json: exactly SPEC 12\'s shape, keys sorted at every level', () => {
  const text = renderJson(report([finding({}), finding({ code: 'too-many-clusters', severity: 'warn', cluster: null, replica: null, examples: [] })]));
  const v = JSON.parse(text);
  assert.deepEqual(Object.keys(v), ['findings', 'inputs', 'version']);
  assert.equal(v.version, 1);
  assert.deepEqual(Object.keys(v.findings[0]), ['cluster', 'code', 'count', 'examples', 'fix', 'replica', 'severity', 'tenant']);
  assert.deepEqual(Object.keys(v.findings[0].examples[0]), ['at_ms', 'labels', 'note']);
  assert.deepEqual(Object.keys(v.findings[0].examples[0].labels), ['__name__', '__replica__', 'cluster', 'job']);
  assert.equal(v.findings[1].cluster, null);
  assert.equal(v.findings[1].replica, null);
  assert.deepEqual(Object.keys(v.inputs[0]), ['bad_records', 'format', 'path', 'records']);
  assert.ok(text.endsWith('}\n'));
});

test('table: inputs, a summary, one row per finding, then each with examples and fix', () => {
  const text = renderTable(report([finding({}), finding({ code: 'stale-after-failover', severity: 'info', count: 1 })]));
  const lines = text.split('\n');
  assert.equal(lines[0], 'inputs: x.rwcap (rwcap, 146 records, 0 bad)');
  assert.equal(lines[1], '2 findings: 1 error, 0 warnings, 1 info');
  assert.match(text, /│ error    │ mixed-request        │ t1     │ c1      │ r1      │ 12 requests │/);
  assert.match(text, /│ info     │ stale-after-failover │ t1     │ c1      │ r1      │ 1 series    │/);
  assert.match(text, /^1\. error mixed-request: t1 \/ c1 \/ r1 \(12 requests\)$/m);
  assert.match(text, /^ {3}e\.g\. up\{__replica__="r2", cluster="c1", job="node"\} at 2026-11-24T18:55:30\.198Z: decided as c1\/r1$/m);
  assert.match(text, /^ {3}fix: Send one \(cluster, replica\) per request\.$/m);
  assert.equal(renderTable(report([])), 'inputs: x.rwcap (rwcap, 146 records, 0 bad)\nNo findings: the traffic shows no HA configuration problem doctor knows.\n');
});

test('wrap: lines of at most the width, words kept whole', () => {
  assert.deepEqual(wrap('aaa bbb ccc ddd', 10, '  '), ['  aaa bbb', '  ccc ddd']);
  assert.deepEqual(wrap('x'.repeat(20), 10, ''), ['x'.repeat(20)]);
});

test('markdown: a table and one section per finding, pipes escaped', () => {
  const text = renderMarkdown(report([finding({ fix: 'a | b' })]));
  assert.match(text, /^## ha-dedup doctor$/m);
  assert.match(text, /^\| severity \| code \| tenant \| cluster \| replica \| count \|$/m);
  assert.match(text, /^\| error \| mixed-request \| t1 \| c1 \| r1 \| 12 requests \|$/m);
  assert.match(text, /^### 1\. error: `mixed-request` \(t1 \/ c1 \/ r1\)$/m);
  assert.match(text, /^\*\*Fix:\*\* a \\\| b$/m);
});

test('exit code: 1 at or above --fail-on (default error), else 0', () => {
  const warn = [finding({ severity: 'warn' })];
  assert.equal(doctorExitCode([]), 0);
  assert.equal(doctorExitCode(warn), 0);
  assert.equal(doctorExitCode(warn, 'warn'), 1);
  assert.equal(doctorExitCode(warn, 'info'), 1);
  assert.equal(doctorExitCode([finding({ severity: 'info' })], 'warn'), 0);
  assert.equal(doctorExitCode([finding({})]), 1);
  assert.equal(doctorExitCode([finding({})], 'never'), 0);
  assert.equal(doctorExitCode([finding({ severity: 'info' })], 'never'), 0);
  assert.equal(parseFailOn('warn'), 'warn');
  assert.equal(parseFailOn('never'), 'never');
  assert.throws(() => parseFailOn('fatal'), (e: unknown) => e instanceof HaDedupError && e.exitCode === 2 && /--fail-on must be one of error, warn, info, never \(got "fatal"\)/.test(e.message));
});

test('table on a narrow terminal: every line within the width, the overview table left out when it would not fit', () => {
  const long = finding({ fix: 'word '.repeat(60).trim(), tenant: 'a-rather-long-tenant-name' });
  const wide = renderTable(report([long]));
  assert.match(wide, /│ error    │ mixed-request │ a-rather-long-tenant-name │/);
  assert.ok(wide.split('\n').every((l) => l.length <= 100), wide);
  const narrow = renderTable(report([long]), 60);
  assert.ok(narrow.split('\n').every((l) => l.length <= 60), narrow);
  assert.doesNotMatch(narrow, /│/, 'no overview table at 60 columns');
  assert.match(narrow, /^1\. error mixed-request: a-rather-long-tenant-name \/ c1 \/ r1\n {3}\(12 requests\)\n {3}e\.g\. /m);
  assert.deepEqual(hang('aaa bbb ccc ddd', 8, '  '), ['aaa bbb', '  ccc', '  ddd']);
});
