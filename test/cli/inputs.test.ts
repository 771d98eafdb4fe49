// Issue 12.6: an input in no known format, a forced --format on the wrong input, and the cap on
// warning lines. Reproducers by hand; on main the first was exit 0 with one snappy warning, the
// second printed 15,000 warnings, and every bad record had a line of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { runCli } from './run.js';
import { tempDir } from '../wire/helpers.js';

const FORMATS = '(rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json)';
const GOOD = (i: number) => `{"labels":{"__name__":"up","cluster":"c","__replica__":"a"},"timestamp":${1700000000000 + i * 15000},"value":1}`;

/** A generator of "random" bytes that are neither gzip, rwcap nor JSON (seeded, so the file is the same every run). */
function junk(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  out[0] = 0x80; // not "{", not gzip's 0x1f, not "R"
  return out;
}

test('12.6: a file in no known format is exit 3 "not a recognised input ...; use --format" (replay, inspect, convert)', async () => {
  const t = tempDir();
  try {
    for (const [name, data] of [
      ['hello.txt', 'hello world\n'],
      ['junk.bin', junk(5000)],
      ['junk.bin.gz', gzipSync(junk(5000))],
      ['other.json', '{"some":"json","but":"no known keys"}\n'],
    ] as const) {
      const path = t.file(name, data);
      for (const args of [['replay', path, '-o', t.file('out.ndjson')], ['inspect', path], ['convert', path, '--to', 'ndjson', '-o', '-']]) {
        const r = await runCli(args);
        assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, `ha-dedup: ${path}: not a recognised input ${FORMATS}; use --format\n`, args.join(' '));
      }
    }
  } finally {
    t.cleanup();
  }
});

test('12.6: a forced --format on an input whose first records are all bad stops after 100: exit 3 "does not look like FORMAT", 20 warning lines and one "… 80 more"', async () => {
  const t = tempDir();
  try {
    const garbage = t.file('garbage.txt', Array.from({ length: 15000 }, (_, i) => `garbage line ${i}`).join('\n') + '\n');
    for (const format of ['ndjson', 'vm-json', 'rwcap-json']) {
      const r = await runCli(['replay', garbage, '--format', format, '-o', t.file('out.ndjson')]);
      assert.equal(r.status, 3, r.stderr);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 22, r.stderr);
      for (let i = 0; i < 20; i++) assert.match(lines[i]!, new RegExp(`^ha-dedup: warning: ${garbage}: line ${i + 1} at byte \\d+: invalid JSON`));
      assert.equal(lines[20], `ha-dedup: warning: ${garbage}: … 80 more bad records`);
      assert.match(lines[21]!, new RegExp(`^ha-dedup: ${garbage}: does not look like ${format}: its first 100 records are all bad \\(the first: invalid JSON: .*\\); check --format$`));
    }
    // a good record among the first 100: it is the input's format after all, every bad record is skipped
    const mixed = t.file('mixed.ndjson', [...Array.from({ length: 99 }, (_, i) => `garbage ${i}`), GOOD(0), ...Array.from({ length: 500 }, (_, i) => `garbage ${i}`), GOOD(1)].join('\n') + '\n');
    const r = await runCli(['replay', mixed, '--format', 'ndjson', '-o', t.file('out.ndjson'), '--report', t.file('r.json')]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(t.file('r.json'), 'utf8'));
    assert.equal(report.totals.bad_records, 599);
    assert.equal(report.totals.requests, 2);
  } finally {
    t.cleanup();
  }
});

test('12.6: in any run, warnings per input are capped at 20 lines plus one "… N more bad records" line; the report keeps the count and the first 100', async () => {
  const t = tempDir();
  try {
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(GOOD(i), `not json ${i}`);
    const a = t.file('a.ndjson', lines.join('\n') + '\n');
    const b = t.file('b.ndjson', [GOOD(1000), 'bad', 'bad', GOOD(1001)].join('\n') + '\n');
    const report = t.file('r.json');
    const r = await runCli(['replay', a, b, '-o', t.file('out.ndjson'), '--report', report]);
    assert.equal(r.status, 0, r.stderr);
    const warn = r.stderr.split('\n').filter((l) => l.startsWith('ha-dedup: warning: '));
    assert.equal(warn.filter((l) => l.includes(`${a}: line `)).length, 20);
    assert.equal(warn.filter((l) => l.includes(`${b}: line `)).length, 2);
    assert.ok(warn.includes(`ha-dedup: warning: ${a}: … 130 more bad records`), r.stderr);
    assert.equal(warn.filter((l) => l.includes('more bad records')).length, 1, 'no "more" line for an input under the cap');
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    assert.equal(rep.totals.bad_records, 152);
    assert.equal(rep.bad_records.length, 100);
    assert.deepEqual(
      rep.inputs.map((i: { bad_records: number }) => i.bad_records),
      [150, 2],
    );
    assert.equal(rep.totals.requests, 152, 'every good record around the bad ones is kept');
    // inspect and convert cap their warnings the same way
    for (const args of [['inspect', a], ['convert', a, '--to', 'ndjson', '-o', t.file('c.ndjson')]]) {
      const x = await runCli(args);
      assert.equal(x.status, 0, x.stderr);
      const w = x.stderr.split('\n').filter((l) => l.startsWith('ha-dedup: warning: '));
      assert.equal(w.length, 21, `${args[0]}: ${x.stderr}`);
      assert.equal(w[20], `ha-dedup: warning: ${a}: … 130 more bad records`);
    }
  } finally {
    t.cleanup();
  }
});
