// What a replay on a --db FILE adds to the plain replay (issue 13 points 4 and 5, issue 12 point
// 14), kept out of the replay loop, which calls it at a few marked points:
//
// - Position. The database records, in the same transaction as the tracker state, how far into
//   each input the state goes: the last record applied (its index and byte offset) and a
//   fingerprint of the input file (SHA-256 of its first MiB). A later run on the same file (same
//   fingerprint, any path) skips the records up to that one as already applied, counting them in
//   the report (`resume.skipped_records`) instead of applying them twice.
// - Commits follow the output. With --db FILE the tracker never commits on its own: every
//   COMMIT_EVERY requests (and at the end, or at a signal) the output writer hands every byte it
//   has to the sink first (the kernel has it then), and only then the state is committed. So a
//   database never runs ahead of the written output; after kill -9 it lags by at most one batch,
//   and the recorded output size says where the written output stood at the last commit.
// - Older input. Records (not skipped) whose clock time is before the saved clock are counted,
//   and one warning per input says so ("did you replay the same capture twice?").
// - Earlier elections. The elections the database held before the run go into the report
//   (`resume.elections_before`), and a cluster with no election in this run shows the replica
//   the state has elected instead of none.
//
// Where it hooks in (replay.ts, marked "issue 13"): runPipeline's `inputFilter` (skipApplied,
// onBadRecord around each input) and `stopRequested`; the lane runs its tracker with
// `commitEvery: 0`, and DbResume.consumer(), placed after the output writer, commits through
// RunStart.commitState every COMMIT_EVERY requests and at the end; then warnings() and
// finish(report, end.state).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import type { BadRecord, Consumer, Election, EndEvent, ReplicaDesc, Request, RequestEvent, RunStart } from '../model/index.js';
import type { StateStore } from '../store/index.js';
import type { Report, ResumeReport } from '../report/index.js';
import { isoUtc } from '../report/format.js';

/** Store meta keys owned by this module. */
export const RESUME_META = {
  position: 'replay.position', // JSON of SavedPosition
} as const;

/** Requests between commits with --db FILE (the tracker's own default batch). */
export const COMMIT_EVERY = 1000;

/** Bytes of an input file its fingerprint covers. */
const FINGERPRINT_BYTES = 1 << 20;

interface Fingerprint {
  bytes: number;
  sha256: string;
}

interface InputPosition {
  path: string;
  fingerprint: Fingerprint | null;
  /** Unit, index and byte offset of the last record applied. */
  unit: 'record' | 'line';
  index: number;
  offset: number;
  /** Records applied from this input, over every run. */
  records: number;
}

interface SavedPosition {
  inputs: InputPosition[];
  /**
   * Where the output stood at this commit: its name as given (`path`, "-" = stdout), the file
   * actually being written (`file`: a staged temporary file beside the target, or stdout's file;
   * null when not a regular file) and its size then (null when not a regular file).
   */
  output: { path: string; file: string | null; bytes: number | null } | null;
}

const LINE_FORMATS = new Set(['ndjson', 'rwcap-json', 'vm-json']);

/** SHA-256 of the first `bytes` bytes of a regular file (null: not a regular file, unreadable, or shorter). */
function fingerprintOf(path: string, bytes?: number): Fingerprint | null {
  if (path === '-') return null;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const want = bytes ?? Math.min(st.size, FINGERPRINT_BYTES);
    if (st.size < want || want === 0) return null;
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, got);
      if (n === 0) return null;
      got += n;
    }
    return { bytes: want, sha256: createHash('sha256').update(buf).digest('hex') };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function parsePosition(text: string | undefined): SavedPosition | null {
  if (text === undefined) return null;
  try {
    const v = JSON.parse(text) as SavedPosition;
    return Array.isArray(v?.inputs) ? v : null;
  } catch {
    return null;
  }
}

/** The regular file behind a sink (its path from /proc, Linux) and its size; nulls for a pipe, a terminal, no sink. */
function sinkFile(sink: NodeJS.WritableStream | null): { file: string | null; bytes: number | null } {
  const fd = (sink as { fd?: unknown } | null)?.fd;
  if (typeof fd !== 'number') return { file: null, bytes: null };
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { file: null, bytes: null };
    let file: string | null = null;
    try {
      file = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // no /proc: the name as given
    }
    return { file, bytes: st.size };
  } catch {
    return { file: null, bytes: null };
  }
}

interface InputState {
  path: string;
  fingerprint: Fingerprint | null;
  /** Skip records at or before this offset (-1: skip none). */
  skipTo: number;
  /** The saved position the skip came from (its records count carries on). */
  from: InputPosition | null;
  skipped: number;
  /** The last record applied in this run. */
  last: { index: number; offset: number } | null;
  applied: number;
  before: number;
}

/** Where a record is: its input and index (a Request or a DecodedRequest). */
export interface RecordAt {
  inputIndex: number;
  recordIndex: number;
}

/** An input's report row, for its format. */
interface InputFormatOf {
  format: string;
}

export interface StopPoint {
  input: string;
  unit: 'record' | 'line';
  index: number;
}

/** Where a stopped run stopped: the last request applied, in the words of the input's bad-record lines. */
export function stopPointOf(r: RecordAt, paths: readonly string[], reports: readonly InputFormatOf[]): StopPoint {
  return { input: paths[r.inputIndex]!, unit: LINE_FORMATS.has(reports[r.inputIndex]?.format ?? '') ? 'line' : 'record', index: r.recordIndex };
}

export class DbResume {
  private readonly inputs: InputState[];
  private readonly electionsBefore: Election[];
  private readonly saved: SavedPosition | null;
  private sinceCommit = 0;

  /**
   * `paths`: the inputs, in command-line order; `prevNow`: the clock the database held (null: new).
   * Warnings (already prefixed) go to `warn`.
   */
  constructor(
    private readonly store: StateStore,
    private readonly db: string,
    paths: string[],
    private readonly prevNow: number | null,
    private readonly outputPath: string | null,
    private readonly warn: (line: string) => void,
  ) {
    this.electionsBefore = store.loadElections();
    this.saved = parsePosition(store.getMeta(RESUME_META.position));
    this.inputs = paths.map((path) => {
      const st: InputState = { path, fingerprint: fingerprintOf(path), skipTo: -1, from: null, skipped: 0, last: null, applied: 0, before: 0 };
      for (const p of this.saved?.inputs ?? []) {
        if (p.fingerprint === null) continue;
        const now = p.fingerprint.bytes === st.fingerprint?.bytes ? st.fingerprint : fingerprintOf(path, p.fingerprint.bytes);
        if (now !== null && now.sha256 === p.fingerprint.sha256) {
          st.skipTo = p.offset;
          st.from = p;
          break;
        }
      }
      return st;
    });
  }

  /** Requests of input `i` minus the ones already applied (wraps openInput's stream; the stream itself when none are). */
  skipApplied(i: number, stream: AsyncIterable<Request>): AsyncIterable<Request> {
    const st = this.inputs[i]!;
    return st.skipTo < 0 ? stream : this.skipping(st, stream);
  }

  private async *skipping(st: InputState, stream: AsyncIterable<Request>): AsyncGenerator<Request> {
    for await (const r of stream) {
      if (r.offset <= st.skipTo) {
        st.skipped++;
        continue;
      }
      yield r;
    }
  }

  /** Bad records of input `i` inside the skipped part are counted as skipped, not reported again. */
  onBadRecord(i: number, report: (bad: BadRecord) => void): (bad: BadRecord) => void {
    const st = this.inputs[i]!;
    return (bad) => {
      if (bad.offset <= st.skipTo) {
        st.skipped++;
        return;
      }
      report(bad);
    };
  }

  /** Call after request `r` (at clock time `timeMs`) was decided and handed to the writer. True when a commit is due. */
  applied(r: RecordAt & { offset: number }, timeMs: number): boolean {
    const st = this.inputs[r.inputIndex]!;
    st.last = { index: r.recordIndex, offset: r.offset };
    st.applied++;
    if (this.prevNow !== null && timeMs < this.prevNow) st.before++;
    return ++this.sinceCommit >= COMMIT_EVERY;
  }

  /**
   * Make the output durable as far as it goes, then commit the state with the position after
   * the last request applied. `reports`: the inputs' report rows (for their formats).
   */
  async commit(writer: { sync(): Promise<void> }, commitState: () => void | Promise<void>, sink: NodeJS.WritableStream | null, reports: readonly InputFormatOf[]): Promise<void> {
    await writer.sync();
    this.store.setMeta(RESUME_META.position, JSON.stringify(this.position(sink, reports)));
    await commitState();
    this.sinceCommit = 0;
  }

  /**
   * The lane consumer that does it on the event pipeline: placed after the output writer, it
   * sees each request once the writer has taken it, commits every COMMIT_EVERY of them and at
   * the end (the writer has flushed by then: it ends first).
   */
  consumer(writer: { sync(): Promise<void> }, sink: NodeJS.WritableStream | null): Consumer {
    let commitState: () => void | Promise<void> = () => undefined;
    const formats: InputFormatOf[] = [];
    return {
      begin: (ctx: RunStart) => {
        commitState = ctx.commitState ?? commitState;
      },
      request: (ev: RequestEvent) => {
        if (this.applied(ev.request, ev.recordTimeMs)) return this.commit(writer, commitState, sink, formats);
        return undefined;
      },
      end: (ev: EndEvent) => {
        formats.length = 0;
        formats.push(...ev.inputs);
        return this.commit(writer, commitState, sink, formats);
      },
    };
  }

  private position(sink: NodeJS.WritableStream | null, reports: readonly InputFormatOf[]): SavedPosition {
    const inputs: InputPosition[] = [];
    this.inputs.forEach((st, i) => {
      const unit = LINE_FORMATS.has(reports[i]?.format ?? '') ? 'line' : 'record';
      if (st.last !== null) {
        inputs.push({ path: st.path, fingerprint: st.fingerprint, unit, index: st.last.index, offset: st.last.offset, records: (st.from?.records ?? 0) + st.applied });
      } else if (st.from !== null) {
        inputs.push({ ...st.from, path: st.path }); // nothing more applied from it: where it was
      }
    });
    // the output of the run that applied the records: this one's once it applied any, else the saved one
    const appliedAny = this.inputs.some((st) => st.last !== null);
    const output = appliedAny ? (sink === null ? null : { path: this.outputPath ?? '-', ...sinkFile(sink) }) : (this.saved?.output ?? null);
    return { inputs, output };
  }

  /** The once-per-run warnings (skipped records, records before the saved state). */
  warnings(): void {
    const saved = this.saved;
    for (const st of this.inputs) {
      if (st.skipped > 0 && st.from !== null) {
        const out = saved?.output;
        // the file it was writing: a staged file a killed run left beside its target, else the target
        const name = out?.file != null && existsSync(out.file) ? out.file : out?.path === '-' ? null : (out?.path ?? null);
        const tail =
          out !== null && out !== undefined && out.bytes !== null
            ? `; the run that applied them had written ${out.bytes} bytes of output by then (${name === null ? 'to its standard output' : `to ${name}`}): to resume without duplicates, keep that much of it (truncate -s ${out.bytes} ${name ?? 'FILE'}) and append this run's output`
            : '';
        this.warn(`ha-dedup: warning: ${st.path}: skipped ${st.skipped} records already applied to --db ${this.db} (up to ${st.from.unit} ${st.from.index}, byte ${st.from.offset})${tail}`);
      }
      if (st.before > 0 && this.prevNow !== null) {
        this.warn(
          `ha-dedup: warning: ${st.path}: the input starts before the saved state: ${st.before} records are before it (the --db clock is at ${isoUtc(this.prevNow)}); did you replay the same capture twice?`,
        );
      }
    }
  }

  /** Fill the report's `resume` section and the elected replica of clusters elected before this run. */
  finish(report: Report, state: readonly ReplicaDesc[]): void {
    const elected = new Map(state.map((d) => [d.tenant + '\xfd' + d.cluster, d.replica]));
    for (const c of report.clusters) {
      if (c.elected_replica === null) c.elected_replica = elected.get(c.tenant + '\xfd' + c.cluster) ?? null;
    }
    const r: ResumeReport = {
      db: this.db,
      state_clock_ms: this.prevNow,
      skipped_records: this.inputs.reduce((n, s) => n + s.skipped, 0),
      records_before_state: this.inputs.reduce((n, s) => n + s.before, 0),
      inputs: this.inputs.map((s) => ({ path: s.path, skipped_records: s.skipped, records_before_state: s.before })),
      elections_before: this.electionsBefore.map((e) => ({ tenant: e.tenant, cluster: e.cluster, at_ms: e.atMs, from: e.from, to: e.to })),
    };
    report.resume = r;
  }
}
