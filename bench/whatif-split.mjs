// issue 19.4: where what-if's time goes, to choose how to use a second core. In one process
// (the built dist/), the CPU time of one pass over a capture:
//   decode   reading and decoding every record (a lane without a tracker, as inspect runs)
//   clone    the same, plus a structured clone of every decoded request: the least that
//            handing decoded requests to another thread would cost the decoding thread
//            (the receiving thread pays about as much again to deserialize; the tracker also
//            needs each request's label sets, which are not counted here)
//   cells    the 12-cell grid of bench/run.mjs, every cell a lane, on this thread alone
// usage: node bench/whatif-split.mjs FILE MODE   (prints one JSON line: {mode, cpuMs, wallMs})
// `npm run bench -- --cases split-decode,split-clone,split-cells` runs the three interleaved.
import { runPipeline } from '../dist/pipeline/engine.js';
import { runCells } from '../dist/whatif/lanes.js';
import { defaultHAConfig, tenantConfigs } from '../dist/tracker/index.js';

const [file, mode] = process.argv.slice(2);
if (!file || !['decode', 'clone', 'cells'].includes(mode)) {
  console.error('usage: node bench/whatif-split.mjs FILE decode|clone|cells');
  process.exit(2);
}
const run = { inputs: [file], format: 'auto', maxDecodedSize: 64 << 20, strict: false, clock: null, delayMs: 0, defaultTenant: 'anonymous' };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let cloned = 0;
if (mode === 'cells') {
  const cells = [];
  for (const semantics of ['cortex', 'mimir'])
    for (const perSample of [false, true])
      for (const failoverTimeoutMs of [21_000, 30_000, 60_000]) {
        const defaults = { ...defaultHAConfig(), failoverTimeoutMs, perSample, maxClusters: semantics === 'mimir' ? 100 : 0 };
        cells.push({ inputs: [file], format: 'auto', tenant: 'anonymous', clock: null, delayMs: 0, semantics, seed: 1, defaults, overrides: null, strict: false, maxDecodedSize: 64 << 20 });
      }
  await runCells(cells);
} else {
  const consumers =
    mode === 'clone'
      ? [
          {
            request(ev) {
              const r = ev.request;
              const c = structuredClone({ ids: r.ids, sampleStart: r.sampleStart, timestamps: r.timestamps, values: r.values, histogramStart: r.histogramStart, histograms: r.histograms, tenant: ev.tenant, nowMs: ev.nowMs });
              cloned += c.timestamps.length;
            },
          },
        ]
      : [];
  await runPipeline(run, [{ semantics: null, configs: tenantConfigs(defaultHAConfig()), seed: 1, store: null, consumers }]);
}
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ mode, cpuMs: Math.round((cpu.user + cpu.system) / 1000), wallMs: Math.round(performance.now() - t0), cloned }));
