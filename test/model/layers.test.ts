// The import graph of src/ (issue 15.4): read every import and re-export (static and dynamic)
// and check which layer may see which. model/ is the base and sees nothing else; the tracker sees
// only model/ (it is pure: no store, no pipeline, no I/O); the store adapters see only model/
// (their port types live in store/port.ts and model/state.ts, not in tracker/); the report and
// the wire codecs never see the tracker. And the tracker reads no wall clock and no unseeded
// random source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Code without comments (so a comment naming a module or Date.now is not counted). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The modules a file imports (import/export ... from, import(), import 'x'), resolved: 'tracker/api.ts', or the package name. */
export function importsOf(file: string): string[] {
  const text = code(readFileSync(file, 'utf8'));
  const specs = new Set<string>();
  for (const re of [/\b(?:import|export)\s[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g]) {
    for (const m of text.matchAll(re)) specs.add(m[1]!);
  }
  return [...specs].map((s) => (s.startsWith('.') ? relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

const layerOf = (module: string) => (module.includes('/') && !module.startsWith('node:') && !module.startsWith('@') ? module.split('/')[0]! : `package:${module}`);

/** Per layer (a directory of src/), the layers and packages it may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  tracker: ['model'],
  store: ['model', 'package:better-sqlite3', 'package:node:fs', 'package:node:os', 'package:node:path'],
};
/** Layers that must not import a layer. */
const FORBIDDEN: Record<string, readonly string[]> = {
  report: ['tracker', 'store', 'pipeline', 'cli'],
  wire: ['tracker', 'store', 'report', 'pipeline', 'cli'],
  store: ['tracker', 'pipeline', 'cli'],
};

const all = files(SRC).map((f) => ({ file: relative(SRC, f), layer: relative(SRC, f).split('/')[0]!, imports: importsOf(f) }));

test('the import scan sees the imports that are there (the scan itself)', () => {
  const lane = all.find((f) => f.file === 'pipeline/lane.ts')!;
  assert.ok(lane.imports.includes('tracker/index.ts'), lane.imports.join(', '));
  assert.ok(lane.imports.includes('store/index.ts'), lane.imports.join(', '));
  const sqlite = all.find((f) => f.file === 'store/sqlite.ts')!;
  assert.ok(sqlite.imports.includes('better-sqlite3'));
  assert.ok(sqlite.imports.includes('model/index.ts'));
  // dynamic imports count too
  const replay = all.find((f) => f.file === 'pipeline/replay.ts')!;
  assert.ok(replay.imports.includes('pipeline/overrides.ts'), replay.imports.join(', '));
});

for (const [layer, allowed] of Object.entries(ALLOWED)) {
  test(`src/${layer}/ imports only ${allowed.length === 0 ? 'itself' : `itself and ${allowed.join(', ')}`}`, () => {
    const bad: string[] = [];
    for (const f of all.filter((x) => x.layer === layer)) {
      for (const m of f.imports) {
        const l = layerOf(m);
        if (l !== layer && !allowed.includes(l)) bad.push(`${f.file} imports ${m}`);
      }
    }
    assert.deepEqual(bad, []);
  });
}

for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
  test(`src/${layer}/ imports nothing from ${forbidden.join(', ')}`, () => {
    const bad = all.filter((x) => x.layer === layer).flatMap((f) => f.imports.filter((m) => forbidden.includes(layerOf(m))).map((m) => `${f.file} imports ${m}`));
    assert.deepEqual(bad, []);
  });
}

test('the tracker reads no wall clock and no unseeded random source', () => {
  const bad: string[] = [];
  for (const f of all.filter((x) => x.layer === 'tracker')) {
    const text = code(readFileSync(join(SRC, f.file), 'utf8'));
    for (const pat of [/\bDate\.now\b/, /\bnew Date\b/, /\bDate\(/, /\bperformance\.now\b/, /\bprocess\.hrtime\b/, /\bMath\.random\b/, /\bcrypto\b/, /\bsetTimeout\b/, /\bsetInterval\b/]) {
      if (pat.test(text)) bad.push(`${f.file}: ${pat.source}`);
    }
  }
  assert.deepEqual(bad, []);
});
