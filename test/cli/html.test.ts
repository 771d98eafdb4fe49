// `ha-dedup replay --report-format html` and `--html FILE` as a user runs them (issue 16 points
// 1, 3, 6): the built CLI on the bundled capture writes exactly the golden page that
// test/report/html-fixture.test.ts pins (the same Report and timeline, same bytes every run),
// the HTML report beside any other (table, markdown, JSON report, deduplicated data) without
// changing them, placement like the other human formats, -q, and the file handling of --report
// (opened before the run, one-line errors, removed again when the run fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ha-dedup');
// as the golden was made: relative to the project (the page shows the input path)
const FIXTURE = relative(ROOT, join(ROOT, 'fixtures', 'prom-ha-dev.rwcap'));
const GOLDEN = join(ROOT, 'fixtures', 'html', 'prom-ha-dev.html');

function run(args: string[]) {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, maxBuffer: 256 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-html-cli-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const golden = () => readFileSync(GOLDEN, 'utf8');

test('--report-format html: the golden page on stdout, the same bytes every run', () => {
  const a = run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'html']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stderr, '');
  assert.equal(a.stdout.toString('utf8'), golden());
  const b = run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'html']);
  assert.ok(a.stdout.equals(b.stdout), 'deterministic');
  // one self-contained page: no URL of any kind, every election with its figures
  const html = a.stdout.toString('utf8');
  assert.doesNotMatch(html, /https?:|\/\/[a-z]|\bsrc=|<link\b|@import|url\(/i);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.equal((html.match(/<section class="zoom" id="e-\d+">/g) ?? []).length, 3);
});

test('--html FILE beside the table, the markdown and the JSON report: the golden page, the other reports unchanged', () => {
  withDir((dir) => {
    const page = join(dir, 'r.html');
    const plain = run(['replay', FIXTURE, '--output-format', 'none', '--report', join(dir, 'a.json')]);
    const both = run(['replay', FIXTURE, '--output-format', 'none', '--report', join(dir, 'b.json'), '--html', page]);
    assert.equal(both.code, 0, both.stderr);
    assert.equal(both.stderr, '');
    assert.match(both.stdout.toString('utf8'), /^Clusters\n/);
    assert.ok(both.stdout.equals(plain.stdout), 'the table is the one without --html');
    assert.equal(readFileSync(join(dir, 'b.json'), 'utf8'), readFileSync(join(dir, 'a.json'), 'utf8'), 'the JSON report is the one without --html');
    assert.equal(readFileSync(page, 'utf8'), golden());

    const md = run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'markdown', '--html', page]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout.toString('utf8'), /^## ha-dedup replay report\n[\s\S]*```mermaid\ngantt\n/);
    assert.equal(readFileSync(page, 'utf8'), golden(), 'an existing file is replaced');

    // --report-format html and --html FILE together: the same page twice
    const twice = run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'html', '--html', page]);
    assert.equal(twice.stdout.toString('utf8'), golden());
    assert.equal(readFileSync(page, 'utf8'), golden());
  });
});

test('placement: the HTML report on stderr when the data goes to stdout, on stdout with -o; the data unchanged', () => {
  withDir((dir) => {
    const plain = run(['replay', FIXTURE]);
    const html = run(['replay', FIXTURE, '--report-format', 'html']);
    assert.equal(html.code, 0, html.stderr);
    assert.ok(html.stdout.equals(plain.stdout), 'the deduplicated data is the same');
    assert.match(html.stderr, /^<!doctype html>\n[\s\S]*<\/html>\n$/);
    const out = join(dir, 'out.ndjson');
    const toFile = run(['replay', FIXTURE, '-o', out, '--report-format', 'html', '--html', join(dir, 'r.html')]);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(toFile.stderr, '');
    assert.ok(readFileSync(out).equals(plain.stdout));
    assert.match(toFile.stdout.toString('utf8'), /^<!doctype html>/);
    // the page says which output format ran; everything else is the golden's
    assert.equal(readFileSync(join(dir, 'r.html'), 'utf8'), toFile.stdout.toString('utf8'));
    assert.equal(toFile.stdout.toString('utf8').replace('<th>output format</th><td>ndjson</td>', '<th>output format</th><td>none</td>'), golden());
  });
});

test('-q: no human report (not even HTML), but --html FILE is written', () => {
  withDir((dir) => {
    const q = run(['replay', FIXTURE, '--output-format', 'none', '--report-format', 'html', '-q']);
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stdout.length, 0);
    assert.equal(q.stderr, '');
    const page = join(dir, 'r.html');
    const f = run(['replay', FIXTURE, '--output-format', 'none', '--html', page, '-q']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout.length + f.stderr.length, 0);
    assert.equal(readFileSync(page, 'utf8'), golden());
  });
});

test('--html errors: one line naming the option and the file, exit 2, before the run; nothing on stdout', () => {
  withDir((dir) => {
    const cases: [string[], RegExp][] = [
      [['--html', '/nonexistent/dir/r.html'], /^ha-dedup: --html \/nonexistent\/dir\/r.html: cannot write: no such directory\n$/],
      [['--html', dir], new RegExp(`^ha-dedup: --html ${dir}: cannot write: is a directory\\n$`)],
      [['--html', '-'], /^ha-dedup: --html: "-" is not a file name \(the HTML report on stdout is --report-format html\)\n$/],
      [['--html', join(dir, 'same'), '--report', join(dir, 'same')], /^ha-dedup: --html .*same: the same file as --report\n$/],
      [['--html', join(dir, 'same'), '-o', join(dir, '.', 'same')], /^ha-dedup: --html .*same: the same file as -o\n$/],
      [['--report-format', 'htm'], /^ha-dedup: --report-format: "htm" is not one of table, json, markdown, html\n$/],
      [['--html', FIXTURE], /^ha-dedup: --html fixtures\/prom-ha-dev.rwcap: the same file as the input fixtures\/prom-ha-dev.rwcap \(it would be overwritten\)\n$/],
      [['--html', join(dir, 'link.rwcap')], /^ha-dedup: --html .*link.rwcap: the same file as the input fixtures\/prom-ha-dev.rwcap/],
    ];
    symlinkSync(join(ROOT, FIXTURE), join(dir, 'link.rwcap'));
    for (const [args, re] of cases) {
      const r = run(['replay', FIXTURE, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.equal(r.stdout.length, 0, args.join(' '));
    }
    assert.ok(!existsSync(join(dir, 'same')), 'a rejected --html is not created');
    // a bad --html after a good --report: the report file made for the run is removed again
    const r = run(['replay', FIXTURE, '--report', join(dir, 'r.json'), '--html', '/nonexistent/dir/r.html']);
    assert.equal(r.code, 2);
    assert.ok(!existsSync(join(dir, 'r.json')));
  });
});

test('a failed run removes the --html file it created, and leaves one that existed', () => {
  withDir((dir) => {
    const broken = join(dir, 'broken.rwcap');
    const bytes = readFileSync(join(ROOT, FIXTURE));
    writeFileSync(broken, bytes.subarray(0, bytes.length - 100)); // a truncated last record
    const page = join(dir, 'r.html');
    const r = run(['replay', broken, '--strict', '--output-format', 'none', '--html', page]);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(!existsSync(page), 'no half-written or empty page');
    writeFileSync(page, 'before');
    const again = run(['replay', broken, '--strict', '--output-format', 'none', '--html', page]);
    assert.equal(again.code, 3);
    assert.equal(readFileSync(page, 'utf8'), 'before');
    // without --strict the bad record is reported, and the page lists it
    const lenient = run(['replay', broken, '--output-format', 'none', '--html', page]);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(readFileSync(page, 'utf8'), /<h2 id="bad-records">Bad records \(1\)<\/h2><ul>\n<li>[^<]*broken\.rwcap: record 145 at byte \d+: truncated record: [^<]+<\/li>/);
  });
});
