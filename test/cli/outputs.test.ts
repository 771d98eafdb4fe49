// Issue 12, outputs: an output never destroys an input (12.9), `| head` never hides a result and
// an unwritable stdout or stderr is exit 2 without a stack trace (12.10), --report - (12.10),
// an empty run is not a pass (12.7), the report says the clock it used (12.12). In process
// (test/cli/run.ts) where the stream's failure can be simulated; bin/ha-dedup where a real
// process matters (a pipe to head, /dev/full, stderr's reader gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { chmodSync, existsSync, linkSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, runCli, type RunOptions } from './run.js';

const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');
const BAD = join(ROOT, 'fixtures', 'scenarios', 'bad-records', 'input.ndjson');
const STACK = /\n\s+at |internal error|this is a bug|node:internal/;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete e.FORCE_COLOR;
  return e;
}

const cli = (args: string[], opts: RunOptions = {}) => runCli(args, { cwd: ROOT, env: env(), ...opts });

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-outputs-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** No temporary file left beside the targets. */
function noTemporaries(dir: string): void {
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.ha-dedup-')),
    [],
  );
}

const LINE = (ts: number, replica: string, recv: boolean) =>
  JSON.stringify({ ...(recv ? { received_at_ms: ts + 500 } : {}), labels: { __name__: 'up', cluster: 'c1', __replica__: replica, job: 'j' }, timestamp: ts, value: 1 }) + '\n';

// ---- 12.9: an output never destroys an input ----

test('12.9: -o, --report, --html and convert -o refuse an input, the same file under a symlink or a hard link, --db and --overrides (exit 2, the file untouched)', withDir(async (dir) => {
  const input = join(dir, 'in.ndjson');
  const text = LINE(1_700_000_000_000, 'a', true) + LINE(1_700_000_010_000, 'a', true);
  writeFileSync(input, text);
  symlinkSync(input, join(dir, 'sym.ndjson'));
  linkSync(input, join(dir, 'hard.ndjson'));
  const db = join(dir, 'state.db');
  const overrides = join(dir, 'overrides.yaml');
  writeFileSync(overrides, 'overrides: {}\n');
  const cases: [string[], RegExp][] = [
    [['replay', input, '-o', input], /^ha-dedup: -o .*in\.ndjson: the same file as the input .*in\.ndjson \(it would be overwritten\)\n$/],
    [['replay', input, '-o', join(dir, 'sym.ndjson')], /^ha-dedup: -o .*sym\.ndjson: the same file as the input .*in\.ndjson/],
    [['replay', input, '-o', join(dir, 'hard.ndjson')], /^ha-dedup: -o .*hard\.ndjson: the same file as the input .*in\.ndjson/],
    [['replay', join(dir, 'hard.ndjson'), '--output-format', 'none', '--report', input], /^ha-dedup: --report .*in\.ndjson: the same file as the input .*hard\.ndjson/],
    [['replay', input, '--output-format', 'none', '--html', join(dir, 'sym.ndjson')], /^ha-dedup: --html .*sym\.ndjson: the same file as the input/],
    [['replay', input, '--output-format', 'none', '--db', db, '--report', db], /^ha-dedup: --report .*state\.db: the same file as --db/],
    [['replay', input, '--overrides', overrides, '-o', overrides], /^ha-dedup: -o .*overrides\.yaml: the same file as --overrides/],
    [['replay', input, '-o', join(dir, 'x'), '--report', join(dir, '.', 'x')], /^ha-dedup: --report .*x: the same file as -o\n$/],
    [['convert', input, '-o', input, '--to', 'ndjson'], /^ha-dedup: -o .*in\.ndjson: the same file as the input/],
    [['convert', input, '-o', join(dir, 'hard.ndjson'), '--to', 'rwcap'], /^ha-dedup: -o .*hard\.ndjson: the same file as the input/],
    [['convert', join(dir, 'sym.ndjson'), '-o', input, '--to', 'vm-json'], /^ha-dedup: -o .*in\.ndjson: the same file as the input .*sym\.ndjson/],
  ];
  for (const [args, want] of cases) {
    const r = await cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.equal(readFileSync(input, 'utf8'), text, `${args.join(' ')} left the input as it was`);
    assert.ok(!existsSync(db), 'no --db created by a refused command line');
  }
  assert.equal(readFileSync(overrides, 'utf8'), 'overrides: {}\n');
  noTemporaries(dir);
}));

test('12.9: a run that fails leaves existing -o, --report and --html files as they were and creates none', withDir(async (dir) => {
  const out = join(dir, 'out.ndjson');
  const rep = join(dir, 'report.json');
  const page = join(dir, 'page.html');
  for (const f of [out, rep, page]) writeFileSync(f, `old ${f}\n`);
  // --strict stops at the bad record of the second line: exit 3, after the first line was written
  const r = await cli(['replay', BAD, '--strict', '-o', out, '--report', rep, '--html', page]);
  assert.equal(r.status, 3, r.stderr);
  for (const f of [out, rep, page]) assert.equal(readFileSync(f, 'utf8'), `old ${f}\n`, f);
  // new targets: none created
  const fresh = ['o2.ndjson', 'r2.json', 'p2.html'].map((f) => join(dir, f));
  const r2 = await cli(['replay', BAD, '--strict', '-o', fresh[0]!, '--report', fresh[1]!, '--html', fresh[2]!]);
  assert.equal(r2.status, 3, r2.stderr);
  for (const f of fresh) assert.ok(!existsSync(f), f);
  // convert too (today: a 7-byte file and exit 0 for `convert X -o X`; a failed convert truncated the target)
  const c = await cli(['convert', BAD, '--strict', '-o', out, '--to', 'ndjson']);
  assert.equal(c.status, 3, c.stderr);
  assert.equal(readFileSync(out, 'utf8'), `old ${out}\n`);
  noTemporaries(dir);
}));

test('12.9: a run that succeeds replaces the file: its mode kept, a symlink followed (the link stays, the file it names is replaced)', withDir(async (dir) => {
  const input = join(dir, 'in.ndjson');
  writeFileSync(input, LINE(1_700_000_000_000, 'a', true));
  const out = join(dir, 'out.ndjson');
  writeFileSync(out, 'old\n');
  chmodSync(out, 0o640);
  const real = join(dir, 'real.json');
  writeFileSync(real, 'old\n');
  symlinkSync(real, join(dir, 'link.json'));
  const r = await cli(['replay', input, '-o', out, '--report', join(dir, 'link.json'), '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(out, 'utf8'), /"value":1/);
  assert.equal(statSync(out).mode & 0o777, 0o640);
  assert.equal(JSON.parse(readFileSync(real, 'utf8')).version, 1);
  assert.equal(JSON.parse(readFileSync(join(dir, 'link.json'), 'utf8')).version, 1);
  assert.ok(readdirSync(dir).includes('link.json'));
  noTemporaries(dir);
}));

test('12.9: record -o refuses every existing path (a capture, a symlink to it): the file is untouched', withDir(async (dir) => {
  const cap = join(dir, 'cap.rwcap');
  writeFileSync(cap, readFileSync(FIXTURE));
  symlinkSync(cap, join(dir, 'link.rwcap'));
  for (const o of [cap, join(dir, 'link.rwcap')]) {
    const r = await cli(['record', '--listen', '127.0.0.1:0', '-o', o, '--max-requests', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /already exists; use --append/);
  }
  assert.ok(readFileSync(cap).equals(readFileSync(FIXTURE)));
}));

test('12.9: send --report refuses an input (it was truncated before the input was read)', withDir(async (dir) => {
  const input = join(dir, 'in.ndjson');
  const text = LINE(1_700_000_000_000, 'a', true);
  writeFileSync(input, text);
  const r = await cli(['send', input, '--url', 'http://127.0.0.1:9/api/v1/push', '--report', input]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ha-dedup: --report .*in\.ndjson: the same file as the input/);
  assert.equal(readFileSync(input, 'utf8'), text);
}));

// ---- 12.10: stdout closed early, unwritable streams, --report - ----

test('12.10: stdout closed early (EPIPE) without --expect/--report: stops writing, exit 0, nothing on stderr', async () => {
  const r = await cli(['replay', FIXTURE], { stdoutFails: { afterBytes: 10_000, code: 'EPIPE' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.length, 10_000);
  // the other commands that write to stdout: exit 0 quietly too (doctor: the code its findings give)
  for (const [args, code] of [[['convert', FIXTURE, '-o', '-', '--to', 'vm-json'], 0], [['inspect', FIXTURE], 0], [['state', '--help'], 0], [['doctor', FIXTURE], 0], [['doctor', join(ROOT, 'fixtures', 'doctor', 'readme.rwcap')], 1]] as const) {
    const c = await cli([...args], { stdoutFails: { afterBytes: 100, code: 'EPIPE' } });
    assert.equal(c.status, code, `${args.join(' ')}: ${c.stderr}`);
    assert.doesNotMatch(c.stderr, STACK);
    assert.ok(c.stdout.length <= 100, args[0]);
  }
});

test('12.10: stdout closed early with --report or --expect: the analysis finishes, the report is complete, the exit code is the checks\'', withDir(async (dir) => {
  const whole = join(dir, 'whole.json');
  const a = await cli(['replay', FIXTURE, '--output-format', 'none', '--report', whole, '-q']);
  assert.equal(a.status, 0, a.stderr);
  const cut = join(dir, 'cut.json');
  const b = await cli(['replay', FIXTURE, '--report', cut, '-q'], { stdoutFails: { afterBytes: 1000, code: 'EPIPE' } });
  assert.equal(b.status, 0, b.stderr);
  const strip = (s: string) => {
    const j = JSON.parse(s);
    delete j.config.output_format;
    return j;
  };
  assert.deepEqual(strip(readFileSync(cut, 'utf8')), strip(readFileSync(whole, 'utf8')));
  const failing = await cli(['replay', FIXTURE, '--expect', 'elections==1', '-q'], { stdoutFails: { afterBytes: 1000, code: 'EPIPE' } });
  assert.equal(failing.status, 1, failing.stderr);
  assert.match(failing.stderr, /^ha-dedup: expect failed: elections==1 \(actual elections = 3\)\n/);
  const passing = await cli(['replay', FIXTURE, '--expect', 'elections==3', '-q'], { stdoutFails: { afterBytes: 1000, code: 'EPIPE' } });
  assert.equal(passing.status, 0, passing.stderr);
  // the human report on stdout (-o FILE) cut short: still the checks' code
  const h = await cli(['replay', FIXTURE, '-o', join(dir, 'o.ndjson'), '--expect', 'elections==1'], { stdoutFails: { afterBytes: 100, code: 'EPIPE' } });
  assert.equal(h.status, 1, h.stderr);
  assert.ok(existsSync(join(dir, 'o.ndjson')));
}));

test('12.10: an unwritable stdout (ENOSPC) is exit 2 with one line; an unwritable stderr is exit 2 with nothing; no output file left', withDir(async (dir) => {
  const full = await cli(['replay', FIXTURE], { stdoutFails: { afterBytes: 5000, code: 'ENOSPC' } });
  assert.equal(full.status, 2);
  assert.equal(full.stderr, 'ha-dedup: stdout: cannot write: no space left on the device\n');
  const db = join(dir, 'state.db');
  assert.equal((await cli(['replay', FIXTURE, '--db', db, '--output-format', 'none', '-q'])).status, 0);
  for (const cmd of [['inspect', FIXTURE], ['doctor', FIXTURE], ['convert', FIXTURE, '-o', '-', '--to', 'ndjson'], ['state', '--db', db], ['state', '--db', db, '--json'], ['replay', '--help']]) {
    const r = await cli(cmd, { stdoutFails: { afterBytes: 0, code: 'ENOSPC' } });
    assert.equal(r.status, 2, `${cmd[0]}: ${r.stderr}`);
    assert.equal(r.stderr, 'ha-dedup: stdout: cannot write: no space left on the device\n', cmd[0]);
  }
  // stderr gone while warning about the bad records: exit 2; the -o target is left as it was
  const out = join(dir, 'out.ndjson');
  writeFileSync(out, 'old\n');
  for (const code of ['EPIPE', 'ENOSPC'] as const) {
    const r = await cli(['replay', BAD, '-o', out], { stderrFails: { afterBytes: 0, code } });
    assert.equal(r.status, 2, code);
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), 'old\n');
  }
  noTemporaries(dir);
}));

test('12.10: --report - writes the JSON report to stdout (the human report to stderr); not when stdout carries the data', withDir(async (dir) => {
  const r = await cli(['replay', FIXTURE, '--output-format', 'none', '--report', '-']);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.version, 1);
  assert.equal(rep.totals.requests, 146);
  assert.match(r.stderr, /elections/);
  assert.ok(!existsSync(join(ROOT, '-')), 'no file named -');
  const withData = await cli(['replay', FIXTURE, '--report', '-']);
  assert.equal(withData.status, 2);
  assert.equal(withData.stderr, 'ha-dedup: --report -: stdout carries the ndjson data; write it with -o FILE or leave it out with --output-format none\n');
  const o = await cli(['replay', FIXTURE, '-o', join(dir, 'o.ndjson'), '--report', '-', '-q']);
  assert.equal(o.status, 0, o.stderr);
  assert.equal(JSON.parse(o.stdout).totals.requests, 146);
  assert.equal(o.stderr, '');
}));

test('12.10: a real `| head` with --report and --expect: the report is written in full and the exit code is the checks\' (spawned)', { timeout: 120_000 }, withDir((dir) => {
  const rep = join(dir, 'r.json');
  const err = join(dir, 'stderr');
  for (const [expect, want] of [['elections==3', 0], ['elections==1', 1]] as const) {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" replay "${FIXTURE}" --report "${rep}" --expect ${expect} 2>"${err}" | head -n 1 >/dev/null; exit \${PIPESTATUS[0]}`], { cwd: ROOT, env: env(), timeout: 110_000 });
    const stderr = readFileSync(err, 'utf8');
    assert.equal(r.status, want, stderr);
    assert.doesNotMatch(stderr, STACK);
    assert.equal(JSON.parse(readFileSync(rep, 'utf8')).totals.requests, 146, 'the whole input was replayed');
  }
  // without them: exit 0 at once, quietly
  const q = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" replay "${FIXTURE}" 2>"${err}" | head -n 1 >/dev/null; exit \${PIPESTATUS[0]}`], { cwd: ROOT, env: env(), timeout: 110_000 });
  assert.equal(q.status, 0);
  assert.equal(readFileSync(err, 'utf8'), '');
}));

test('12.10: > /dev/full and 2> /dev/full are exit 2 with no stack trace anywhere (spawned)', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system', timeout: 120_000 }, () => {
  const out = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" replay "${FIXTURE}" >/dev/full`], { cwd: ROOT, env: env(), timeout: 110_000 });
  assert.equal(out.status, 2, out.stderr.toString());
  assert.equal(out.stderr.toString(), 'ha-dedup: stdout: cannot write: no space left on the device\n');
  for (const cmd of [`inspect "${FIXTURE}"`, `doctor "${FIXTURE}"`]) {
    const r = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" ${cmd} >/dev/full`], { cwd: ROOT, env: env(), timeout: 110_000 });
    assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
    assert.equal(r.stderr.toString(), 'ha-dedup: stdout: cannot write: no space left on the device\n');
  }
  const err = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" replay "${BAD}" --output-format none 2>/dev/full`], { cwd: ROOT, env: env(), timeout: 110_000 });
  assert.equal(err.status, 2);
  assert.doesNotMatch(err.stdout.toString(), STACK);
  // help to /dev/full: commander's own writes go through the same stream
  const help = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" replay --help >/dev/full`], { cwd: ROOT, env: env(), timeout: 110_000 });
  assert.equal(help.status, 2);
  assert.doesNotMatch(help.stderr.toString(), STACK);
});

test('12.10: stderr whose reader went away (EPIPE) is exit 2, nothing written anywhere (spawned)', { timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, [BIN, 'replay', BAD, '--output-format', 'none', '--report-format', 'json', '-q'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.destroy();
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  // -q: no warnings, no report; nothing is written to stderr, so nothing fails
  assert.equal(code, 0);
  const child2 = spawn(process.execPath, [BIN, 'replay', BAD, '--output-format', 'none', '--report-format', 'json'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  child2.stderr.destroy();
  let out2 = '';
  child2.stdout.on('data', (d: Buffer) => (out2 += d.toString()));
  const code2 = await new Promise<number | null>((resolve) => child2.on('close', (c) => resolve(c)));
  assert.equal(code2, 2, out2);
  assert.doesNotMatch(out2 + stdout, STACK);
});

// ---- 12.7: a run that read no request ----

test('12.7: an empty file or empty stdin is exit 3 "no requests in the input" unless --allow-empty; --expect never passes on it', withDir(async (dir) => {
  const empty = join(dir, 'empty.ndjson');
  writeFileSync(empty, '');
  const rep = join(dir, 'r.json');
  writeFileSync(rep, 'old\n');
  const a = await cli(['replay', empty, '--report', rep, '--expect', 'lost_samples==0', '-q']);
  assert.equal(a.status, 3, a.stderr);
  assert.match(a.stderr, /^ha-dedup: no requests in the input \(.*empty\.ndjson: only 1 bad record\); --allow-empty accepts a run with none\n$/);
  assert.equal(readFileSync(rep, 'utf8'), 'old\n', 'the failed run left the report file as it was');
  const s = await cli(['replay', '--output-format', 'none'], { input: '' });
  assert.equal(s.status, 3, s.stderr);
  assert.match(s.stderr, /no requests in the input \(stdin: only 1 bad record\)/);
  // a file of bad records only is no evidence either
  const bad = join(dir, 'bad.ndjson');
  writeFileSync(bad, 'not json\nalso not json\n');
  const b = await cli(['replay', bad, '--format', 'ndjson', '--output-format', 'none', '-q']);
  assert.equal(b.status, 3, b.stderr);
  assert.match(b.stderr, /no requests in the input \(.*bad\.ndjson: only 2 bad records\)/);
  // --allow-empty: exit 0 and a report; an --expect still fails
  const ok = await cli(['replay', empty, '--allow-empty', '--report', rep, '-q']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(readFileSync(rep, 'utf8')).totals.requests, 0);
  const e = await cli(['replay', empty, '--allow-empty', '--output-format', 'none', '--expect', 'lost_samples==0', '--expect', 'elections<=1', '-q']);
  assert.equal(e.status, 1, e.stderr);
  assert.equal(
    e.stderr,
    'ha-dedup: expect failed: lost_samples==0 (no requests in the input: nothing to check)\nha-dedup: expect failed: elections<=1 (no requests in the input: nothing to check)\nha-dedup: 2 of 2 --expect checks failed\n',
  );
  // doctor: the same option, the same rule
  const d = await cli(['doctor', empty]);
  assert.equal(d.status, 3, d.stderr);
  assert.match(d.stderr, /no requests in the input/);
  const d2 = await cli(['doctor', empty, '--allow-empty']);
  assert.equal(d2.status, 0, d2.stderr);
  const h = await cli(['doctor', '--help']);
  assert.match(h.stdout, /--allow-empty/);
}));

test('12.7: a run resumed from --db that skipped every record (already applied) is not empty', withDir(async (dir) => {
  const input = join(dir, 'in.ndjson');
  writeFileSync(input, LINE(1_700_000_000_000, 'a', true) + LINE(1_700_000_010_000, 'a', true));
  const db = join(dir, 'state.db');
  const first = await cli(['replay', input, '--db', db, '--output-format', 'none', '-q']);
  assert.equal(first.status, 0, first.stderr);
  const again = await cli(['replay', input, '--db', db, '--output-format', 'none', '--report', join(dir, 'r.json')]);
  assert.equal(again.status, 0, again.stderr);
  const r = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  assert.equal(r.totals.requests, 0);
  assert.equal(r.resume.skipped_records, 2);
}));

// ---- 12.12: the clock the run used ----

test('12.12: --clock received on input without receive times: a usage error for formats that never carry them, else the report says sample', withDir(async (dir) => {
  const input = join(dir, 'in.ndjson');
  writeFileSync(input, LINE(1_700_000_000_000, 'a', false) + LINE(1_700_000_010_000, 'a', false));
  const r = await cli(['replay', input, '--clock', 'received', '--output-format', 'none', '--report-format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.clock.source, 'sample');
  assert.equal(rep.config.clock, 'sample');
  assert.match(r.stderr, /^ha-dedup: warning: --clock received: no record of the input carries a receive time, so the clock is the samples' \(as --clock sample\); the report says sample\n/);
  // with receive times: received, no warning
  const withRecv = join(dir, 'recv.ndjson');
  writeFileSync(withRecv, LINE(1_700_000_000_000, 'a', true));
  const w = await cli(['replay', withRecv, '--clock', 'received', '--output-format', 'none', '--report-format', 'json']);
  assert.equal(JSON.parse(w.stdout).clock.source, 'received');
  assert.doesNotMatch(w.stderr, /warning/);
  for (const f of ['remote-write', 'remote-write2', 'vm-json']) {
    const u = await cli(['replay', FIXTURE, '--format', f, '--clock', 'received']);
    assert.equal(u.status, 2, f);
    assert.equal(u.stderr, `ha-dedup: --clock received: --format ${f} carries no receive times; use --clock sample (or leave --clock out)\n`);
  }
}));

test('12.9: stdin redirected from the -o file is refused; -o /dev/stdout is written in place (spawned: a real stdin and stdout)', { timeout: 60_000 }, withDir((dir) => {
  const input = join(dir, 'in.ndjson');
  const text = LINE(1_700_000_000_000, 'a', true);
  writeFileSync(input, text);
  const r = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" replay - -o "${input}" < "${input}"`], { cwd: ROOT, env: env(), encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ha-dedup: -o .*in\.ndjson: the same file as stdin \/dev\/stdin \(it would be overwritten\)\n$/);
  assert.equal(readFileSync(input, 'utf8'), text);
  const c = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" convert - -o "${input}" --to ndjson < "${input}"`], { cwd: ROOT, env: env(), encoding: 'utf8' });
  assert.equal(c.status, 2, c.stderr);
  assert.equal(readFileSync(input, 'utf8'), text);
  // /dev/stdout into a file: the file stdout was opened on gets the data (not a renamed copy)
  const out = join(dir, 'out.ndjson');
  const s = spawnSync('bash', ['-c', `exec "${process.execPath}" "${BIN}" replay "${input}" -o /dev/stdout -q > "${out}"`], { cwd: ROOT, env: env(), encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.match(readFileSync(out, 'utf8'), /^\{"tenant":"anonymous"/);
  noTemporaries(dir);
}));

test('12.9: an existing file this user may not write is refused, not replaced by the rename', { skip: process.getuid?.() === 0 ? 'root may write any file' : false }, withDir(async (dir) => {
  const input = join(dir, 'in.ndjson');
  writeFileSync(input, LINE(1_700_000_000_000, 'a', true));
  const ro = join(dir, 'ro.json');
  writeFileSync(ro, 'keep\n');
  chmodSync(ro, 0o444);
  const r = await cli(['replay', input, '--output-format', 'none', '--report', ro, '-q']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ha-dedup: --report .*ro\.json: cannot write: permission denied\n$/);
  assert.equal(readFileSync(ro, 'utf8'), 'keep\n');
  noTemporaries(dir);
}));

test('12.7: a run stopped by a signal before its first request is not "no requests in the input"', async () => {
  const stdin = new PassThrough();
  const before = new Set(process.listeners('SIGINT'));
  const run = cli(['replay', '-', '--output-format', 'none', '-q'], { stdin });
  // replay's own handler (issue 13.5), called as the signal would; the test runner's are left alone
  let handler: NodeJS.SignalsListener | undefined;
  for (let i = 0; i < 500 && handler === undefined; i++) {
    handler = process.listeners('SIGINT').find((l) => !before.has(l));
    if (handler === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(handler !== undefined, 'replay listens for SIGINT');
  handler('SIGINT');
  stdin.end();
  const r = await run;
  assert.doesNotMatch(r.stderr, /no requests in the input/);
  assert.notEqual(r.status, 3, r.stderr);
});
