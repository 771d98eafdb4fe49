// Runs every test/**/*.test.ts with node's built-in runner (Node 20 has no --test globbing).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
let files = find('test');
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
// Four files at a time: most of a test's time is spent waiting (on servers, receivers, child
// processes), and the CLI tests run in process (README "Tests": the suite time before and after).
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=4', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
