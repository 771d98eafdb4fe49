// Module resolve hook (registered by bench/lib/preload.mjs when BENCH_STORE=memory): every import
// of dist/store/index.js, except the shim's own, resolves to memstore-shim.mjs, whose openStore
// returns the in-memory map store (src/store/memory.ts) instead of in-memory SQLite. The bench
// uses it to compare the SQLite store with a plain map without a product option for it.
const SHIM = new URL('./memstore-shim.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.endsWith('/dist/store/index.js') && context.parentURL !== SHIM) return { ...r, url: SHIM, shortCircuit: true };
  return r;
}
