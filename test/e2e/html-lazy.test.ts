// The HTML report costs nothing to a replay that does not ask for it (issue 16 point 6): the
// code bin/ha-dedup loads at start-up (dist/bundle/main.js and the chunks it imports statically)
// holds neither the timeline consumer nor the HTML renderer; the CLI is to load them with a
// dynamic import() only for --report-format html / --html, as it loads chalk only for colour.
// Needs the built CLI (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const BUNDLE = join(resolve(import.meta.dirname, '..', '..'), 'dist', 'bundle');

/** main.js and every chunk reachable from it through static `import ... from "./x.js"`. */
function staticClosure(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    const text = readFileSync(join(BUNDLE, f), 'utf8');
    seen.set(f, text);
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*["']\.\/([^"']+)["']/gm)) todo.push(m[1]!);
    for (const m of text.matchAll(/^\s*import\s*["']\.\/([^"']+)["']/gm)) todo.push(m[1]!);
  }
  return seen;
}

test('start-up code holds no timeline consumer and no HTML renderer', () => {
  assert.ok(existsSync(join(BUNDLE, 'main.js')), 'run npm run build first');
  const loaded = staticClosure('main.js');
  assert.ok(loaded.size >= 2, `main.js and its chunks (${[...loaded.keys()].join(', ')})`);
  for (const [f, text] of loaded) {
    // the class as tsc writes it, or as esbuild bundles it (`var TimelineConsumer = class {`)
    assert.doesNotMatch(text, /class TimelineConsumer\b|\bTimelineConsumer = class\b/, `${f} holds the timeline consumer`);
    assert.doesNotMatch(text, /function renderHtml\b|\brenderHtml = function\b/, `${f} holds the HTML renderer`);
    assert.doesNotMatch(text, /Content-Security-Policy/, `${f} holds the HTML page`);
  }
});
