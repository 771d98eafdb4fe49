// `record --append` never cuts good records (issue 13 point 2): the two cases, a flipped
// bit in record 50's length prefix and two captures joined with cat, are refused with exit 3,
// the offset and a repair that works; the file is left byte for byte as it was. In process (test/cli/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readCapture, tempDir, FIXTURE } from './helpers.js';
import { runCli } from '../cli/run.js';

/** In process (test/cli/run.ts). */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The repair command the refusal prints ("head -c ... && tail -c ..."), run with sh. */
function runRepair(stderr: string): void {
  const m = /to keep all \d+ good records: (head -c .*?), and record with --append/.exec(stderr);
  assert.ok(m, stderr);
  execFileSync('sh', ['-c', m[1]!]);
}

test('--append refuses a capture whose record 50 has a flipped bit in its length prefix (exit 3, file unchanged, repair keeps 145 records)', async () => {
  const t = tempDir('append');
  try {
    const fix = readFileSync(FIXTURE);
    const cap = readCapture(FIXTURE);
    const at = cap.offsets[50]!;
    const out = join(t.dir, 'c.rwcap');
    const bad = Buffer.from(fix);
    bad[at + 1]! ^= 0x01; // the case: record 50 now declares 128 bytes more and swallows part of 51
    writeFileSync(out, bad);
    const r = await run(['record', '--listen', '127.0.0.1:0', '-o', out, '--append']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`record 50 at byte ${at} is damaged: .*not a truncated last record \\(${fix.length - at} bytes follow it\\), so nothing was cut`));
    assert.match(r.stderr, new RegExp(`good records resume at byte ${cap.offsets[51]} \\(95 records to the end\\)`));
    assert.ok(readFileSync(out).equals(bad), 'the file is unchanged');
    runRepair(r.stderr);
    const repaired = readCapture(`${out}.repaired`);
    assert.equal(repaired.truncated, undefined);
    assert.deepEqual(
      repaired.records.map((x) => Buffer.from(x.body)),
      cap.records.filter((_, i) => i !== 50).map((x) => Buffer.from(x.body)),
      'every record but the damaged one',
    );
  } finally {
    t.cleanup();
  }
});

test('--append refuses two captures joined with cat (exit 3, the second header\'s offset, a repair that joins them)', async () => {
  const t = tempDir('append');
  try {
    const fix = readFileSync(FIXTURE);
    const cap = readCapture(FIXTURE);
    const out = join(t.dir, 'c.rwcap');
    const joined = Buffer.concat([fix, fix]);
    writeFileSync(out, joined);
    const r = await run(['record', '--listen', '127.0.0.1:0', '-o', out, '--append']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`record 146 at byte ${fix.length} is damaged: a second capture starts here .*two captures joined with cat`));
    assert.match(r.stderr, new RegExp(`good records resume at byte ${fix.length + 7} \\(146 records to the end\\)`));
    assert.ok(readFileSync(out).equals(joined), 'the file is unchanged');
    runRepair(r.stderr);
    const repaired = readCapture(`${out}.repaired`);
    assert.equal(repaired.records.length, 292);
    assert.ok(readFileSync(`${out}.repaired`).equals(Buffer.concat([fix, fix.subarray(7)])));
  } finally {
    t.cleanup();
  }
});

test('--append refuses bytes after the last record that are not the start of one; the hint is convert', async () => {
  const t = tempDir('append');
  try {
    const fix = readFileSync(FIXTURE);
    const out = join(t.dir, 'c.rwcap');
    writeFileSync(out, Buffer.concat([fix, Buffer.from('a note someone appended with echo\n')]));
    const r = await run(['record', '--listen', '127.0.0.1:0', '-o', out, '--append']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`record 146 at byte ${fix.length} is damaged`));
    assert.match(r.stderr, /to keep the 146 good records before it: ha-dedup convert .*c\.rwcap -o .*c\.rwcap\.repaired --to rwcap/);
    const c = await run(['convert', out, '-o', `${out}.repaired`, '--to', 'rwcap']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(readCapture(`${out}.repaired`).records.length, 146);
  } finally {
    t.cleanup();
  }
});
