// The report as a pure fold (SPEC 9): the pipeline feeds elections and decided requests in
// output order, `finish()` returns one Report. Memory stays bounded by series, not samples:
// per (series, replica) a compact timestamp log (tslog.ts), per series the largest accepted
// timestamp (overlaps) and the accepted min/max per reign (election windows). Lost samples,
// gaps and scrape intervals are computed once, at the end, one series at a time.
import type { Election, Label } from '../model/index.js';
import { KIND_ACCEPTED, KIND_DEDUPED, LogArena, TsLog } from './tslog.js';
import type {
  ClusterReport,
  ElectionReport,
  Report,
  ReportContext,
  SampleCounts,
  TenantReport,
  TotalsReport,
} from './types.js';
import { REPORT_VERSION } from './types.js';

export interface ReplicaStats {
  replica: string;
  requests: number;
  samples: number;
  accepted: number;
  deduped: number;
  rejected: number;
  firstSeen: number;
  lastSeen: number;
  lastRequest: number; // sequence number of the last request counted
  /** The log of the last series seen from this replica (start of the series-order chain). */
  lastLog: SeriesLog | null;
}

/** Accepted timestamps of a cluster while one replica was elected. */
interface Reign {
  replica: string | null; // null: before the cluster's first election
  min: number;
  max: number;
}

interface ElectionState {
  tenant: string;
  cluster: string;
  atMs: number;
  from: string | null;
  to: string;
  previousLastSeen: number | null;
  lost: number;
  lostScrapes: number;
}

export interface ClusterState {
  tenant: string;
  cluster: string;
  replicas: Map<string, ReplicaStats>;
  elected: string | null;
  /** reigns[0] is the time before the first election; reigns[k + 1] starts with elections[k]. */
  reigns: Reign[];
  elections: ElectionState[];
  series: number;
  lost: number;
  overlap: number;
  maxGap: number;
}

interface SeriesState {
  cluster: ClusterState;
  /** Its (series, replica) logs, chained by SeriesLog.sibling (a chain, not an array: ~15k series). */
  firstLog: SeriesLog | null;
  /** Largest accepted timestamp so far, in output order (overlaps), not counting openLog's reign. */
  maxAccepted: number;
  /** The log gathering accepted samples of the current reign (only the elected replica's is accepted). */
  openLog: SeriesLog | null;
  /** Flat triples [reign index, min accepted ts, max accepted ts], one per reign with data; null before the first. */
  reigns: number[] | null;
}

/**
 * The timestamp log of one (series, replica), with the reign data of its open reign and the
 * links the hot path follows (consumer.ts request()).
 */
export class SeriesLog extends TsLog {
  /** Reign whose accepted samples this log is gathering (-1: none); see openReign(). */
  reign = -1;
  rMin = Infinity;
  rMax = -Infinity;
  /** The series' largest accepted timestamp when this log opened its reign. */
  baseMax = -Infinity;
  /** The SeriesId this log was last found by, and the log that followed it last time. */
  lastId = -1;
  next: SeriesLog | null = null;
  /** The series' next log (another replica's). */
  sibling: SeriesLog | null = null;
  constructor(
    arena: LogArena,
    readonly tenant: string,
    readonly cluster: ClusterState,
    readonly replica: string,
    readonly replicaLabel: string,
    readonly st: SeriesState,
  ) {
    super(arena);
  }
}

/** Samples by outcome, for the totals and for each tenant. */
interface Counts {
  samples: number;
  accepted: number;
  deduped: number;
  nonHa: number;
  rejected: number;
  passthrough: number;
}

const newCounts = (): Counts => ({ samples: 0, accepted: 0, deduped: 0, nonHa: 0, rejected: 0, passthrough: 0 });

export function addCounts(to: Counts, accepted: number, deduped: number, rejected: number, nonHa: number, passthrough: number): void {
  to.samples += accepted + deduped + rejected + nonHa + passthrough;
  to.accepted += accepted;
  to.deduped += deduped;
  to.rejected += rejected;
  to.nonHa += nonHa;
  to.passthrough += passthrough;
}

/** The report's spelling of Counts (SPEC 9). */
function countsReport(c: Counts): Omit<SampleCounts, 'requests'> {
  return {
    samples: c.samples,
    accepted_samples: c.accepted,
    deduped_samples: c.deduped,
    non_ha_samples: c.nonHa,
    rejected_samples: c.rejected,
    passthrough_samples: c.passthrough,
  };
}

interface TenantStats extends Counts {
  tenant: string;
  requests: number;
}

function isSorted(labels: readonly Label[]): boolean {
  for (let i = 1; i < labels.length; i++) if (labels[i - 1]!.name > labels[i]!.name) return false;
  return true;
}

/** Identity of a series (SPEC 9): tenant, cluster and its labels with the replica label removed. */
export function seriesKey(tenant: string, cluster: string, labels: readonly Label[], replicaLabel: string): string {
  const ls = isSorted(labels) ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let k = tenant + '\xfd' + cluster + '\xfd';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.name !== replicaLabel) k += l.name + '\xff' + l.value + '\xfe';
  }
  return k;
}

export function addReplicaCounts(rs: ReplicaStats, accepted: number, deduped: number, rejected: number): void {
  rs.samples += accepted + deduped + rejected;
  rs.accepted += accepted;
  rs.deduped += deduped;
  rs.rejected += rejected;
}

/** Move the series' open reign data into its reigns list. */
function closeReign(st: SeriesState): void {
  const open = st.openLog;
  if (open === null) return;
  st.openLog = null;
  if (open.rMax > st.maxAccepted) st.maxAccepted = open.rMax;
  const r = st.reigns;
  const last = r === null ? -1 : r.length - 3;
  if (r === null) {
    st.reigns = [open.reign, open.rMin, open.rMax];
  } else if (last >= 0 && r[last] === open.reign) {
    if (open.rMin < r[last + 1]!) r[last + 1] = open.rMin;
    if (open.rMax > r[last + 2]!) r[last + 2] = open.rMax;
  } else {
    r.push(open.reign, open.rMin, open.rMax);
  }
  open.reign = -1;
}

/**
 * A log starts gathering accepted samples of a reign: the series-level state is touched only
 * here, once per (log, reign), not per sample.
 */
export function openReign(log: SeriesLog, reignIdx: number): void {
  const st = log.st;
  closeReign(st);
  log.reign = reignIdx;
  log.rMin = Infinity;
  log.rMax = -Infinity;
  log.baseMax = st.maxAccepted;
  st.openLog = log;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fold's state, elections, the end-of-run figures and the Report. ReportBuilderConsumer
 * (consumer.ts) adds the events and the request() hot path; test/report/round1-builder.ts keeps
 * round 1's entry point (TimeSeries objects) over the same fold, as the tests' reference.
 */
export abstract class ReportFold {
  protected readonly clusters = new Map<string, ClusterState>();
  protected readonly series = new Map<string, SeriesState>();
  protected readonly tenants = new Map<string, TenantStats>();
  protected readonly elections: ElectionState[] = [];
  /** Where every (series, replica) log keeps its bytes. */
  protected readonly arena = new LogArena();
  protected readonly status = new Map<number, number>();
  protected requests = 0;
  protected readonly totals: Counts = newCounts();
  protected overlap = 0;

  protected cluster(tenant: string, cluster: string): ClusterState {
    const key = tenant + '\xfd' + cluster;
    let c = this.clusters.get(key);
    if (c === undefined) {
      c = {
        tenant,
        cluster,
        replicas: new Map(),
        elected: null,
        reigns: [{ replica: null, min: Infinity, max: -Infinity }],
        elections: [],
        series: 0,
        lost: 0,
        overlap: 0,
        maxGap: 0,
      };
      this.clusters.set(key, c);
    }
    return c;
  }

  protected tenant(tenant: string): TenantStats {
    let t = this.tenants.get(tenant);
    if (t === undefined) {
      t = { tenant, requests: 0, samples: 0, accepted: 0, deduped: 0, nonHa: 0, rejected: 0, passthrough: 0 };
      this.tenants.set(tenant, t);
    }
    return t;
  }

  /** The log of (series, replica), found by the series key (the path for a new labels array). */
  protected slowLog(tenant: string, c: ClusterState, replica: string, labels: readonly Label[], replicaLabel: string): SeriesLog {
    return this.slowLogKey(seriesKey(tenant, c.cluster, labels, replicaLabel), tenant, c, replica, replicaLabel);
  }

  /** slowLog with the series' key already made (one string per series without its replica label, unique in the run). */
  protected slowLogKey(key: string, tenant: string, c: ClusterState, replica: string, replicaLabel: string): SeriesLog {
    let st = this.series.get(key);
    if (st === undefined) {
      st = { cluster: c, firstLog: null, maxAccepted: -Infinity, openLog: null, reigns: null };
      this.series.set(key, st);
      c.series++;
    }
    let tail: SeriesLog | null = null;
    for (let l = st.firstLog; l !== null; l = l.sibling) {
      if (l.replica === replica) return l;
      tail = l;
    }
    const log = new SeriesLog(this.arena, tenant, c, replica, replicaLabel, st);
    if (tail === null) st.firstLog = log;
    else tail.sibling = log;
    return log;
  }

  /** A leader change, fed in the order the tracker made it, before the requests it affects. */
  protected addElection(e: Election): void {
    const c = this.cluster(e.tenant, e.cluster);
    const prev = e.from === null ? undefined : c.replicas.get(e.from);
    const el: ElectionState = {
      tenant: e.tenant,
      cluster: e.cluster,
      atMs: e.atMs,
      from: e.from,
      to: e.to,
      previousLastSeen: prev === undefined ? null : prev.lastSeen,
      lost: 0,
      lostScrapes: 0,
    };
    this.elections.push(el);
    c.elections.push(el);
    c.reigns.push({ replica: e.to, min: Infinity, max: -Infinity });
    c.elected = e.to;
  }

  /** Samples (floats + histograms) folded so far. */
  get sampleCount(): number {
    return this.totals.samples;
  }

  /** Samples folded so far whose outcome keeps them in the output: accepted, non-HA, passthrough. */
  get keptSampleCount(): number {
    const t = this.totals;
    return t.accepted + t.nonHa + t.passthrough;
  }

  /** What the fold holds: distinct series, (series, replica) logs and the bytes of their buffers. */
  footprint(): { series: number; logs: number; logBytes: number } {
    let logs = 0;
    let logBytes = 0;
    for (const st of this.series.values()) {
      for (let l = st.firstLog; l !== null; l = l.sibling) {
        logs++;
        logBytes += l.byteLength;
      }
    }
    return { series: this.series.size, logs, logBytes };
  }

  /** Compute the end-of-run figures and assemble the Report. */
  finish(ctx: ReportContext): Report {
    let totalLost = 0;
    let maxGap = 0;
    const scratch = new EndScratch();
    for (const st of this.series.values()) totalLost += foldSeries(st, scratch);

    const clusters: ClusterReport[] = [];
    const sortedClusters = [...this.clusters.values()].sort((a, b) => cmp(a.tenant, b.tenant) || cmp(a.cluster, b.cluster));
    const electionRows: ElectionReport[] = [];
    for (const c of sortedClusters) {
      if (c.maxGap > maxGap) maxGap = c.maxGap;
      clusters.push({
        tenant: c.tenant,
        cluster: c.cluster,
        elected_replica: c.elected,
        elections: c.elections.length,
        lost_samples: c.lost,
        overlap_samples: c.overlap,
        max_gap_ms: c.maxGap,
        series: c.series,
        replicas: [...c.replicas.values()]
          .sort((a, b) => cmp(a.replica, b.replica))
          .map((r) => ({
            replica: r.replica,
            requests: r.requests,
            samples: r.samples,
            accepted_samples: r.accepted,
            deduped_samples: r.deduped,
            rejected_samples: r.rejected,
            first_seen_ms: r.firstSeen,
            last_seen_ms: r.lastSeen,
          })),
      });
      for (let k = 0; k < c.elections.length; k++) {
        const el = c.elections[k]!;
        electionRows.push({
          tenant: el.tenant,
          cluster: el.cluster,
          at_ms: el.atMs,
          from: el.from,
          to: el.to,
          previous_last_seen_ms: el.previousLastSeen,
          gap_ms: electionGap(c, k),
          lost_samples: el.lost,
          lost_scrapes: el.lostScrapes,
        });
      }
    }

    const tenants: TenantReport[] = [...this.tenants.values()]
      .sort((a, b) => cmp(a.tenant, b.tenant))
      .map((t) => ({ tenant: t.tenant, requests: t.requests, ...countsReport(t) }));

    const totals: TotalsReport = {
      requests: this.requests,
      ...countsReport(this.totals),
      elections: this.elections.length,
      lost_samples: totalLost,
      overlap_samples: this.overlap,
      max_gap_ms: maxGap,
      bad_records: ctx.badRecordCount,
    };
    const status_codes: Record<string, number> = {};
    for (const code of [200, 202, 400]) status_codes[String(code)] = this.status.get(code) ?? 0;

    return {
      version: REPORT_VERSION,
      config: ctx.config,
      inputs: ctx.inputs,
      clock: ctx.clock,
      totals,
      tenants,
      clusters,
      elections: electionRows,
      bad_records: ctx.badRecords.slice(0, 100),
      status_codes,
    };
  }
}

/** Buffers the end-of-run pass reuses from one series to the next, grown to the largest. */
class EndScratch {
  cap = 0;
  ts = new Float64Array(0);
  kind = new Uint8Array(0);
  sort = new Float64Array(0);
  acc = new Float64Array(0);
  ded = new Float64Array(0);

  reserve(n: number): void {
    if (n <= this.cap) return;
    let cap = Math.max(1024, this.cap);
    while (cap < n) cap *= 2;
    this.cap = cap;
    this.ts = new Float64Array(cap);
    this.kind = new Uint8Array(cap);
    this.sort = new Float64Array(cap);
    this.acc = new Float64Array(cap);
    this.ded = new Float64Array(cap);
  }
}

/**
 * The end-of-run figures of one series: its cluster's largest gap, and its lost samples (added
 * to the cluster and to the elections whose windows hold them; the count is returned). A
 * function of its own, called once per series, so V8 optimises it as a whole (inside finish()
 * the loops ran on-stack-replaced code at several times the cost).
 */
function foldSeries(st: SeriesState, sc: EndScratch): number {
  closeReign(st);
  let total = 0;
  for (let l = st.firstLog; l !== null; l = l.sibling) total += l.count;
  sc.reserve(total);
  const tsBuf = sc.ts;
  const kindBuf = sc.kind;
  const accBuf = sc.acc;
  const dedBuf = sc.ded;
  let interval = Infinity;
  let nAcc = 0;
  let nDed = 0;
  // each log adds one run to acc and one to ded; runs in time order (usual within a replica) are
  // merged instead of sorted. accRun / dedRun: where the first run ends, -1 once that does not do
  let accRun = 0;
  let dedRun = 0;
  let logs = 0;
  for (let log = st.firstLog; log !== null; log = log.sibling) {
    const n = log.decode(tsBuf, kindBuf);
    const accFrom = nAcc;
    const dedFrom = nDed;
    for (let i = 0; i < n; i++) {
      const k = kindBuf[i];
      if (k === KIND_ACCEPTED) accBuf[nAcc++] = tsBuf[i]!;
      else if (k === KIND_DEDUPED) dedBuf[nDed++] = tsBuf[i]!;
    }
    if (logs++ === 0) {
      accRun = nAcc;
      dedRun = nDed;
    } else if (logs > 2) {
      accRun = dedRun = -1;
    }
    if (!isSortedRange(accBuf, accFrom, nAcc)) accRun = -1;
    if (!isSortedRange(dedBuf, dedFrom, nDed)) dedRun = -1;
    const iv = scrapeInterval(tsBuf, n, sc.sort);
    if (iv < interval) interval = iv;
  }
  const c = st.cluster;
  // gaps over distinct accepted timestamps
  const acc = sortRuns(accBuf, nAcc, accRun, sc.sort);
  const m = uniqueSorted(acc);
  let gap = c.maxGap;
  for (let i = 1; i < m; i++) {
    const g = acc[i]! - acc[i - 1]!;
    if (g > gap) gap = g;
  }
  c.maxGap = gap;
  if (nDed === 0) return 0;
  const ded = sortRuns(dedBuf, nDed, dedRun, sc.sort);
  const nd = uniqueSorted(ded);
  const half = interval / 2;
  let lostHere = 0;
  let perElection: number[] | null = null;
  let windows: Float64Array | null = null;
  // ded and acc are both sorted: the first accepted timestamp >= t - half only moves forward
  let idx = 0;
  for (let i = 0; i < nd; i++) {
    const t = ded[i]!;
    let lost: boolean;
    if (interval === Infinity) lost = m === 0;
    else {
      const lo = t - half;
      while (idx < m && acc[idx]! < lo) idx++;
      lost = idx >= m || acc[idx]! > t + half;
    }
    if (!lost) continue;
    lostHere++;
    if (c.elections.length === 0) continue;
    if (windows === null) {
      windows = electionWindows(st, c);
      perElection = new Array<number>(c.elections.length).fill(0);
    }
    for (let k = 0; k < c.elections.length; k++) {
      if (t > windows[2 * k]! && t < windows[2 * k + 1]!) {
        perElection![k]!++;
        break;
      }
    }
  }
  if (perElection !== null) {
    for (let k = 0; k < perElection.length; k++) {
      const cnt = perElection[k]!;
      if (cnt === 0) continue;
      const el = c.elections[k]!;
      el.lost += cnt;
      if (cnt > el.lostScrapes) el.lostScrapes = cnt;
    }
  }
  c.lost += lostHere;
  return lostHere;
}

function isSortedRange(a: Float64Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) if (a[i]! < a[i - 1]!) return false;
  return true;
}

/**
 * a[0, n) sorted, in place. `split` is where the first of two sorted runs ends (-1: unknown
 * order): two runs are merged in O(n) through `tmp`, anything else is sorted.
 */
function sortRuns(a: Float64Array, n: number, split: number, tmp: Float64Array): Float64Array {
  const all = a.subarray(0, n);
  if (split < 0) return sortIfNeeded(all);
  if (split === 0 || split === n || a[split - 1]! <= a[split]!) return all;
  tmp.set(a.subarray(0, split));
  let i = 0;
  let j = split;
  let w = 0;
  while (i < split && j < n) a[w++] = tmp[i]! <= a[j]! ? tmp[i++]! : a[j++]!;
  while (i < split) a[w++] = tmp[i++]!;
  return all;
}

/** Sort in place unless already in order (the usual case: one replica's timestamps). */
function sortIfNeeded(a: Float64Array): Float64Array {
  for (let i = 1; i < a.length; i++) if (a[i]! < a[i - 1]!) return a.sort();
  return a;
}

/** Remove duplicates from a sorted array in place; returns the new length. */
function uniqueSorted(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return 0;
  let w = 1;
  for (let i = 1; i < n; i++) if (a[i] !== a[w - 1]) a[w++] = a[i]!;
  return w;
}

/**
 * Median of the differences between consecutive distinct timestamps (for an even count, the
 * mean of the two middle values); Infinity when there are fewer than two distinct timestamps.
 */
export function scrapeInterval(ts: Float64Array, n: number, scratch: Float64Array): number {
  const s = scratch.subarray(0, n);
  s.set(ts.subarray(0, n));
  sortIfNeeded(s);
  const m = uniqueSorted(s);
  if (m < 2) return Infinity;
  // diffs in place: s[i] = s[i+1] - s[i]
  const k = m - 1;
  for (let i = 0; i < k; i++) s[i] = s[i + 1]! - s[i]!;
  // a value held by more than half the diffs covers both middle positions: it is the median
  // (the usual case: one regular interval), found without sorting (Boyer-Moore majority vote)
  let cand = s[0]!;
  let votes = 0;
  for (let i = 0; i < k; i++) {
    if (votes === 0) cand = s[i]!;
    votes += s[i] === cand ? 1 : -1;
  }
  let count = 0;
  for (let i = 0; i < k; i++) if (s[i] === cand) count++;
  if (count * 2 > k) return cand;
  const d = sortIfNeeded(s.subarray(0, k));
  return k % 2 === 1 ? d[(k - 1) / 2]! : (d[k / 2 - 1]! + d[k / 2]!) / 2;
}

/** Index of reign j's triple in the series' reigns, or -1 when it has no accepted samples there. */
function seriesReign(st: SeriesState, j: number): number {
  const r = st.reigns;
  if (r !== null) for (let i = 0; i < r.length; i += 3) if (r[i] === j) return i;
  return -1;
}

/**
 * Timestamp of the last sample accepted in reign j (the tenure election j ends: from the
 * cluster's previous election to election j) of series `st`, or of the cluster when `st` is
 * null; -Infinity when there is none. Never a sample of an earlier or later tenure (SPEC 9).
 */
function tenureLast(c: ClusterState, st: SeriesState | null, j: number): number {
  if (st === null) return c.reigns[j]!.max;
  const i = seriesReign(st, j);
  return i >= 0 ? st.reigns![i + 2]! : -Infinity;
}

/** Timestamp of the first sample accepted in reign j (the tenure election j - 1 starts), or +Infinity. */
function tenureFirst(c: ClusterState, st: SeriesState | null, j: number): number {
  if (st === null) return c.reigns[j]!.min;
  const i = seriesReign(st, j);
  return i >= 0 ? st.reigns![i + 1]! : Infinity;
}

/**
 * For each election k of the series' cluster, the open window (lo, hi) in which a lost sample of
 * the series belongs to it (SPEC 9): lo = the series' last sample accepted in the tenure the
 * election ends (reign k), else the cluster's last in it (-Infinity for a first election, or
 * when that tenure accepted nothing); hi = the series' first sample accepted in the tenure it
 * starts (reign k + 1), else the cluster's first in it (+Infinity when there is none).
 */
function electionWindows(st: SeriesState, c: ClusterState): Float64Array {
  const w = new Float64Array(c.elections.length * 2);
  for (let k = 0; k < c.elections.length; k++) {
    const el = c.elections[k]!;
    let lo = -Infinity;
    if (el.from !== null) {
      lo = tenureLast(c, st, k);
      if (lo === -Infinity) lo = tenureLast(c, null, k);
    }
    let hi = tenureFirst(c, st, k + 1);
    if (hi === Infinity) hi = tenureFirst(c, null, k + 1);
    w[2 * k] = lo;
    w[2 * k + 1] = hi;
  }
  return w;
}

/**
 * gap_ms of election k: the cluster's first sample accepted in the tenure it starts minus its
 * last accepted in the tenure it ends; null for a first election or when either tenure has none.
 */
function electionGap(c: ClusterState, k: number): number | null {
  const el = c.elections[k]!;
  if (el.from === null) return null;
  const lo = tenureLast(c, null, k);
  const hi = tenureFirst(c, null, k + 1);
  if (lo === -Infinity || hi === Infinity) return null;
  return hi - lo;
}
