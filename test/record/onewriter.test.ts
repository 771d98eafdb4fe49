// One writer per capture (issue 13 point 1): a capture being recorded is locked (FILE.lock names
// the recorder); a second recorder on it, with or without --append, refuses with exit 2 naming
// the holder; a stale lock (its recorder killed with kill -9, or its pid reused) is taken over;
// replay and inspect read a capture while it is being recorded. The recorders are bin/ha-dedup
// processes (build first); the commands that end by themselves run in process (test/cli/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as os from 'node:os';
import { join } from 'node:path';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { send, readCapture, tempDir, fixtureRequests, spawnCli, RW1_HEADERS } from './helpers.js';
import { runCli } from '../cli/run.js';

const FIX = fixtureRequests().filter((r) => r.body.length > 0);

/** In process (test/cli/run.ts). */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a second recorder on a capture being recorded refuses with exit 2 naming the holder (with and without --append)', async () => {
  const t = tempDir('lock');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p1 = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out]);
    const url = await p1.url;
    for (let i = 0; i < 3; i++) assert.equal((await send(url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
    assert.ok(existsSync(`${out}.lock`), 'the lock file is beside the capture');
    const lockText = readFileSync(`${out}.lock`, 'utf8');
    assert.match(lockText, new RegExp(`^pid ${p1.child.pid}$`, 'm'));
    const size = statSync(out).size;
    const link = join(t.dir, 'same.rwcap');
    symlinkSync(out, link);
    for (const args of [['-o', out], ['-o', out, '--append'], ['-o', link, '--append']]) {
      const r = await run(['record', '--listen', '127.0.0.1:0', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`is being recorded by pid ${p1.child.pid} since \\S+: ha-dedup record --listen 127\\.0\\.0\\.1:0 -o ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; a capture has one writer`));
      assert.equal(statSync(out).size, size, 'the refused recorder did not touch the capture');
    }
    // the first recorder is unaffected
    for (let i = 3; i < 5; i++) assert.equal((await send(url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
    p1.child.kill('SIGTERM');
    assert.equal((await p1.exit).code, 0, p1.stderr());
    assert.ok(!existsSync(`${out}.lock`), 'the lock is removed when the recorder stops');
    assert.deepEqual(readCapture(out).records.map((r) => Buffer.from(r.body)), [0, 1, 2, 3, 4].map((i) => Buffer.from(FIX[i]!.body)));
    // and then the capture can be continued
    const p2 = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--append', '--max-requests', '1']);
    assert.equal((await send(await p2.url, { headers: RW1_HEADERS, body: FIX[5]!.body })).status, 204);
    assert.equal((await p2.exit).code, 0, p2.stderr());
    assert.equal(readCapture(out).records.length, 6);
  } finally {
    t.cleanup();
  }
});

test('a stale lock is taken over: its recorder was killed with kill -9, or its pid now runs something else', async () => {
  const t = tempDir('lock');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p1 = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out]);
    assert.equal((await send(await p1.url, { headers: RW1_HEADERS, body: FIX[0]!.body })).status, 204);
    p1.child.kill('SIGKILL');
    await p1.exit;
    assert.ok(existsSync(`${out}.lock`), 'kill -9 leaves the lock behind');
    const p2 = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--append', '--max-requests', '1']);
    const u2 = await p2.url;
    assert.match(p2.stderr(), new RegExp(`removed the stale lock .*c\\.rwcap\\.lock of pid ${p1.child.pid}, which no longer runs`));
    assert.equal((await send(u2, { headers: RW1_HEADERS, body: FIX[1]!.body })).status, 204);
    assert.equal((await p2.exit).code, 0, p2.stderr());
    assert.equal(readCapture(out).records.length, 2);
    assert.ok(!existsSync(`${out}.lock`));

    // a lock naming a live pid that started at another time (the pid was reused): stale too
    const header = 'ha-dedup record is writing the capture beside this file; remove it only if no recorder runs';
    const lock = (pid: number, host: string, start: string) =>
      `${header}\npid ${pid}\nhost ${host}\nboot \nstart ${start}\nstarted 2020-01-01T00:00:00.000Z\ncommand ha-dedup record -o c.rwcap\n`;
    writeFileSync(`${out}.lock`, lock(process.pid, os.hostname(), '1'));
    const p3 = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--append', '--max-requests', '1']);
    await p3.url;
    assert.match(p3.stderr(), new RegExp(`removed the stale lock .* of pid ${process.pid}`));
    p3.child.kill('SIGTERM');
    assert.equal((await p3.exit).code, 0, p3.stderr());

    // a lock from another host cannot be judged: refused, saying how to remove it
    writeFileSync(`${out}.lock`, lock(12345, 'elsewhere.example', '1'));
    const r = await run(['record', '--listen', '127.0.0.1:0', '-o', out, '--append']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /being recorded by pid 12345 on host elsewhere\.example .*if no recorder runs on elsewhere\.example, remove .*c\.rwcap\.lock/);
  } finally {
    t.cleanup();
  }
});

test('replay and inspect read a capture while it is being recorded, up to its last complete record', { timeout: 60_000 }, async () => {
  const t = tempDir('lock');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--tenant', 'live']);
    const url = await p.url;
    let acked = 0;
    let stop = false;
    const senders = Array.from({ length: 4 }, async (_, w) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = w; !stop && i < 20_000; i += 4) {
        const r = await send(url, { headers: RW1_HEADERS, body: FIX[i % FIX.length]!.body, agent });
        if (r.status === 204) acked++;
      }
      agent.destroy();
    });
    while (acked < 100) await new Promise((res) => setTimeout(res, 20));
    const before = acked;
    const report = join(t.dir, 'report.json');
    const [ins, rep] = await Promise.all([
      run(['inspect', out, '--json']),
      run(['replay', out, '--output-format', 'none', '--report', report, '--report-format', 'json']),
    ]);
    const during = acked;
    stop = true;
    await Promise.all(senders);
    p.child.kill('SIGTERM');
    assert.equal((await p.exit).code, 0, p.stderr());
    assert.ok(during > before, `the recorder kept writing while they read (${before} -> ${during})`);

    assert.equal(ins.code, 0, ins.stderr);
    const doc = JSON.parse(ins.stdout);
    assert.ok(doc.inputs[0].records >= before, `inspect read ${doc.inputs[0].records} records, ${before} were acknowledged before it started`);
    assert.ok(doc.inputs[0].bad_records <= 1, ins.stderr);
    assert.equal(rep.code, 0, rep.stderr);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    assert.ok(r.totals.requests >= before, `replay read ${r.totals.requests} requests, ${before} were acknowledged before it started`);
    // at most the record being written when the reader reached the end, reported as truncated
    for (const b of [...doc.bad_records, ...r.bad_records]) assert.match(b.reason, /truncated/);
    const total = readCapture(out).records.length;
    assert.ok(doc.inputs[0].records <= total && r.totals.requests <= total);
  } finally {
    t.cleanup();
  }
});
