// `node --import ./bench/lib/preload.mjs ...`, used by the bench for every replay case:
// BENCH_RUSAGE_FILE=F writes this process's process.resourceUsage() (maxRSS in KiB, CPU times)
// to F at exit, for machines without /usr/bin/time.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_RUSAGE_FILE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRSS: u.maxRSS, userCPUTime: u.userCPUTime, systemCPUTime: u.systemCPUTime }));
  });
}
