// See memstore-hook.mjs: the product's store module with openStore bound to the memory store.
export * from '../../dist/store/index.js';
import { openMemoryStore } from '../../dist/store/index.js';

export function openStore(opts = {}) {
  if (opts.path) throw new Error('bench memory-store shim: --db cannot be used with BENCH_STORE=memory');
  return openMemoryStore();
}
