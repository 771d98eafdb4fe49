import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
// @ts-expect-error plain ESM script without types
import { render } from '../../scripts/readme.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

// The README's usage blocks (`--help` of every command) and its example outputs (inspect and
// replay on the bundled fixture) are the real output of the built CLI; regenerate them with
// `node scripts/readme.mjs`.
test('README usage and example blocks equal what the CLI prints', () => {
  const blocks = readme.match(/<!-- BEGIN run: /g) ?? [];
  assert.ok(blocks.length >= 7, `README has ${blocks.length} generated blocks`);
  for (const cmd of ['--help', 'replay --help', 'record --help', 'inspect --help', 'convert --help', 'state --help', 'send --help', 'doctor --help', 'what-if --help']) {
    assert.ok(readme.includes(`<!-- BEGIN run: ${cmd} -->`), `README shows ${cmd}`);
  }
  assert.equal(render(readme), readme);
});

/** The lines of the README's fenced code blocks. */
function codeLines(): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) inside = !inside;
    else if (inside) out.push(line);
  }
  return out;
}

test('README (issue 14.7): ha-dedup on PATH, one command form in every example', () => {
  assert.match(readme, /`npm link`/);
  assert.match(readme, /`npx ha-dedup`/);
  // command lines (not the help texts, whose "Usage: ha-dedup replay" and quoted `ha-dedup ...` are no invocation)
  const calls = codeLines().filter((l) => /ha-dedup (replay|record|inspect|convert|state|doctor|--help)/.test(l) && !/^Usage: |`/.test(l) && !/^\s/.test(l));
  assert.ok(calls.length >= 15, `${calls.length} example commands`);
  // the quick start alone runs it through npx (nothing is on PATH yet on a fresh machine)
  for (const l of calls) assert.match(l, /(^|\$ |&& |\| |^npm ci && npx )ha-dedup /, `the same command form: ${l}`);
  assert.doesNotMatch(readme, /\.\/bin\/ha-dedup |node bin\/ha-dedup /);
});

test('README quick start: two commands (the main job, the tests), output under a path git ignores, the report on stdout with -o', () => {
  const m = /^```\nnpm ci && npx ha-dedup (replay \S+ -o (\S+))\nnpm test\n```$/m.exec(readme);
  assert.ok(m, 'the quick start: npm ci && npx ha-dedup replay ... then npm test, one block');
  const ignored = spawnSync('git', ['check-ignore', '--no-index', '-q', m[2]!], { cwd: ROOT });
  assert.equal(ignored.status, 0, `${m[2]} is ignored by git`);
  // the output's folder is part of the checkout, so the command works on a fresh clone
  const tracked = spawnSync('git', ['ls-files', '--error-unmatch', join(dirname(m[2]!), '.gitignore')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(tracked.status, 0, `${dirname(m[2]!)}/ is in the checkout: ${tracked.stderr}`);
  const scratch = mkdtempSync(join(tmpdir(), 'ha-dedup-quickstart-'));
  try {
    symlinkSync(join(ROOT, 'fixtures'), join(scratch, 'fixtures'));
    mkdirSync(join(scratch, dirname(m[2]!)));
    const r = spawnSync(process.execPath, [BIN, ...m[1]!.split(' ')], { cwd: scratch, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Clusters\n/, 'the report is on stdout');
    assert.equal(r.stderr, '');
    assert.ok(readFileSync(join(scratch, m[2]!), 'utf8').startsWith('{"tenant":"tenant-a"'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  assert.match(readme, /prints the report on stdout/);
});

test('README NDJSON examples show the keys in the order the tool writes them', () => {
  const r = spawnSync(process.execPath, [BIN, 'replay', join(ROOT, 'fixtures', 'prom-ha-dev.rwcap'), '--output-format', 'ndjson'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = r.stdout.split('\n');
  const sample = Object.keys(JSON.parse(lines[0]!));
  const metadata = Object.keys(JSON.parse(lines.find((l) => l.includes('"metadata":'))!));
  const examples = [...readme.matchAll(/`(\{"(?:tenant|labels|received_at_ms|metadata)"[^`]*\})`/g)].map((x) => x[1]!);
  assert.ok(examples.length >= 1, 'the README shows an NDJSON line');
  for (const ex of examples) {
    const keys = [...ex.matchAll(/(?<=^\{|,)"([a-z_]+)":/g)].map((k) => k[1]!);
    const order = keys.includes('metadata') ? metadata : sample;
    assert.deepEqual(keys, order.filter((k) => keys.includes(k)), `key order of ${ex}`);
  }
});

test('README doctor section (issue 20.6): the real output on the README capture shows at least three findings, and every code is explained', async () => {
  const { CODES } = await import('../../src/doctor/types.js');
  const section = readme.slice(readme.indexOf('## Finding HA misconfiguration: `ha-dedup doctor`'), readme.indexOf('## Bad input'));
  const block = /<!-- BEGIN run: doctor fixtures\/doctor\/readme\.rwcap -->\n([\s\S]*?)<!-- END run -->/.exec(section);
  assert.ok(block, 'the README shows doctor on fixtures/doctor/readme.rwcap (kept current by the first test)');
  const shown = new Set([...block[1]!.matchAll(/^\d+\. (?:error|warn|info) ([a-z-]+): /gm)].map((m) => m[1]!));
  assert.ok(shown.size >= 3, `distinct codes shown: ${[...shown].join(', ')}`);
  assert.match(section, /npx tsx fixtures\/doctor\/make-readme-capture\.ts/, 'how the capture was built');
  for (const code of CODES) assert.match(section, new RegExp(`^\\| \`${code}\` \\| (error|warn|info|warn / error) \\| .{20,} \\|$`, 'm'), `${code} explained`);
});

test('README what-if section (issue 19.6): the real output on the bundled capture, skipped cells and the recommendation shown, every column explained', () => {
  const section = readme.slice(readme.indexOf('## Comparing settings: `ha-dedup what-if`'), readme.indexOf('## Bad input'));
  const block = /<!-- BEGIN run: (what-if fixtures\/prom-ha-dev\.rwcap [^>]*?) -->\n([\s\S]*?)<!-- END run -->/.exec(section);
  assert.ok(block, 'the README shows what-if on the bundled capture (kept current by the first test)');
  const out = block[2]!;
  const headLine = out.split('\n').find((l) => l.startsWith('│ cell '))!;
  const columns = headLine.split('│').map((c) => c.trim()).filter((c) => c !== '');
  assert.ok(columns.length >= 9, columns.join(', '));
  for (const c of columns) assert.match(section, new RegExp(`^\\| (\`${c}\`|settings \\([^)]*\`${c}\`[^)]*\\)) \\| .{20,} \\|$`, 'm'), `column ${c} explained`);
  assert.match(out, /^skipped: cell \d+ \(/m, 'a skipped cell is shown');
  assert.match(out, /^recommendation: fewest lost samples among the cells with no flaps: cell \d+ .* it differs from the first cell in /m);
  assert.match(readme, /\| `ha-dedup what-if \[INPUT\.\.\.\]` \| /, 'the commands table lists it');
});
