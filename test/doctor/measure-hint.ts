// Measures, in process, what doctor's consumers cost per request against what decoding the same
// request costs (snappy + protobuf: a floor under replay's own per-request cost). Not a test
// (timings vary with the machine); run:
//
//   npx tsx test/doctor/measure-hint.ts [requests] [series]      (default 4000 requests x 500 series)
//
// The stream: a healthy HA pair (one pair per request, every series HA, one sample per series,
// the leader stopped once), events built once by the toy lane of helpers.ts. Timing is paired
// request by request, so that both sides see the same machine load: decode request k, then give
// a fresh copy of its event (arrays just written, in cache, as a decoder hands them over) to the
// hint, then another to a doctor consumer running every check; each is timed on its own. Five
// passes; the figures are the medians of the per-pass ratios.
import { snappyCompress, snappyDecompress } from '../../src/wire/snappy.js';
import { decodeWriteRequest, encodeWriteRequest } from '../../src/wire/prompb.js';
import { ErrorHint } from '../../src/doctor/hint.js';
import { DoctorConsumer } from '../../src/doctor/consumer.js';
import { ALL_CHECKS } from '../../src/doctor/plan.js';
import type { Consumer, ElectionEvent, RequestEvent, RunStart } from '../../src/model/index.js';
import { pairStream, runLane, TinyCatalog } from './helpers.js';

const requests = Number(process.argv[2] ?? 4000);
const series = Number(process.argv[3] ?? 500);
const specs = pairStream({ scrapes: requests / 2, series, interval: 15_000, down: [['replica1', 600_000, 700_000]] });

const elections: (ElectionEvent[] | undefined)[] = [];
const events: RequestEvent[] = [];
let start: RunStart | null = null;
runLane(specs, [{ begin: (c) => (start = c), election: (e) => (elections[events.length] ??= []).push(e), request: (r) => { events.push(r); } }], {}, new TinyCatalog());
const bodies = specs.map((s) =>
  snappyCompress(
    encodeWriteRequest({
      timeseries: s.series.map((x) => ({ labels: Object.entries(x.labels).map(([name, value]) => ({ name, value })), samples: x.samples.map(([t, v]) => ({ timestamp: t, value: v as number })), exemplars: [], histograms: [] })),
      metadata: [],
    }),
  ),
);
specs.length = 0;

/** The event with arrays of its own, as a decoder hands them over. */
function fresh(ev: RequestEvent): RequestEvent {
  const r = ev.request;
  const d = ev.decision!;
  return {
    ...ev,
    request: { ...r, ids: r.ids.slice(), sampleStart: r.sampleStart.slice(), timestamps: r.timestamps.slice(), values: r.values.slice() },
    ha: { pairs: ev.ha.pairs, seriesPair: ev.ha.seriesPair.slice(), missing: ev.ha.missing.slice() },
    decision: { ...d, outcomes: d.outcomes.slice(), pairOf: d.pairOf.slice() },
  };
}

const now = () => process.hrtime.bigint();
function pass(): { decode: number; hint: number; doctor: number } {
  const hint: Consumer = new ErrorHint();
  const doctor: Consumer = new DoctorConsumer(ALL_CHECKS);
  hint.begin!(start!);
  doctor.begin!(start!);
  let dec = 0n;
  let hin = 0n;
  let doc = 0n;
  let n = 0;
  for (let k = 0; k < events.length; k++) {
    for (const e of elections[k] ?? []) {
      hint.election!(e);
      doctor.election!(e);
    }
    let t = now();
    n += decodeWriteRequest(snappyDecompress(bodies[k]!)).timeseries.length;
    dec += now() - t;
    let f = fresh(events[k]!);
    t = now();
    hint.request!(f);
    hin += now() - t;
    f = fresh(events[k]!);
    t = now();
    doctor.request!(f);
    doc += now() - t;
  }
  if (n === 0) throw new Error('nothing decoded');
  return { decode: Number(dec) / 1e6, hint: Number(hin) / 1e6, doctor: Number(doc) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
pass(); // warm-up
const passes = Array.from({ length: 5 }, pass);
const per = (ms: number) => ((ms * 1000) / events.length).toFixed(1);
const d = median(passes.map((p) => p.decode));
console.log(`${events.length} requests x ${series} series, 5 passes (medians; ratios per pass, paired request by request)`);
console.log(`decode (snappy + protobuf):   ${per(d)} us/request`);
console.log(`replay hint (ErrorHint):      ${per(median(passes.map((p) => p.hint)))} us/request = ${(100 * median(passes.map((p) => p.hint / p.decode))).toFixed(1)}% of decode`);
console.log(`doctor, every check (1 lane): ${per(median(passes.map((p) => p.doctor)))} us/request = ${(100 * median(passes.map((p) => p.doctor / p.decode))).toFixed(1)}% of decode`);
