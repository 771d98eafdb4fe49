// The native reference of the bench (issue 18 point 5): bench/native/build.mjs builds
// bench/native/ref.cc with a C++ compiler and libsnappy, or gives a one-line reason (no compiler,
// no libsnappy, another compiler error) so the bench can skip its row; built, it counts exactly
// what the decode floor (bench/floor.mjs) counts, on generated captures, the real fixture and a
// capture with histograms, exemplars, metadata and an uncompressed body.
//
// The real build needs g++ and libsnappy (Debian libsnappy-dev): without them that test is
// skipped with the reason, unless HA_DEDUP_REQUIRE_LIBSNAPPY is set (CI sets it), and then fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
// @ts-ignore -- plain ESM without types
import { buildNativeRef, classifyFailure } from '../../bench/native/build.mjs';
// @ts-ignore -- plain ESM without types
import { generate, PRESETS } from '../../bench/gen.mjs';
// @ts-ignore -- plain ESM without types
import { encodeCaptured, encodeLabels, Writer } from '../../bench/lib/pb.mjs';

const REQUIRE = !!process.env.HA_DEDUP_REQUIRE_LIBSNAPPY;

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ha-dedup-bench-native-'));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A stand-in compiler: answers --version, then fails a build with `message` on stderr. */
function fakeCompiler(message: string): string {
  const p = join(tmp(), 'fake-c++');
  writeFileSync(p, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "fake c++ 1.0"; exit 0; fi\necho '${message}' >&2\nexit 1\n`);
  chmodSync(p, 0o755);
  return p;
}

test('no compiler: skipped with the reason', () => {
  const r = buildNativeRef({ cxx: '/nonexistent/c++', dir: tmp() });
  assert.equal(r.ok, false);
  assert.match(r.reason, /^no C\+\+ compiler: \/nonexistent\/c\+\+ not found/);
  assert.ok(!r.reason.includes('\n'), 'one line');
});

test('a compiler without libsnappy: skipped with the package to install', () => {
  for (const msg of [
    'ref.cc:10:10: fatal error: snappy.h: No such file or directory',
    '/usr/bin/ld: cannot find -lsnappy: No such file or directory',
  ]) {
    const dir = tmp();
    const r = buildNativeRef({ cxx: fakeCompiler(msg), dir });
    assert.equal(r.ok, false);
    assert.match(r.reason, /^libsnappy is not installed \(Debian: apt-get install libsnappy-dev\): /);
    assert.ok(r.reason.includes(msg), r.reason);
    assert.equal(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout, '', 'nothing left behind');
  }
});

test('another compiler error is reported as the compiler\'s, not as missing libsnappy', () => {
  const r = buildNativeRef({ cxx: fakeCompiler('ref.cc:1:1: error: expected unqualified-id'), dir: tmp() });
  assert.equal(r.ok, false);
  assert.match(r.reason, /could not build bench\/native\/ref\.cc: ref\.cc:1:1: error: expected unqualified-id$/);
  assert.equal(classifyFailure('g++', 'x.cc: warning: unused\nx.cc:3: error: boom'), 'g++ could not build bench/native/ref.cc: x.cc:3: error: boom');
});

/** A capture the generator never writes: histograms (spans, deltas), exemplars, metadata, an identity-encoded body. */
function oddCapture(path: string): void {
  const ts = (withHistogram: boolean) => {
    const t = new Writer();
    t.raw(encodeLabels([['__name__', 'http_request_duration_seconds'], ['job', 'api']]));
    const s = new Writer();
    s.byte(0x09);
    s.double(1.5);
    s.byte(0x10);
    s.uvarint(1795546500000);
    t.lenField(2, s.bytes());
    const ex = new Writer();
    ex.raw(encodeLabels([['trace_id', 'abc123']]));
    ex.byte(0x11);
    ex.double(0.2);
    t.lenField(3, ex.bytes());
    if (withHistogram) {
      const h = new Writer();
      h.uvarint(1 << 3);
      h.uvarint(7); // count_int
      h.byte(0x19);
      h.double(3.25); // sum
      const span = new Writer();
      span.uvarint(1 << 3);
      span.uvarint(2);
      span.uvarint(2 << 3);
      span.uvarint(3);
      h.lenField(11, span.bytes());
      const deltas = new Writer();
      for (const d of [2, 1, 3]) deltas.uvarint(d);
      h.lenField(12, deltas.bytes());
      h.lenField(8, span.bytes());
      h.lenField(9, deltas.bytes());
      h.uvarint(15 << 3);
      h.uvarint(1795546500000);
      t.lenField(4, h.bytes());
    }
    return t.copy();
  };
  const body = (n: number) => {
    const w = new Writer();
    for (let i = 0; i < n; i++) w.lenField(1, ts(i % 2 === 0));
    const m = new Writer();
    m.uvarint(1 << 3);
    m.uvarint(1);
    m.strField(2, 'http_request_duration_seconds');
    m.strField(4, 'help');
    w.lenField(3, m.bytes());
    return w.copy();
  };
  const out = new Writer();
  out.raw(Buffer.from('RWCAP1\n', 'latin1'));
  const base = { tenant: 't', contentType: 'application/x-protobuf', headers: {}, path: '/api/v1/push' };
  encodeCaptured(out, { ...base, receivedAtMs: 1, contentEncoding: 'snappy', body: Buffer.from(snappy.compress(body(5))) });
  encodeCaptured(out, { ...base, receivedAtMs: 2, contentEncoding: '', body: body(3) });
  encodeCaptured(out, { ...base, receivedAtMs: 3, contentEncoding: 'snappy', body: Buffer.from(snappy.compress(Buffer.alloc(0))) });
  writeFileSync(path, out.bytes());
}

test('built with g++ and libsnappy, it counts what the floor counts', { timeout: 180_000 }, (t) => {
  const dir = tmp();
  const built = buildNativeRef({ dir });
  if (!built.ok && !REQUIRE) {
    t.skip(`${built.reason} (set HA_DEDUP_REQUIRE_LIBSNAPPY=1 to make this a failure)`);
    return;
  }
  assert.ok(built.ok, `HA_DEDUP_REQUIRE_LIBSNAPPY is set but the native reference did not build: ${built.reason}`);
  assert.equal(built.cached, false);
  const again = buildNativeRef({ dir });
  assert.deepEqual(again, { ok: true, path: built.path, cached: true });

  const tiny = join(tmp(), 'tiny.rwcap');
  generate(PRESETS.tiny, tiny);
  const fleet = join(tmp(), 'fleet.rwcap');
  generate({ ...PRESETS['clusters-10k'], clusters: [10, 10], targetSamples: 20000 }, fleet);
  const odd = join(tmp(), 'odd.rwcap');
  oddCapture(odd);
  for (const file of [tiny, fleet, odd, 'fixtures/prom-ha-dev.rwcap']) {
    const ref = spawnSync(built.path, [file], { encoding: 'utf8' });
    const floor = spawnSync(process.execPath, ['bench/floor.mjs', file], { encoding: 'utf8' });
    assert.equal(ref.status, 0, ref.stderr);
    assert.equal(floor.status, 0, floor.stderr);
    assert.equal(ref.stdout, floor.stdout, file);
    assert.ok(JSON.parse(ref.stdout).samples > 0);
  }
  const oddCounts = JSON.parse(spawnSync(built.path, [odd], { encoding: 'utf8' }).stdout);
  assert.equal(oddCounts.series, 8);
  assert.equal(oddCounts.samples, 8 + 5, 'a sample each, and a histogram in series 0, 2, 4 of the first body and 0, 2 of the second');

  // bad input: one line naming the file and the record, exit 1
  const cut = join(tmp(), 'cut.rwcap');
  writeFileSync(cut, readFileSync(tiny).subarray(0, 50000));
  const bad = spawnSync(built.path, [cut], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^ref: .*cut\.rwcap: truncated record \d+\n$/);
  const notCap = spawnSync(built.path, ['package.json'], { encoding: 'utf8' });
  assert.equal(notCap.status, 1);
  assert.match(notCap.stderr, /not an rwcap file/);
});
