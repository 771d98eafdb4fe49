// The long seeded fuzz of the readers (issue 12.15); `npm test` runs a short one (fuzz.test.ts).
//
//   node --import tsx test/wire/fuzz-run.ts [--records 100000] [--seed 1] [--file-share 0.2]
//
// --records: mutated records in all; --file-share of them go into capture files (40 fixture
// records each, 4 of them damaged), the rest are single mutated bodies and capture envelopes.
// Prints the tallies (crashes, stack traces, hangs, good records lost, wrong decodes against
// protobufjs) and exits 1 when any of them is not 0.
import { fuzzFiles, fuzzMessages, newTally, summary } from './fuzzlib.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`fuzz-run: ${name} needs a number`);
    process.exit(2);
  }
  return v;
}

const records = arg('--records', 100_000);
const seed = arg('--seed', 1);
const share = arg('--file-share', 0.2);
const t = newTally();
const t0 = process.hrtime.bigint();
const fileRecords = Math.round(records * share);
const files = Math.ceil(fileRecords / 4);
// in slices, so progress shows and each slice has a seed of its own (a failure names it)
const SLICE = 5000;
for (let done = 0, k = 0; done < records - fileRecords; done += SLICE, k++) {
  fuzzMessages(t, seed * 1000 + k, Math.min(SLICE, records - fileRecords - done));
  process.stderr.write(`\rmessages: ${t.mutatedRecords}`);
}
process.stderr.write('\n');
for (let done = 0, k = 0; done < files; done += 250, k++) {
  await fuzzFiles(t, seed * 1000 + 500 + k, Math.min(250, files - done));
  process.stderr.write(`\rfiles: ${done + Math.min(250, files - done)} / ${files}`);
}
process.stderr.write('\n');
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`fuzz: seed ${seed}, ${secs.toFixed(0)} s`);
console.log(summary(t));
const fail = t.crashes.length + t.stackTraces.length + t.hangs.length + t.goodRecordsLost + t.wrongDecodes.length;
process.exit(fail === 0 ? 0 : 1);
