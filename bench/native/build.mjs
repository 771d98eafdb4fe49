// Builds the native reference (bench/native/ref.cc, issue 18) with a C++ compiler and libsnappy,
// or says why it cannot. The binary is cached under bench/data/native/ by a hash of the source,
// the compiler and the flags, so a change to any of them builds it again.
//
// usage: node bench/native/build.mjs [--cxx PATH]   -> the binary's path on stdout (exit 0), or
//        "native reference skipped: REASON" on stderr (exit 1)
// The compiler is --cxx, else $CXX, else g++. Debian: apt-get install g++ libsnappy-dev.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SOURCE = join(HERE, 'ref.cc');
export const NATIVE_DIR = join(HERE, '..', 'data', 'native');
const FLAGS = ['-O2', '-std=c++17'];
const LIBS = ['-lsnappy'];

/** The first line of a compiler's output that says what went wrong (else its first line). */
function firstError(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? '(no output)';
}

/**
 * Why a failed compile failed: libsnappy missing (header or library) is told apart from any
 * other error, since that one has a package to install.
 */
export function classifyFailure(cxx, output) {
  if (/snappy\.h|snappy-c\.h|-lsnappy|libsnappy/.test(output)) {
    return `libsnappy is not installed (Debian: apt-get install libsnappy-dev): ${firstError(output)}`;
  }
  return `${cxx} could not build bench/native/ref.cc: ${firstError(output)}`;
}

/**
 * Build (or find, cached) the native reference. Returns { ok: true, path, cached } or
 * { ok: false, reason } with a one-line reason: no compiler, no libsnappy, or the compiler's error.
 */
export function buildNativeRef({ cxx = process.env.CXX || 'g++', dir = NATIVE_DIR, log = () => {} } = {}) {
  const probe = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.code === 'ENOENT' ? 'not found' : probe.error ? probe.error.message : `exit ${probe.status}`;
    return { ok: false, reason: `no C++ compiler: ${cxx} ${why} (Debian: apt-get install g++, or set CXX)` };
  }
  const version = (probe.stdout || '').split('\n')[0];
  const h = createHash('sha256');
  h.update(readFileSync(SOURCE));
  h.update(JSON.stringify([cxx, version, FLAGS, LIBS]));
  const path = join(dir, `ref-${h.digest('hex').slice(0, 12)}`);
  if (existsSync(path)) return { ok: true, path, cached: true };
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  log(`building ${path} with ${cxx} (${version}) ...`);
  const r = spawnSync(cxx, [...FLAGS, '-o', tmp, SOURCE, ...LIBS], { encoding: 'utf8' });
  if (r.error || r.status !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    return { ok: false, reason: classifyFailure(cxx, `${r.stderr ?? ''}\n${r.stdout ?? ''}\n${r.error?.message ?? ''}`) };
  }
  renameSync(tmp, path);
  return { ok: true, path, cached: false };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--cxx');
  const res = buildNativeRef({ ...(i >= 0 ? { cxx: args[i + 1] } : {}), log: (m) => console.error(m) });
  if (res.ok) console.log(res.path);
  else {
    console.error(`native reference skipped: ${res.reason}`);
    process.exitCode = 1;
  }
}
