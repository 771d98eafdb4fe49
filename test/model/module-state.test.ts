// Issue 15.3: no module-level mutable state in src/wire/, src/tracker/, src/report/. Two runs in
// one process (test/replay/reentrant.test.ts) share a module's top-level bindings, so a cache,
// scratch buffer, memo or out-parameter there is shared between them; per-run state belongs to
// the run's own objects (a codec, a registry, a consumer) passed down.
//
// This scans the top level of every module in those folders for a `let`/`var`, and for a `const`
// bound to a new object (a Map, a typed array, a cache or any class instance; TextEncoder and
// TextDecoder, stateless as used, excepted). Literal
// tables (`const X = {...}` / `[...]`) read as constants and are not flagged; a module that must
// keep a load-once handle lists it in ALLOWED with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../cli/run.js';

const FOLDERS = ['src/wire', 'src/tracker', 'src/report'];

/** file → top-level names allowed, with why. */
const ALLOWED: Record<string, Record<string, string>> = {
  'src/wire/rwcap.ts': { RWCAP_MAGIC: 'the format magic, a constant (a typed array cannot be frozen); never written' },
  'src/wire/snappy.ts': {
    snappyjsModule: 'load-once handle of the snappyjs module, the same for every run',
    compressorModule: 'load-once handle of snappyjs\'s compressor module, the same for every run',
  },
};

/** Any object built at module level (a class instance holds state unless it is one of these). */
const MUTABLE_NEW = /^(?:export\s+)?const\s+(\w+)\s*(?::[^=]+)?=\s*new\s+(?!(?:TextEncoder|TextDecoder|RegExp|Intl\.\w+)\b)(\w+)/;

/**
 * Module-level state still there (issue 15.3 is not done while this list is not empty): the
 * object decoders' string interners and caches, rwcap's shared record encoder. The test fails
 * when one of them goes without leaving this list, so the list can only shrink.
 */
const PENDING: Record<string, string[]> = {
  'src/wire/prompb.ts': ['interner', 'labelSetCache', 'metadataCache'],
  'src/wire/rw2.ts': ['interner'],
  'src/wire/rwcap.ts': ['recordWriter'],
};
const LET = /^(?:export\s+)?(?:let|var)\s+(\w+)/;

function modules(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...modules(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Top-level lines: those outside any brace, bracket or paren (template strings are rare here and balanced). */
function topLevelLines(src: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let depth = 0;
  const lines = src.split('\n');
  let inBlockComment = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (depth === 0 && !inBlockComment) out.push({ line: i + 1, text: raw });
    // strip strings and comments before counting brackets
    let s = '';
    for (let j = 0; j < raw.length; j++) {
      const c = raw[j]!;
      if (inBlockComment) {
        if (c === '*' && raw[j + 1] === '/') {
          inBlockComment = false;
          j++;
        }
        continue;
      }
      if (c === '/' && raw[j + 1] === '*') {
        inBlockComment = true;
        j++;
        continue;
      }
      if (c === '/' && raw[j + 1] === '/') break;
      if (c === "'" || c === '"' || c === '`') {
        const q = c;
        j++;
        while (j < raw.length && raw[j] !== q) {
          if (raw[j] === '\\') j++;
          j++;
        }
        continue;
      }
      if (c === '/' && /[=(,:;!&|?{}\[]\s*$/.test(s)) {
        // a regex literal
        j++;
        while (j < raw.length && raw[j] !== '/') {
          if (raw[j] === '\\') j++;
          else if (raw[j] === '[') {
            while (j < raw.length && raw[j] !== ']') {
              if (raw[j] === '\\') j++;
              j++;
            }
          }
          j++;
        }
        continue;
      }
      s += c;
    }
    for (const c of s) {
      if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === ')' || c === ']') depth--;
    }
  }
  return out;
}

test('src/wire, src/tracker and src/report keep no mutable state at module level', () => {
  const found: string[] = [];
  const pendingSeen = new Set<string>();
  for (const folder of FOLDERS) {
    for (const file of modules(join(ROOT, folder))) {
      const rel = relative(ROOT, file);
      for (const { line, text } of topLevelLines(readFileSync(file, 'utf8'))) {
        const m = LET.exec(text) ?? MUTABLE_NEW.exec(text);
        if (m === null) continue;
        if (ALLOWED[rel]?.[m[1]!] !== undefined) continue;
        if (PENDING[rel]?.includes(m[1]!) === true) {
          pendingSeen.add(`${rel}: ${m[1]!}`);
          continue;
        }
        found.push(`${rel}:${line}: ${text.trim()}`);
      }
    }
  }
  assert.deepEqual(found, [], `module-level mutable state (pass a per-run object down instead):\n${found.join('\n')}`);
  const pending = Object.entries(PENDING).flatMap(([f, names]) => names.map((n) => `${f}: ${n}`));
  assert.deepEqual(pending.filter((p) => !pendingSeen.has(p)), [], 'gone from the code: take them off PENDING');
});

test('the scan sees a top-level let and a new Map, and not the same inside a function', () => {
  const src = 'let a = 1;\nconst b = new Map<string, number>();\nexport const t = { x: 1 };\nfunction f() {\n  let c = 2;\n  const d = new Set();\n}\nconst re = /[{(]/;\nlet e = 3;\nconst enc = new TextEncoder();\nconst cache = new ByteKeyCache<Label[]>(20);\n';
  const hits = topLevelLines(src).filter(({ text }) => LET.test(text) || MUTABLE_NEW.test(text)).map((l) => l.line);
  assert.deepEqual(hits, [1, 2, 9, 11]);
});
