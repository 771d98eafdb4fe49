// No unused exports (issue 15.7): every name a module under src/ exports is used by another
// file of src/, bin/, test/, bench/, scripts/ or fixtures/ (a re-export alone, `export { x } from`, does not
// count). There is no public library entry (package.json has no "main" or "exports"): the
// CLI is the product, so nothing is exported for outside callers. An export used only in its own
// file loses its `export`; one used nowhere is dead code and goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Source text without its re-export statements (`export { a } from '...'`, `export * from '...'`). */
function withoutReexports(text: string): string {
  return text.replace(/export\s+(?:type\s+)?\{[^}]*\}\s*from\s*'[^']*';?/g, '').replace(/export\s+\*(?:\s+as\s+\w+)?\s+from\s*'[^']*';?/g, '');
}

/**
 * Unused exports left in files other helpers were rewriting in the same session (src/wire/,
 * src/tracker/, src/store/, src/model/state.ts, src/pipeline/, src/cli/outfile.ts and stdio.ts,
 * what-if: issue 15.2-15.5, 12, 21), and those that came with merging main at 6d8c4c4: each is
 * to be dropped or used, and its line here removed. The test fails on a line that no longer holds, so the list
 * only shrinks.
 */
const PENDING: readonly string[] = [
  'src/cli/commands/replay.ts: parseDb',
  'src/cli/commands/what-if.ts: WhatIfCliOptions',
  'src/cli/commands/what-if.ts: WHATIF_FORMATS',
  'src/cli/commands/what-if.ts: PlannedCell',
  'src/cli/commands/what-if.ts: ParsedWhatIf',
  'src/cli/commands/what-if.ts: parseWhatIfOptions',
  'src/cli/commands/what-if.ts: whatIfHelp',
  'src/cli/main.ts: exitCodeFor',
  'src/cli/outfile.ts: openForWrite',
  'src/cli/outfile.ts: sameFile',
  'src/cli/outfile.ts: OutputFile',
  'src/cli/stdio.ts: StdioFailure',
  'src/pipeline/engine.ts: RunProgress',
  'src/pipeline/engine.ts: RunSummary',
  'src/pipeline/inputs.ts: badRecordText',
  'src/pipeline/inputs.ts: formatHasReceiveTimes',
  'src/pipeline/inputs.ts: MAX_LEADING_BAD',
  'src/pipeline/inputs.ts: LEADING_HELD',
  'src/pipeline/lane.ts: toDecision',
  'src/pipeline/ordercheck.ts: REGRESSION_SHARE',
  'src/pipeline/replay.ts: ReplayProgress',
  'src/pipeline/sort.ts: SortOptions',
  'src/store/memory.ts: MemoryBacking',
  'src/store/readonly.ts: DbHolder',
  'src/store/readonly.ts: ReadonlyState',
  'src/store/schema.ts: STATE_VERSION_META',
  'src/store/schema.ts: notOurs',
  'src/whatif/render.ts: WHATIF_VERSION',
  'src/whatif/render.ts: cellFlags',
  'src/whatif/render.ts: largestLostScrapes',
  'src/whatif/render.ts: FIGURE_HEAD',
  'src/whatif/render.ts: CLUSTER_FIGURE_HEAD',
  'src/wire/body.ts: decodeProto',
  'src/wire/columns.ts: EnvelopeFacts',
  'src/wire/errors.ts: isWireError',
  'src/wire/ndjson.ts: NdjsonItem',
  'src/wire/ndjson.ts: NdjsonLine',
  'src/wire/ndjson.ts: parseHistogram',
  'src/wire/outconsumers.ts: OutputConsumer',
  'src/wire/pbreader.ts: wireTypeError',
  'src/wire/pbwriter.ts: uvarintBytes',
  'src/wire/prompb.ts: wrongWireType',
  'src/wire/prompb.ts: writeTimeSeries',
  'src/wire/spillcodec.ts: SPILL_CAPTURED',
  'src/wire/summary.ts: SummaryOptions',
  'src/wire/summary.ts: InspectReplica',
  'src/wire/summary.ts: InspectCluster',
  'src/wire/summary.ts: InspectTenant',
  'src/wire/writers.ts: OutputWriter',
];

const DECLARED = /^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;

test('every export of src/ is used outside its own file', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.main ?? pkg.exports, undefined, 'a public library entry: its exports would be used from outside; exclude them here');
  const src = walk(join(ROOT, 'src'));
  // this file names the PENDING ones: it is no use of them
  // bin/ha-dedup (no extension) imports the bundle's entry, src/cli/main.ts
  const bin = readdirSync(join(ROOT, 'bin')).map((n) => join(ROOT, 'bin', n));
  const files = [...src, ...bin, ...['test', 'bench', 'scripts', 'fixtures'].flatMap((d) => walk(join(ROOT, d)))].filter((f) => f !== import.meta.filename);
  const texts = new Map(files.map((f) => [f, withoutReexports(readFileSync(f, 'utf8'))]));
  const unused: string[] = [];
  for (const file of src) {
    for (const m of readFileSync(file, 'utf8').matchAll(DECLARED)) {
      const word = new RegExp(`(?<![\\w$])${m[1]!.replace(/\$/g, '\\$')}(?![\\w$])`);
      if (![...texts].some(([other, text]) => other !== file && word.test(text))) unused.push(`${file.slice(ROOT.length + 1)}: ${m[1]}`);
    }
  }
  const fresh = unused.filter((u) => !PENDING.includes(u));
  assert.deepEqual(fresh, [], `exported but used by no other file (drop the export, or the code if nothing uses it):\n${fresh.join('\n')}`);
  const gone = PENDING.filter((u) => !unused.includes(u));
  assert.deepEqual(gone, [], `no longer an unused export: remove it from PENDING:\n${gone.join('\n')}`);
});

test('the scan sees an unused export', () => {
  const text = 'export function lonely(): void {}\nexport const used = 1;\n';
  assert.deepEqual([...text.matchAll(DECLARED)].map((m) => m[1]), ['lonely', 'used']);
  assert.equal(withoutReexports("export { lonely } from './x.js';\nexport type { T } from './t.js';\nexport * from './y.js';"), '\n\n');
});
