// The naive baseline (SPEC 11): snappyjs + protobufjs full object decode and nothing else. The
// envelope and the WriteRequest are decoded with protobufjs types built by reflection
// (bench/lib/proto.mjs), then turned into plain objects with toObject, as a first-cut reader
// would. Counts samples so the run can be checked against the floor.
//
// usage: node bench/naive.mjs FILE.rwcap   -> one JSON line on stdout
import snappy from 'snappyjs';
import { buildTypes } from './lib/proto.mjs';
import { readRwcap } from './lib/reader.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/naive.mjs FILE.rwcap');
  process.exit(2);
}
const { WriteRequest, CapturedRequest } = buildTypes();
const opts = { longs: Number, enums: String, bytes: Buffer, defaults: false };

let requests = 0;
let series = 0;
let samples = 0;
readRwcap(file, (rec) => {
  const cap = CapturedRequest.toObject(CapturedRequest.decode(rec), opts);
  requests++;
  if (!cap.body) return;
  const raw = cap.content_encoding === 'snappy' ? snappy.uncompress(cap.body) : cap.body;
  const w = WriteRequest.toObject(WriteRequest.decode(raw), opts);
  for (const ts of w.timeseries ?? []) {
    series++;
    samples += (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0);
  }
});
process.stdout.write(JSON.stringify({ requests, series, samples }) + '\n');
