// `node --import ./bench/lib/preload.mjs ...`, used by the bench for two things:
//  - BENCH_STORE=memory: swap the product's state store for the in-memory map (memstore-hook.mjs);
//  - BENCH_RUSAGE_FILE=F: write this process's process.resourceUsage() (maxRSS in KiB, CPU
//    times) to F at exit, for machines without /usr/bin/time.
import { register } from 'node:module';
import { writeFileSync } from 'node:fs';

if (process.env.BENCH_STORE === 'memory') register('./memstore-hook.mjs', import.meta.url);
const out = process.env.BENCH_RUSAGE_FILE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRSS: u.maxRSS, userCPUTime: u.userCPUTime, systemCPUTime: u.systemCPUTime }));
  });
}
