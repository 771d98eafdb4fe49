// The event pipeline (issue 15): read every input once, decode each record once, merge the
// inputs in clock order, give each distinct label set a per-run SeriesId, and feed every request
// to every lane (lane.ts): each lane its own clock, tracker, store and consumers, all over the
// same requests in the same order. Commands differ only in the lanes and consumers they pass:
// replay (one lane: report builder + output writer), doctor (a lane per settings delta),
// what-if (a lane per grid cell), inspect (a lane without a tracker).
//
// No process, TTY or wall clock here: warnings and progress go to callbacks.
import type { BadRecord, ClockSource, InputFormat, Request } from '../model/index.js';
import { HaDedupError, type BadRecordEvent, type InputSummary, type RemoteWriteVersion } from '../model/index.js';
import type { ClockOptions } from '../clock/clock.js';
import { remoteWriteVersion } from '../wire/body.js';
import { toDecoded } from '../wire/columns.js';
import { SeriesRegistry } from '../wire/series.js';
import { BadRecordWarnings, mergeInputs, openInput, type InputBadRecord, type SizeTable } from './inputs.js';
import { sortInputs } from './sort.js';
import { Lane, LabellerCache, type LaneOptions } from './lane.js';

export { REPLAY_META, type LaneOptions } from './lane.js';

export interface RunOptions {
  /** Input paths; "-" is stdin (at most once). Empty = stdin. */
  inputs: string[];
  format: InputFormat | 'auto';
  /** Largest decoded body / line accepted, bytes. */
  maxDecodedSize: number;
  /** Stop at the first bad record (HaDedupError 'input') instead of reporting it. */
  strict: boolean;
  /** null = auto: receive times where a record has them, else sample times. */
  clock: ClockSource | null;
  delayMs: number;
  /** Tenant for records that carry none (--tenant). */
  defaultTenant: string;
  /**
   * One warning line per bad record ("ha-dedup: warning: ..."), without the newline: the first
   * MAX_WARNED_BAD of each input, then one "… N more bad records" line (issue 12.6).
   */
  warn?(line: string): void;
  /**
   * --sort (issue 12.8): every record in clock order before the replay (src/pipeline/sort.ts);
   * `haLabels` names the HA labels a tenant's one-sample-per-line records are regrouped by.
   */
  sort?: { haLabels(tenant: string | null): { cluster: string; replica: string } };
  /** What an input "-" reads (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array>;
  /** Called every `progressEvery` requests (default 1000), after every lane has taken the request. */
  progress?(p: RunProgress): void;
  progressEvery?: number;
  /** Polled before each request: true stops the run there, as if the inputs ended (a signal; issue 13.5). */
  stopRequested?(): boolean;
  /**
   * Drops records an earlier run applied to the lanes' --db (issue 13.5, src/pipeline/resume.ts):
   * wraps each input's stream and its bad-record callback.
   */
  inputFilter?: {
    skipApplied(i: number, stream: AsyncIterable<Request>): AsyncIterable<Request>;
    onBadRecord(i: number, report: (bad: BadRecord) => void): (bad: BadRecord) => void;
  };
}

export interface RunProgress {
  requests: number;
  /** Float samples + histograms read so far. */
  samples: number;
  /** The first lane's simulated now. */
  nowMs: number;
}

export interface RunSummary {
  inputs: InputSummary[];
  requests: number;
  samples: number;
  badRecordCount: number;
  clockSource: ClockSource;
  catalog: SeriesRegistry;
  /** True when stopRequested() ended the run before the end of the inputs. */
  stopped: boolean;
  /** The last request every lane took (its input and record index), null when none was. */
  last: { inputIndex: number; recordIndex: number } | null;
}

/** Bad records listed in the end event (all are counted). */
export const MAX_LISTED_BAD = 100;

function protocolOf(format: InputFormat | 'unknown', req: Request): RemoteWriteVersion | null {
  switch (format) {
    case 'remote-write':
      return 'rw1';
    case 'remote-write2':
      return 'rw2';
    case 'rwcap':
    case 'rwcap-json':
      if (req.captured === undefined) return 'rw1';
      try {
        return remoteWriteVersion(req.captured.contentType);
      } catch {
        return 'rw1';
      }
    default:
      return null;
  }
}

/**
 * Run `lanes` over the inputs of `run`. Each lane's consumers get begin, then per request its
 * pass / election / request events, bad records as they are met, and end. The lanes' stores are
 * the caller's: opened before, closed after (the lane commits its tracker's writes at the end).
 */
export async function runPipeline(run: RunOptions, laneOpts: readonly LaneOptions[]): Promise<RunSummary> {
  const paths = run.inputs.length === 0 ? ['-'] : run.inputs;
  if (paths.filter((p) => p === '-').length > 1) throw new HaDedupError('usage', 'stdin ("-") can be given only once as an input');

  const registry = new SeriesRegistry();
  const labellers = new LabellerCache(registry);
  const lanes = laneOpts.map((o) => new Lane(o, labellers));

  const inputs: InputSummary[] = paths.map((p) => ({ path: p, format: run.format === 'auto' ? 'unknown' : run.format, records: 0, bad_records: 0 }));
  const badRecords: BadRecordEvent[] = [];
  let badCount = 0;
  const warnings = new BadRecordWarnings((line) => run.warn?.(line));
  const onBad = (i: number) => (bad: BadRecord) => {
    badCount++;
    inputs[i]!.bad_records++;
    inputs[i]!.records++;
    const ev: BadRecordEvent = { bad: { input: bad.input, index: bad.index, offset: bad.offset, reason: bad.reason }, unit: (bad as InputBadRecord).unit ?? 'record' };
    if (badRecords.length < MAX_LISTED_BAD) badRecords.push(ev);
    warnings.bad(bad);
    for (const lane of lanes) lane.badRecord(ev);
  };
  const sizeMap = new Map<Request, [number, number]>();
  const sizes: SizeTable = {
    take(req) {
      const sz = sizeMap.get(req);
      if (sz !== undefined) sizeMap.delete(req);
      return sz;
    },
    put(req, wire, decoded) {
      sizeMap.set(req, [wire, decoded]);
    },
  };
  // auto: a record's receive time where it has one, else its sample time (recordTimeOrNull
  // falls back per record), so "received" is the rule that covers both.
  const clockOpts: ClockOptions = { source: run.clock ?? 'received', delayMs: run.delayMs };
  let sawReceiveTime = false;

  for (const lane of lanes) lane.begin(registry, paths, run.defaultTenant);

  const streams = paths.map((p, i) =>
    openInput(p, i, {
      format: run.format,
      maxDecodedSize: run.maxDecodedSize,
      strict: run.strict,
      ...(run.stdin ? { stdin: run.stdin } : {}),
      onBadRecord: run.inputFilter === undefined ? onBad(i) : run.inputFilter.onBadRecord(i, onBad(i)),
      onFormat: (f) => {
        inputs[i]!.format = f;
      },
      onWarning: (m) => run.warn?.(`ha-dedup: warning: ${m}`),
      onSizes: (req, wire, decoded) => {
        sizeMap.set(req, [wire, decoded]);
      },
    }),
  );
  const every = run.progressEvery ?? 1000;
  let seq = 0;
  let samples = 0;
  let stopped = false;
  let last: RunSummary['last'] = null;
  const filter = run.inputFilter;
  const filtered = filter === undefined ? streams : streams.map((st, i) => filter.skipApplied(i, st));
  const order = { maxDecodedSize: run.maxDecodedSize, sizes };
  const sort = run.sort;
  const merged = warnings.around(
    sort === undefined
      ? mergeInputs(filtered, clockOpts, order)
      : sortInputs(filtered, clockOpts, { ...order, formatOf: (i) => inputs[i]!.format, haLabels: (t) => sort.haLabels(t) }),
  );
  for await (const { request, timeMs } of merged) {
    if (run.stopRequested?.()) {
      stopped = true; // issue 13.5: the lanes end after the last request they took
      break;
    }
    const input = inputs[request.inputIndex]!;
    input.records++;
    if (request.receivedAtMs !== null) sawReceiveTime = true;
    const sz = sizes.take(request);
    const decoded = toDecoded(request, registry, { protocol: protocolOf(input.format, request), wireBytes: sz?.[0] ?? 0, decodedBytes: sz?.[1] ?? 0 });
    samples += decoded.timestamps.length + decoded.histograms.length;
    const tenant = request.tenant ?? run.defaultTenant;
    for (let l = 0; l < lanes.length; l++) {
      const p = lanes[l]!.request(seq, decoded, request, timeMs, tenant);
      if (p !== undefined) await p;
    }
    seq++;
    last = { inputIndex: request.inputIndex, recordIndex: request.recordIndex };
    if (run.progress && seq % every === 0) run.progress({ requests: seq, samples, nowMs: lanes[0]?.clock.nowMs ?? timeMs });
  }

  // issue 12.12: the clock the run used. `received` falls back per record to the sample time, so
  // a run where no record carried a receive time used the samples' clock, --clock received or not
  const clockSource: ClockSource = run.clock === 'sample' || !sawReceiveTime ? 'sample' : 'received';
  if (run.clock === 'received' && !sawReceiveTime && seq > 0) {
    run.warn?.('ha-dedup: warning: --clock received: no record of the input carries a receive time, so the clock is the samples\' (as --clock sample); the report says sample');
  }
  for (const lane of lanes) await lane.end({ inputs, badRecordCount: badCount, badRecords, clockSource });
  return { inputs, requests: seq, samples, badRecordCount: badCount, clockSource, catalog: registry, stopped, last };
}
