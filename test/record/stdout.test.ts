// `record -o -` answers 204 only for what the reader received (issue 13 point 3). The reader is a
// real `head -c 100000` reading the recorder's stdout and then closing it, as in the issue, both
// through a shell pipe (a FIFO) and through the socket node gives a child for stdio 'pipe': every
// request answered 204 must be a complete record within the bytes head read; once head is gone
// the recorder answers 503, stops, prints its summary with the number acknowledged, exits 2.
// Needs perl (the pipe helper; Debian's perl-base is Essential) and head (coreutils).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readCaptureBytes, tempDir, recordIntoHead, BIN } from './helpers.js';

const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;

for (const via of ['shell pipe', 'socket'] as const) {
  test(`record -o - | head -c 100000 (${via}): every 204 is a record head read; then 503, the summary, exit 2`, { skip: hasPerl ? false : 'perl is not installed (the pipe helper needs it)', timeout: 60_000 }, async () => {
    const t = tempDir('stdout');
    try {
      const r = await recordIntoHead(t, 100_000, 4, via);
      assert.equal(r.headOut.length, 100_000, 'head read its 100000 bytes');
      const got = readCaptureBytes(r.headOut);
      const reached = new Set(got.records.map((x) => Number(x.headers['x-seq'])));
      assert.ok(r.acked.size > 0, `some requests were acknowledged: ${[...r.statuses]}`);
      for (const seq of r.acked) assert.ok(reached.has(seq), `request ${seq} was answered 204 but its record did not reach the reader`);
      assert.ok((r.statuses.get('503') ?? 0) > 0, `requests after the reader went away were answered 503: ${[...r.statuses]}`);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`stdout closed \\(the reader of stdout went away\\): recorded ${r.acked.size} requests to stdout`));
      assert.match(r.stderr, /answered other than 204: \d+×503/);
      assert.match(r.stderr, new RegExp(`stopped because the reader of stdout went away: ${r.acked.size} requests were acknowledged`));
    } finally {
      t.cleanup();
    }
  });
}

test('record -o - without the pipe helper says that 204 then means handed to the pipe', { timeout: 30_000 }, async () => {
  const p = spawnSync(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', '-o', '-', '--duration', '300ms'], {
    env: { ...process.env, PATH: '/nonexistent' }, // no perl
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /warning: cannot see what the reader of stdout has read \(perl is not installed\): 204 means handed to the pipe/);
  assert.equal(p.stdout, 'RWCAP1\n');
});
