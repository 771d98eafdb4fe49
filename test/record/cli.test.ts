// `ha-dedup record`: the listen line, signals and the summary, exit codes for an existing
// output, --append (magic check, tail repair), -o -, --max-requests, --duration, and a recorder
// killed with SIGKILL under load. A recorder that is signalled (SIGTERM, SIGINT, SIGKILL) or
// writes to stdout (-o - writes to file descriptor 1 itself) is bin/ha-dedup in a process of its
// own (build first; npm test does); the others, and the commands that end before they serve, run
// in process (test/cli/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { join } from 'node:path';
import { writeFileSync, readFileSync, appendFileSync, statSync } from 'node:fs';
import { send, readCapture, readCaptureBytes, readWithWireReader, tempDir, fixtureRequests, spawnCli, recordInProcess, RW1_HEADERS } from './helpers.js';
import { runCli } from '../cli/run.js';

const FIX = fixtureRequests();

/** In process (test/cli/run.ts): commands that end before serving anything. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('records until SIGTERM, then prints a per-tenant summary and exits 0', async () => {
  const t = tempDir('cli');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--tenant', 'dflt']);
    const url = await p.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (let i = 0; i < 3; i++) assert.equal((await send(url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
    assert.equal((await send(url, { headers: { ...RW1_HEADERS, 'X-Scope-OrgID': 'team-b' }, body: FIX[3]!.body })).status, 204);
    assert.equal((await send(url, { method: 'GET' })).status, 405);
    p.child.kill('SIGTERM');
    const { code } = await p.exit;
    assert.equal(code, 0, p.stderr());
    const err = p.stderr();
    assert.match(err, /SIGTERM: recorded 4 requests/);
    assert.match(err, /tenant dflt: 3 requests/);
    assert.match(err, /tenant team-b: 1 requests/);
    assert.match(err, /answered other than 204: 1×405/);
    const cap = readCapture(out);
    assert.equal(cap.records.length, 4);
    // body bytes and file bytes are two figures, each named
    const bodies = [0, 1, 2, 3].reduce((n, i) => n + FIX[i]!.body.length, 0);
    assert.match(err, new RegExp(`^  ${bodies} bytes \\([\\d.]+ KiB\\) of bodies; ${statSync(out).size - 7} bytes \\([\\d.]+ KiB\\) of records written to the file$`, 'm'));
    assert.doesNotMatch(err, /aborted/);
    assert.deepEqual(cap.records.map((r) => r.tenant), ['dflt', 'dflt', 'dflt', 'team-b']);
  } finally {
    t.cleanup();
  }
});

test('an existing output is an error without --append (exit 2, one line, file untouched)', async () => {
  const t = tempDir('cli');
  try {
    const out = join(t.dir, 'c.rwcap');
    writeFileSync(out, 'precious');
    const r = await run(['record', '--listen', '127.0.0.1:0', '-o', out]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /already exists; use --append/);
    assert.equal(readFileSync(out, 'utf8'), 'precious');
    // --append to something that is not a capture: exit 3, one line, untouched
    const a = await run(['record', '--listen', '127.0.0.1:0', '-o', out, '--append']);
    assert.equal(a.code, 3);
    assert.equal(a.stderr.trim().split('\n').length, 1, a.stderr);
    assert.match(a.stderr, /is not an rwcap capture/);
    assert.equal(readFileSync(out, 'utf8'), 'precious');
  } finally {
    t.cleanup();
  }
});

test('usage errors name the option: bad --listen, address in use, bad --max-body, bad pattern', async () => {
  const t = tempDir('cli');
  const server = http.createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  try {
    const port = (server.address() as { port: number }).port;
    const cases: [string[], RegExp][] = [
      [['--listen', 'nope'], /--listen/],
      [['--listen', `127.0.0.1:${port}`], /address already in use/],
      [['--listen', '127.0.0.1:0', '--max-body', 'lots'], /--max-body/],
      [['--listen', '127.0.0.1:0', '--tenant-from-path', '/api/v1/push'], /--tenant-from-path.*\{tenant\}/],
      [['--listen', '127.0.0.1:0', '--duration', 'soon'], /--duration/],
      [['--listen', '127.0.0.1:0', '--tenant', 'team/a'], /--tenant: "team\/a" is not a tenant id Cortex\/Mimir accept: contains unsupported character '\/'/],
    ];
    const results = await Promise.all(cases.map(([args], i) => run(['record', '-o', join(t.dir, `u${i}.rwcap`), ...args])));
    for (const [i, [args, re]] of cases.entries()) {
      const r = results[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!r.stderr.includes('    at '), 'no stack trace');
      assert.throws(() => statSync(join(t.dir, `u${i}.rwcap`)), /ENOENT/, 'no capture file left behind');
    }
  } finally {
    server.close();
    t.cleanup();
  }
});

test('--append adds after existing records; --max-requests stops by itself', async () => {
  const t = tempDir('cli');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p1 = recordInProcess(['record', '--listen', '127.0.0.1:0', '-o', out, '--max-requests', '2']);
    const u1 = await p1.url;
    for (let i = 0; i < 2; i++) assert.equal((await send(u1, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
    assert.equal((await p1.exit).code, 0);
    assert.match(p1.stderr(), /--max-requests reached: recorded 2 requests/);
    const p2 = recordInProcess(['record', '--listen', '127.0.0.1:0', '-o', out, '--append', '--max-requests', '1']);
    const u2 = await p2.url;
    assert.match(p2.stderr(), /appending after 2 records/);
    assert.equal((await send(u2, { headers: RW1_HEADERS, body: FIX[2]!.body })).status, 204);
    assert.equal((await p2.exit).code, 0);
    const cap = readCapture(out);
    assert.deepEqual(cap.records.map((r) => Buffer.from(r.body)), [0, 1, 2].map((i) => Buffer.from(FIX[i]!.body)));
  } finally {
    t.cleanup();
  }
});

test('--append cuts off a truncated last record (with a warning) before adding', async () => {
  const t = tempDir('cli');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p1 = recordInProcess(['record', '--listen', '127.0.0.1:0', '-o', out, '--max-requests', '1']);
    assert.equal((await send(await p1.url, { headers: RW1_HEADERS, body: FIX[0]!.body })).status, 204);
    assert.equal((await p1.exit).code, 0);
    const good = statSync(out).size;
    // what a recorder killed in the middle of a write leaves: the first 500 bytes of a record
    const cut = readCapture(out).raw[0]!.subarray(0, 500);
    appendFileSync(out, cut);
    assert.ok(readCapture(out).truncated);
    // replay reports the truncated last record and uses the one before it
    const report = join(t.dir, 'report.json');
    const rp = await run(['replay', out, '--output-format', 'none', '--report-format', 'json', '--report', report]);
    assert.equal(rp.code, 0, rp.stderr);
    assert.match(rp.stderr, new RegExp(`record 1 at byte ${good}: truncated`));
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    assert.equal(rep.totals.requests, 1);
    assert.deepEqual(rep.bad_records.map((b: { offset: number }) => b.offset), [good]);
    const p2 = recordInProcess(['record', '--listen', '127.0.0.1:0', '-o', out, '--append', '--max-requests', '1']);
    const u2 = await p2.url;
    assert.match(p2.stderr(), new RegExp(`cut off a truncated last record \\(500 bytes at byte ${good}\\)`));
    assert.equal((await send(u2, { headers: RW1_HEADERS, body: FIX[1]!.body })).status, 204);
    assert.equal((await p2.exit).code, 0);
    const cap = readCapture(out);
    assert.equal(cap.truncated, undefined);
    assert.equal(cap.records.length, 2);
    assert.equal(cap.offsets[1], good);
  } finally {
    t.cleanup();
  }
});

test('-o - streams the capture to stdout; --duration stops by itself', async () => {
  const p = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', '-', '--duration', '1500ms']);
  const url = await p.url;
  for (let i = 0; i < 3; i++) assert.equal((await send(url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
  const { code } = await p.exit;
  assert.equal(code, 0, p.stderr());
  assert.match(p.stderr(), /--duration reached: recorded 3 requests/);
  const cap = readCaptureBytes(p.stdout());
  assert.equal(cap.truncated, undefined);
  assert.deepEqual(cap.records.map((r) => Buffer.from(r.body)), [0, 1, 2].map((i) => Buffer.from(FIX[i]!.body)));
});

test('a recorder killed with SIGKILL under load leaves every answered record intact, at most a truncated last one', async () => {
  const t = tempDir('cli');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out]);
    const url = await p.url;
    const answered = new Set<number>();
    let seq = 0;
    let dead = false;
    const sender = async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (!dead) {
        const i = seq++;
        try {
          const r = await send(url, { headers: { ...RW1_HEADERS, 'X-Seq': String(i) }, body: FIX[i % FIX.length]!.body, agent });
          if (r.status === 204) answered.add(i);
        } catch {
          break; // the recorder is gone
        }
      }
      agent.destroy();
    };
    const senders = Array.from({ length: 6 }, sender);
    // kill mid-load: after 700 ms and more than 20 answers (a loaded machine answers slower;
    // a fixed 700 ms saw 0-15 answers at load average 25-45), at most 60 s
    const started = Date.now();
    while ((Date.now() - started < 700 || answered.size <= 20) && Date.now() - started < 60_000) {
      await new Promise((res) => setTimeout(res, 20));
    }
    p.child.kill('SIGKILL');
    await p.exit;
    dead = true;
    await Promise.all(senders);
    assert.ok(answered.size > 20, `load was running (${answered.size} answered)`);
    const cap = readCapture(out); // throws if any complete record is damaged (CRC checked)
    // the wire layer's reader (replay's): every record decodes; at most the last is bad, as a truncation
    const wire = await readWithWireReader(out);
    assert.equal(wire.requests.length, cap.records.length);
    assert.ok(wire.bad.length <= 1, JSON.stringify(wire.bad));
    if (cap.truncated) {
      assert.equal(wire.bad.length, 1);
      assert.equal(wire.bad[0]!.offset, cap.truncated.offset);
      assert.match(wire.bad[0]!.reason, /truncat/);
    } else assert.equal(wire.bad.length, 0);
    for (const [k, req] of wire.requests.entries()) {
      assert.deepEqual(Buffer.from(req.captured!.body), Buffer.from(cap.records[k]!.body), `record ${k}`);
    }
    const inFile = new Map(cap.records.map((r) => [Number(r.headers['x-seq']), r]));
    for (const i of answered) {
      const r = inFile.get(i);
      assert.ok(r, `request ${i} was answered 204 but is not in the capture`);
      assert.deepEqual(Buffer.from(r.body), Buffer.from(FIX[i % FIX.length]!.body));
    }
    // the file can be continued: --append repairs a truncated tail if there is one
    const p2 = recordInProcess(['record', '--listen', '127.0.0.1:0', '-o', out, '--append', '--max-requests', '1']);
    assert.equal((await send(await p2.url, { headers: RW1_HEADERS, body: FIX[0]!.body })).status, 204);
    assert.equal((await p2.exit).code, 0);
    const after = readCapture(out);
    assert.equal(after.truncated, undefined);
    assert.equal(after.records.length, cap.records.length + 1);
  } finally {
    t.cleanup();
  }
});

test('SIGINT stops too; --fsync records the same bytes', async () => {
  const t = tempDir('cli');
  try {
    const out = join(t.dir, 'c.rwcap');
    const p = spawnCli(['record', '--listen', '127.0.0.1:0', '-o', out, '--fsync']);
    const url = await p.url;
    for (let i = 0; i < 4; i++) assert.equal((await send(url, { headers: RW1_HEADERS, body: FIX[i]!.body })).status, 204);
    p.child.kill('SIGINT');
    assert.equal((await p.exit).code, 0, p.stderr());
    assert.match(p.stderr(), /SIGINT: recorded 4 requests/);
    assert.deepEqual(readCapture(out).records.map((r) => Buffer.from(r.body)), [0, 1, 2, 3].map((i) => Buffer.from(FIX[i]!.body)));
  } finally {
    t.cleanup();
  }
});
