// Issue 12.11: label values, tenants and paths printed in tables and warnings have their control
// characters escaped (an ESC sequence in a label must not reach the terminal raw); JSON output
// escapes by itself and keeps the values as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printable } from '../../src/report/format.js';
import { renderTable } from '../../src/report/table.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderJson } from '../../src/report/json.js';
import { renderInspectTable } from '../../src/cli/commands/inspect.js';
import { renderStateTable } from '../../src/cli/commands/state.js';
import type { Report } from '../../src/report/types.js';

// anything a terminal would act on: C0, DEL, C1 (0x9b is an 8-bit CSI), bidi overrides, line separators
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test('printable: control characters as visible escapes, everything else untouched', () => {
  assert.equal(printable('plain → ü 日本'), 'plain → ü 日本');
  assert.equal(printable('a\x1b[31mred\x1b[0m'), 'a\\x1b[31mred\\x1b[0m');
  assert.equal(printable('l1\nl2\tx\r'), 'l1\\nl2\\tx\\r');
  assert.equal(printable('\u009b2J\u007f\u0000'), '\\x9b2J\\x7f\\x00');
  assert.equal(printable('abc\u202edef\u2028'), 'abc\\u202edef\\u2028');
});

const EVIL_TENANT = 't\x1b]0;owned\x07';
const EVIL_CLUSTER = 'c\x1b[2J';
const EVIL_REPLICA = 'r\u202e1';

function evilReport(): Report {
  const r = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'scenarios', 'bad-records', 'expected', 'report.json'), 'utf8')) as Report;
  r.clusters[0]!.tenant = EVIL_TENANT;
  r.clusters[0]!.cluster = EVIL_CLUSTER;
  r.clusters[0]!.replicas[0]!.replica = EVIL_REPLICA;
  r.clusters[0]!.elected_replica = EVIL_REPLICA;
  r.elections[0]!.tenant = EVIL_TENANT;
  r.elections[0]!.to = EVIL_REPLICA;
  r.tenants.push({ tenant: 'n\x1b[5m', requests: 1, samples: 1, accepted_samples: 0, deduped_samples: 0, non_ha_samples: 1, rejected_samples: 0, passthrough_samples: 0 });
  r.bad_records[0]!.input = 'in\x1b[8mput.ndjson';
  r.bad_records[0]!.reason = 'bad \x1b[1m reason';
  return r;
}

test('the table and markdown reports escape names, paths and reasons, at every width', () => {
  const r = evilReport();
  const md = renderMarkdown(r);
  for (const text of [renderTable(r, {}), renderTable(r, { width: 80 }), renderTable(r, { width: 30 }), md.replaceAll('\\\\', '\\')]) {
    assert.doesNotMatch(text, RAW);
    for (const want of ['t\\x1b]0;owned\\x07', 'c\\x1b[2J', 'r\\u202e1', 'n\\x1b[5m', 'in\\x1b[8mput.ndjson', 'bad \\x1b[1m reason']) {
      assert.ok(text.includes(want), `${want} in\n${text}`);
    }
  }
});

test('JSON keeps the values exactly (JSON escapes C0 controls, ESC among them, itself)', () => {
  const r = evilReport();
  const text = renderJson(r);
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f]/); // newlines of the layout aside
  const back = JSON.parse(text) as Report;
  assert.equal(back.clusters[0]!.tenant, EVIL_TENANT);
  assert.equal(back.clusters[0]!.replicas[0]!.replica, EVIL_REPLICA);
});

test('inspect and state tables escape tenants, clusters, replicas and paths', () => {
  const inspect = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'widths', 'fixture-inspect.json'), 'utf8'));
  inspect.inputs[0].path = 'cap\x1b[2J.rwcap';
  inspect.tenants[0].tenant = EVIL_TENANT;
  inspect.tenants[0].clusters[0].cluster = EVIL_CLUSTER;
  inspect.tenants[0].clusters[0].replicas[0].replica = EVIL_REPLICA;
  for (const w of [undefined, 80, 40]) {
    const text = renderInspectTable(inspect, w);
    assert.doesNotMatch(text, RAW);
    assert.ok(text.includes('cap\\x1b[2J.rwcap') && text.includes('t\\x1b]0;owned\\x07') && text.includes('r\\u202e1'), text);
  }
  const state = [{ tenant: EVIL_TENANT, cluster: EVIL_CLUSTER, elected_replica: EVIL_REPLICA, received_at: '2026-11-24T18:59:22.183Z', received_at_ms: 0, deleted_at: null, elected_at: null, elected_changes: 0, elections: 1 }];
  for (const w of [undefined, 80, 40]) {
    const text = renderStateTable(state, w);
    assert.doesNotMatch(text, RAW);
    assert.ok(text.includes('c\\x1b[2J') && text.includes('r\\u202e1'), text);
  }
});
