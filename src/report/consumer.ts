// The report builder as a Consumer of a lane's events (src/model/events.ts): elections and
// decided requests fold into the fold of builder.ts (ReportFold, the state round 1 folded into),
// and finish() returns the same Report. Every per-series cache is keyed by SeriesId in arrays
// this consumer owns; the decoded request is only read.
import type { ConfigReport, Report } from './types.js';
import type { ElectionEvent, EndEvent, RequestEvent, RunStart, SeriesCatalog } from '../model/index.js';
import { OUTCOME_ACCEPTED, OUTCOME_DEDUPED, OUTCOME_NON_HA, OUTCOME_REJECTED } from '../model/index.js';
import { KIND_ACCEPTED, KIND_DEDUPED, KIND_REJECTED } from './tslog.js';
import { addCounts, addReplicaCounts, openReign, ReportFold, type ClusterState, type ReplicaStats, type SeriesLog } from './builder.js';

export class ReportBuilderConsumer extends ReportFold {
  private catalog: SeriesCatalog | null = null;
  /**
   * Per SeriesId: the (series, replica) log it resolved to last time (null: none yet). A log is
   * reused only when it is the same tenant, cluster, replica and replica label (a label set sent
   * to two tenants, or counted under another pair in a mixed request, resolves again).
   */
  private logById: (SeriesLog | null)[] = [];
  private endEv: EndEvent | null = null;

  begin(ctx: RunStart): void {
    this.catalog = ctx.catalog;
  }

  election(ev: ElectionEvent): void {
    this.addElection(ev.election);
  }

  request(ev: RequestEvent): void {
    const decision = ev.decision;
    if (decision === null) return; // a lane without a tracker decides nothing to report
    const seq = ++this.requests;
    const status = decision.status;
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
    const tenant = ev.tenant;
    const nowMs = ev.nowMs;
    const ts = this.tenant(tenant);
    ts.requests++;
    const r = ev.request;
    const n = r.seriesCount;
    const ids = r.ids;
    const sampleStart = r.sampleStart;
    const stamps = r.timestamps;
    const histStart = r.histogramStart;
    const hists = r.histograms;
    const outcomes = decision.outcomes;
    const pairOf = decision.pairOf;
    const pairs = ev.ha.pairs;
    const replicaLabel = decision.replicaLabel;
    let logById = this.logById;
    let lastPair = -1;
    let c: ClusterState | null = null;
    let rs: ReplicaStats | null = null;
    let replica = '';
    let prevLog: SeriesLog | null = null;
    let nAcc = 0;
    let nDed = 0;
    let nRej = 0;
    let nNonHa = 0;
    let nPass = 0;
    let rAcc = 0;
    let rDed = 0;
    let rRej = 0;
    for (let i = 0; i < n; i++) {
      const f0 = sampleStart[i]!;
      const f1 = sampleStart[i + 1]!;
      let h0 = 0;
      let h1 = 0;
      if (histStart !== null) {
        h0 = histStart[i]!;
        h1 = histStart[i + 1]!;
      }
      const cnt = f1 - f0 + (h1 - h0);
      const o = outcomes[i]!;
      let kind: number;
      if (o === OUTCOME_ACCEPTED) {
        nAcc += cnt;
        kind = KIND_ACCEPTED;
      } else if (o === OUTCOME_DEDUPED) {
        nDed += cnt;
        kind = KIND_DEDUPED;
      } else if (o === OUTCOME_REJECTED) {
        nRej += cnt;
        kind = KIND_REJECTED;
      } else if (o === OUTCOME_NON_HA) {
        nNonHa += cnt;
        continue;
      } else {
        nPass += cnt;
        continue;
      }
      const k = pairOf[i]!;
      if (k < 0) continue;
      if (k !== lastPair || c === null || rs === null) {
        if (rs !== null) {
          rs.lastLog = prevLog;
          addReplicaCounts(rs, rAcc, rDed, rRej);
          rAcc = rDed = rRej = 0;
        }
        lastPair = k;
        const pair = pairs[k]!;
        replica = pair.replica;
        c = this.cluster(tenant, pair.cluster);
        rs = c.replicas.get(replica) ?? null;
        if (rs === null) {
          rs = { replica, requests: 0, samples: 0, accepted: 0, deduped: 0, rejected: 0, firstSeen: nowMs, lastSeen: nowMs, lastRequest: 0, lastLog: null };
          c.replicas.set(replica, rs);
        }
        if (rs.lastRequest !== seq) {
          rs.lastRequest = seq;
          rs.requests++;
          rs.lastSeen = nowMs;
        }
        prevLog = rs.lastLog;
      }
      if (kind === KIND_ACCEPTED) rAcc += cnt;
      else if (kind === KIND_DEDUPED) rDed += cnt;
      else rRej += cnt;
      if (cnt === 0) continue;

      // The (series, replica) log: first the one that followed the previous series last time
      // (senders keep their series order), then this id's last log, else the series key.
      const id = ids[i]!;
      let log: SeriesLog | null | undefined = prevLog === null ? null : prevLog.next;
      if (log === null || log.lastId !== id) {
        if (id >= logById.length) logById = this.grow(id);
        log = logById[id]!;
        if (log === null || log.cluster !== c || log.replica !== replica || log.tenant !== tenant || log.replicaLabel !== replicaLabel) {
          const cat = this.catalog!;
          log =
            cat.twinId !== undefined
              ? this.slowLogKey(tenant + '\xfd' + c.cluster + '\xfd' + cat.twinId(id, replicaLabel), tenant, c, replica, replicaLabel)
              : this.slowLog(tenant, c, replica, cat.labels(id), replicaLabel);
          logById[id] = log;
        }
        log.lastId = id;
        if (prevLog !== null) prevLog.next = log;
      }
      prevLog = log;
      if (kind !== KIND_ACCEPTED) {
        for (let j = f0; j < f1; j++) log.append(stamps[j]!, kind);
        for (let j = h0; j < h1; j++) log.append(hists[j]!.timestamp, kind);
        continue;
      }
      const reignIdx = c.reigns.length - 1;
      const reign = c.reigns[reignIdx]!;
      if (log.reign !== reignIdx) openReign(log, reignIdx);
      const base = log.baseMax;
      let max = log.rMax;
      let lo = log.rMin;
      let overlap = 0;
      for (let j = f0; j < f1; j++) {
        const t = stamps[j]!;
        log.append(t, KIND_ACCEPTED);
        if (t <= max || t <= base) overlap++;
        if (t > max) max = t;
        if (t < lo) lo = t;
      }
      for (let j = h0; j < h1; j++) {
        const t = hists[j]!.timestamp;
        log.append(t, KIND_ACCEPTED);
        if (t <= max || t <= base) overlap++;
        if (t > max) max = t;
        if (t < lo) lo = t;
      }
      log.rMax = max;
      log.rMin = lo;
      if (lo < reign.min) reign.min = lo;
      if (max > reign.max) reign.max = max;
      if (overlap > 0) {
        this.overlap += overlap;
        c.overlap += overlap;
      }
    }
    if (rs !== null) {
      rs.lastLog = prevLog;
      addReplicaCounts(rs, rAcc, rDed, rRej);
    }
    addCounts(this.totals, nAcc, nDed, nRej, nNonHa, nPass);
    addCounts(ts, nAcc, nDed, nRej, nNonHa, nPass);
  }

  /** The per-id array long enough for `id` (ids are dense: grow to the catalog's size). */
  private grow(id: number): (SeriesLog | null)[] {
    const a = this.logById;
    const want = Math.max(id + 1, this.catalog?.size ?? 0);
    while (a.length < want) a.push(null);
    return a;
  }

  /** Bad records are taken from the end event (their count and the first 100), not one by one. */
  end(ev: EndEvent): void {
    this.endEv = ev;
  }

  /**
   * The Report, after end(): `config` is the run's effective settings (the command knows them:
   * src/pipeline/replayconfig.ts), inputs, clock and bad records come from the end event.
   */
  report(config: ConfigReport | null): Report {
    const ev = this.endEv;
    if (ev === null) throw new Error('ReportBuilderConsumer.report() before end()');
    return this.finish({
      config,
      inputs: ev.inputs.map((i) => ({ path: i.path, format: i.format, records: i.records, bad_records: i.bad_records })),
      clock: { source: ev.clock.source, first_ms: ev.clock.first_ms, last_ms: ev.clock.last_ms, clock_regressions: ev.clock.clock_regressions },
      badRecords: ev.badRecords.slice(0, 100).map((b) => ({ input: b.bad.input, unit: b.unit, index: b.bad.index, offset: b.bad.offset, reason: b.bad.reason })),
      badRecordCount: ev.badRecordCount,
    });
  }
}
