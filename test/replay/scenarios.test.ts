// Golden HA stories (fixtures/scenarios/<name>/): stdout, stderr (human report and warnings),
// JSON report and exit code of `ha-dedup replay`, compared byte for byte. Regenerate on purpose
// with `node scripts/regen-golden.mjs` after `npm run build`. Each scenario runs bin/ha-dedup in a
// process of its own: it runs in its scenario folder (in process, a command has the test's cwd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: plain .mjs script without type declarations
import { listScenarios, readExpected, runScenario } from '../../scripts/regen-golden.mjs';

const names: string[] = listScenarios();

test('the scenario set covers the stories the issue asks for', () => {
  for (const n of ['clean-failover', 'flap', 'both-down-one-returns', 'too-many-clusters', 'non-ha-mixed', 'overrides-custom-labels', 'metadata-only', 'markdown-report']) {
    assert.ok(names.includes(n), `missing scenario ${n}`);
  }
});

for (const name of names) {
  test(`scenario ${name}`, () => {
    const want = readExpected(name);
    const got = runScenario(name);
    assert.equal(got.exitCode, want.exitCode, `exit code; stderr:\n${got.stderr}`);
    assert.equal(got.stderr, want.stderr);
    assert.equal(got.stdout, want.stdout);
    assert.equal(got.report, want.report);
  });
}
