// Keeps README.md honest: every block between `<!-- BEGIN run: CMD -->` and `<!-- END run -->`
// holds the real output of `ha-dedup CMD` (stdout then stderr, colour off), run in a scratch
// folder where `fixtures/` is the project's. `node scripts/readme.mjs` rewrites the blocks;
// `node scripts/readme.mjs --check` (used by test/cli/readme.test.ts) fails when one is stale.
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const BLOCK = /(<!-- BEGIN run: (.+?) -->\n)([\s\S]*?)(<!-- END run -->)/g;

function splitArgs(cmd) {
  return cmd.match(/'[^']*'|"[^"]*"|\S+/g).map((a) => a.replace(/^['"]|['"]$/g, ''));
}

export function render(readme) {
  const scratch = mkdtempSync(join(tmpdir(), 'ha-dedup-readme-'));
  symlinkSync(join(root, 'fixtures'), join(scratch, 'fixtures'));
  mkdirSync(join(scratch, 'tmp')); // the quick start writes under tmp/ (ignored by git)
  try {
    return readme.replace(BLOCK, (_all, begin, cmd, _old, end) => {
      const r = spawnSync(process.execPath, [join(root, 'bin/ha-dedup'), ...splitArgs(cmd)], {
        cwd: scratch,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', COLUMNS: '100' },
      });
      const out = (r.stdout + r.stderr).replace(/\s+$/, '');
      return `${begin}\`\`\`\n$ ha-dedup ${cmd}\n${out}\n\`\`\`\n${end}`;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(readmePath, 'utf8');
  const fresh = render(readme);
  if (process.argv.includes('--check')) {
    if (fresh !== readme) {
      process.stderr.write('README.md blocks are stale: run `node scripts/readme.mjs`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(readmePath, fresh);
  }
}
