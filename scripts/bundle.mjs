// The second half of `npm run build`: bundle tsc's output (dist/) into dist/bundle/, the code
// bin/ha-dedup runs. One module per lazily loaded part (the commands other than replay, the
// overrides parser, the state store) instead of ~60 files: node's ESM loader resolves, reads and
// links each file on its own, and the bundle starts ~50 ms sooner (docs/perf.md, fourth pass).
// Packages stay external (node_modules, as installed). Not minified: stack traces stay readable.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'bundle');

rmSync(OUT, { recursive: true, force: true });
await build({
  // named entries: the CLI, and what-if's worker thread (src/whatif/threads.ts starts it from
  // ./worker.js beside the chunk that holds threads.ts, here dist/bundle/)
  entryPoints: { main: join(ROOT, 'dist', 'cli', 'main.js'), worker: join(ROOT, 'dist', 'whatif', 'worker.js') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
