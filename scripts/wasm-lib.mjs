// Shared by scripts/build-wasm.mjs and the test that checks its output: the .wat assembled with
// wabt (a devDependency), with the bulk-memory feature the decoder uses (memory.copy).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';

/** The bytes of src/wire/snappy.wat, assembled. */
export async function assembleSnappyWat(root) {
  const wabt = await wabtInit();
  const path = join(root, 'src', 'wire', 'snappy.wat');
  const mod = wabt.parseWat('snappy.wat', readFileSync(path, 'utf8'), { bulk_memory: true });
  try {
    mod.validate();
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
