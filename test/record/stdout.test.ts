// `record -o -` answers 204 only for what the reader received (issue 13 point 3). The reader is a
// real `head -c 100000` reading the recorder's stdout and then closing it, as in the issue, both
// through a shell pipe (a FIFO) and through the socket node gives a child for stdio 'pipe': every
// request answered 204 must be a complete record within the bytes head read; once head is gone
// the recorder answers 503, stops, prints its summary with the number acknowledged, exits 2.
// Needs perl (the pipe helper; Debian's perl-base is Essential) and head (coreutils).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { send, readCaptureBytes, tempDir, fixtureRequests, BIN, RW1_HEADERS } from './helpers.js';

const FIX = fixtureRequests().filter((r) => r.body.length > 0);
const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;

interface Run {
  code: number | null;
  stderr: string;
  acked: Set<number>;
  statuses: Map<string, number>;
  headOut: Buffer;
}

/**
 * A recorder whose stdout goes into `head -c LIMIT` (through a shell pipe, or a socket pair as
 * node's spawn makes), under SENDERS senders posting until it stops.
 */
export async function recordIntoHead(t: { dir: string }, limit: number, senders: number, via: 'shell pipe' | 'socket'): Promise<Run> {
  const headFile = join(t.dir, 'head.out');
  let rec: ReturnType<typeof spawn>;
  let head: ReturnType<typeof spawn> | null = null;
  if (via === 'shell pipe') {
    const script = '"$0" "$1" record --listen 127.0.0.1:0 -o - | head -c "$2" > "$3"; echo "recorder exit ${PIPESTATUS[0]}" >&2';
    rec = spawn('bash', ['-c', script, process.execPath, BIN, String(limit), headFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const hfd = openSync(headFile, 'w');
    head = spawn('head', ['-c', String(limit)], { stdio: ['pipe', hfd, 'inherit'] });
    closeSync(hfd);
    rec = spawn(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', '-o', '-'], { stdio: ['ignore', head.stdin!, 'pipe'] });
    head.stdin!.destroy(); // the recorder holds the only write end now
  }
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    rec.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+?),/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    rec.on('close', () => reject(new Error(`recorder exited early: ${stderr}`)));
  });
  const exit = new Promise<number | null>((resolve) => rec.on('close', (code) => resolve(code)));
  let done = false;
  void exit.then(() => (done = true));
  const acked = new Set<number>();
  const statuses = new Map<string, number>();
  let seq = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (!done && seq < 5000) {
        const i = seq++;
        let s: string;
        try {
          const r = await send(url, { headers: { ...RW1_HEADERS, 'X-Seq': String(i) }, body: FIX[i % FIX.length]!.body, agent });
          s = String(r.status);
          if (r.status === 204) acked.add(i);
        } catch (e) {
          s = (e as { code?: string }).code ?? 'error';
        }
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
      agent.destroy();
    }),
  );
  let code = await exit;
  if (head) await new Promise<void>((resolve) => (head.exitCode !== null ? resolve() : head.on('close', () => resolve())));
  else code = Number(/recorder exit (\d+)/.exec(stderr)?.[1] ?? -1);
  return { code, stderr, acked, statuses, headOut: readFileSync(headFile) };
}

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
