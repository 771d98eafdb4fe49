// TEST-ONLY: round 1's entry point of the report fold, kept as the tests' reference (builder.test.ts,
// reference.test.ts, round1-replay.ts): requests as TimeSeries objects with round 1's
// RequestDecision, folded into the same state as ReportBuilderConsumer (src/report/builder.ts
// ReportFold). Its hot path is round 1's, with the per-labels-array cache in WeakMaps of its own
// (round 1 hung it on the array under a symbol, which src/ no longer does: issue 15 point 2).
import type { Election, Label, WriteRequest } from '../../src/model/index.js';
import { OUTCOME_STATUS } from '../../src/model/index.js';
import type { RequestDecision } from '../../src/tracker/api.js';
import { KIND_ACCEPTED, KIND_DEDUPED, KIND_REJECTED } from '../../src/report/tslog.js';
import { addCounts, addReplicaCounts, openReign, ReportFold, type ClusterState, type ReplicaStats, type SeriesLog } from '../../src/report/builder.js';

export class ReportBuilder extends ReportFold {
  /** Per labels array: its last log (round 1 hung it on the array under a symbol). */
  private readonly tag = new WeakMap<readonly Label[], SeriesLog>();
  /** Per log: the labels array it was last found by. */
  private readonly foundBy = new WeakMap<SeriesLog, readonly Label[]>();

  /** A leader change, fed in the order the tracker made it, before the requests it affects. */
  election(e: Election): void {
    this.addElection(e);
  }

  /** A decided request, in output order. `nowMs` is the simulated time it was decided at. */
  request(tenant: string, write: WriteRequest, decision: RequestDecision, nowMs: number): void {
    const seq = ++this.requests;
    const status = decision.status ?? OUTCOME_STATUS[decision.outcome];
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
    const ts = this.tenant(tenant);
    ts.requests++;
    const all = write.timeseries;
    let lastCluster: string | null = null;
    let lastReplica: string | null = null;
    let c: ClusterState | null = null;
    let rs: ReplicaStats | null = null;
    let prevLog: SeriesLog | null = null;
    // counts summed in locals and added to the totals, the tenant and the replica once
    let nAcc = 0;
    let nDed = 0;
    let nRej = 0;
    let nNonHa = 0;
    let nPass = 0;
    let rAcc = 0;
    let rDed = 0;
    let rRej = 0;
    for (let i = 0; i < all.length; i++) {
      const s = all[i]!;
      const d = decision.series[i]!;
      const n = s.samples.length + s.histograms.length;
      let kind: number;
      switch (d.outcome) {
        case 'accepted':
          nAcc += n;
          kind = KIND_ACCEPTED;
          break;
        case 'deduped':
          nDed += n;
          kind = KIND_DEDUPED;
          break;
        case 'rejected_too_many_clusters':
          nRej += n;
          kind = KIND_REJECTED;
          break;
        case 'non_ha':
          nNonHa += n;
          continue;
        default:
          nPass += n;
          continue;
      }
      if (d.cluster === null || d.replica === null) continue;
      if (d.cluster !== lastCluster || d.replica !== lastReplica || c === null || rs === null) {
        if (rs !== null) {
          rs.lastLog = prevLog;
          addReplicaCounts(rs, rAcc, rDed, rRej);
          rAcc = rDed = rRej = 0;
        }
        lastCluster = d.cluster;
        lastReplica = d.replica;
        c = this.cluster(tenant, d.cluster);
        rs = c.replicas.get(d.replica) ?? null;
        if (rs === null) {
          rs = { replica: d.replica, requests: 0, samples: 0, accepted: 0, deduped: 0, rejected: 0, firstSeen: nowMs, lastSeen: nowMs, lastRequest: 0, lastLog: null };
          c.replicas.set(d.replica, rs);
        }
        if (rs.lastRequest !== seq) {
          rs.lastRequest = seq;
          rs.requests++;
          rs.lastSeen = nowMs;
        }
        prevLog = rs.lastLog;
      }
      if (kind === KIND_ACCEPTED) rAcc += n;
      else if (kind === KIND_DEDUPED) rDed += n;
      else rRej += n;
      if (n === 0) continue;

      // the (series, replica) log: the one that followed the previous series last time, then
      // the labels array's last one, else by the series key
      let log: SeriesLog | null | undefined = prevLog === null ? null : prevLog.next;
      if (log === null || this.foundBy.get(log) !== s.labels) {
        log = this.tag.get(s.labels);
        if (log === undefined || log.cluster !== c || log.replica !== d.replica || log.tenant !== tenant || log.replicaLabel !== decision.replicaLabel) {
          log = this.slowLog(tenant, c, d.replica, s.labels, decision.replicaLabel);
          this.tag.set(s.labels, log);
        }
        this.foundBy.set(log, s.labels);
        if (prevLog !== null) prevLog.next = log;
      }
      prevLog = log;
      const samples = s.samples;
      const hists = s.histograms;
      if (kind !== KIND_ACCEPTED) {
        for (let j = 0; j < samples.length; j++) log.append(samples[j]!.timestamp, kind);
        for (let j = 0; j < hists.length; j++) log.append(hists[j]!.timestamp, kind);
        continue;
      }
      const reignIdx = c.reigns.length - 1;
      const reign = c.reigns[reignIdx]!;
      if (log.reign !== reignIdx) openReign(log, reignIdx);
      const base = log.baseMax;
      let max = log.rMax;
      let lo = log.rMin;
      let overlap = 0;
      for (let j = 0, m = samples.length + hists.length; j < m; j++) {
        const t = j < samples.length ? samples[j]!.timestamp : hists[j - samples.length]!.timestamp;
        log.append(t, KIND_ACCEPTED);
        if (t <= max || t <= base) overlap++;
        if (t > max) max = t;
        if (t < lo) lo = t;
      }
      log.rMax = max;
      log.rMin = lo;
      const hi = max;
      if (lo < reign.min) reign.min = lo;
      if (hi > reign.max) reign.max = hi;
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

}
