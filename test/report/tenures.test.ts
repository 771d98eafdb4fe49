// Issue 12 point 13: election windows and gap_ms are bounded by the tenures the election ends
// and starts (SPEC 9), never by an earlier or later tenure of the same replica. Both entry points
// of the builder are checked: ReportBuilderConsumer (events) and round 1's ReportBuilder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, ElectionEvent, Label, Outcome, RequestEvent, RunStart, SeriesCatalog, TimeSeries } from '../../src/model/index.js';
import { OUTCOMES } from '../../src/model/index.js';
import type { RequestDecision } from '../../src/tracker/api.js';
import { ReportBuilderConsumer, type Report } from '../../src/report/index.js';
import { ReportBuilder } from './round1-builder.js';
import { runLane, T0, type RequestSpec } from '../doctor/helpers.js';

const S = 1000;

/** Feeds round 1's ReportBuilder the same events, as TimeSeries objects and a RequestDecision. */
class Round1Bridge implements Consumer {
  readonly b = new ReportBuilder();
  private cat!: SeriesCatalog;
  begin(ctx: RunStart): void {
    this.cat = ctx.catalog;
  }
  election(ev: ElectionEvent): void {
    this.b.election(ev.election);
  }
  request(ev: RequestEvent): void {
    const r = ev.request;
    const d = ev.decision!;
    const timeseries: TimeSeries[] = [];
    const series: RequestDecision['series'] = [];
    for (let i = 0; i < r.seriesCount; i++) {
      const samples = [];
      for (let j = r.sampleStart[i]!; j < r.sampleStart[i + 1]!; j++) samples.push({ timestamp: r.timestamps[j]!, value: r.values[j]! });
      timeseries.push({ labels: this.cat.labels(r.ids[i]!) as Label[], samples, histograms: [], exemplars: [] });
      const outcome: Outcome = OUTCOMES[d.outcomes[i]!]!;
      const p = d.pairOf[i]! >= 0 ? ev.ha.pairs[d.pairOf[i]!]! : null;
      series.push({ outcome, cluster: p?.cluster ?? null, replica: p?.replica ?? null, stripReplica: outcome === 'accepted' });
    }
    this.b.request(ev.tenant, { timeseries, metadata: [] }, { outcome: d.outcome, status: d.status, replicaLabel: d.replicaLabel, series }, ev.nowMs);
  }
}

const ctx = { config: null, inputs: [], clock: { source: 'received', first_ms: 0, last_ms: 0, clock_regressions: 0 }, badRecords: [], badRecordCount: 0 };

/** Both builders over one lane of `specs` (the toy Cortex tracker: update timeout 15s, failover 30s). */
function reports(specs: RequestSpec[]): Report[] {
  const consumer = new ReportBuilderConsumer();
  const bridge = new Round1Bridge();
  runLane(specs, [consumer, bridge]);
  return [consumer.report(null), bridge.b.finish(ctx)];
}

function req(replica: string, t: number, names: string[]): RequestSpec {
  return {
    at: T0 + t * S,
    tenant: 't1',
    series: names.map((n) => ({ labels: { __name__: n, cluster: 'c1', __replica__: replica }, samples: [[T0 + t * S, t] as [number, number]] })),
  };
}

test('elections none->X, X->Y, Y->X: a series X sends only in its second tenure loses nothing to the first election', () => {
  // X sends a every 10s to 100s, is away, returns at 200s with a and b; Y sends a and b every
  // 10s from 2s to 242s. Elections: none->X at 0, X->Y at 132 (30s after X's last KV write at
  // 100), Y->X at 270 (Y's last write at 232).
  const specs: RequestSpec[] = [];
  for (let t = 0; t <= 300; t += 10) {
    if (t <= 100) specs.push(req('X', t, ['a']));
    else if (t >= 200) specs.push(req('X', t, ['a', 'b']));
    if (t + 2 <= 242) specs.push(req('Y', t + 2, ['a', 'b']));
  }
  specs.sort((p, q) => p.at! - q.at!);
  for (const r of reports(specs)) {
    assert.deepEqual(
      r.elections.map((e) => [e.from, e.to, (e.at_ms - T0) / S]),
      [
        [null, 'X', 0],
        ['X', 'Y', 132],
        ['Y', 'X', 270],
      ],
    );
    // b, from Y while X leads (2s..122s): never accepted then. Its losses from 102s to 122s lie
    // between the cluster's last accepted sample of X's first tenure (100s) and b's first of
    // Y's (132s): election 2. Those before 100s lie in no window: before this fix the first
    // election's window ran to b's first sample of X's *second* tenure (270s) and took them all,
    // and the losses of the third election too.
    const [first, second, third] = r.elections;
    assert.equal(first!.lost_samples, 0, 'none->X');
    // a at 112, 122 and b at 102, 112, 122
    assert.equal(second!.lost_samples, 5, 'X->Y');
    assert.equal(second!.lost_scrapes, 3);
    // X's a and b at 250 and 260, deduplicated after Y's last samples at 242
    assert.equal(third!.lost_samples, 4, 'Y->X');
    assert.equal(third!.lost_scrapes, 2);
    // b's 10 losses from 2s to 92s belong to no election, but the cluster counts them
    assert.equal(r.clusters[0]!.lost_samples, 19);
    assert.equal(r.totals.lost_samples, 19);
    assert.equal(second!.gap_ms, 32 * S);
    assert.equal(third!.gap_ms, 28 * S);
  }
});

/** Hand-fed events, where the tracker would never produce such a stream cheaply: a tenure with no accepted sample. */
test('gap_ms is null when the tenure an election starts accepted nothing, even if the same replica leads again later', () => {
  const consumer = new ReportBuilderConsumer();
  const round1 = new ReportBuilder();
  const cat: SeriesCatalog = {
    size: 2,
    labels: (id) => [
      { name: '__name__', value: 'up' },
      { name: '__replica__', value: id === 0 ? 'X' : 'Y' },
      { name: 'cluster', value: 'c1' },
    ],
    labelValue: () => '',
  };
  consumer.begin({ catalog: cat, inputs: [], semantics: 'cortex', config: () => { throw new Error('unused'); }, defaultTenant: 't1' });
  let seq = 0;
  const elect = (t: number, from: string | null, to: string) => {
    const election = { tenant: 't1', cluster: 'c1', atMs: t * S, from, to };
    consumer.election({ election, seq, cause: 'request' });
    round1.election(election);
  };
  const send = (replica: string, t: number, outcome: Outcome) => {
    const code = OUTCOMES.indexOf(outcome);
    consumer.request({
      seq: seq++,
      request: {
        inputIndex: 0, recordIndex: seq, offset: 0, tenant: 't1', receivedAtMs: t * S, protocol: null, captured: null, wireBytes: 0, decodedBytes: 0,
        seriesCount: 1, ids: Int32Array.of(replica === 'X' ? 0 : 1), sampleStart: Int32Array.of(0, 1), timestamps: Float64Array.of(t * S), values: Float64Array.of(1),
        histogramStart: null, histograms: [], exemplarStart: null, exemplars: [], metadata: [],
      },
      tenant: 't1',
      recordTimeMs: t * S,
      nowMs: t * S,
      ha: { seriesPair: Int32Array.of(0), pairs: [{ cluster: 'c1', replica }], missing: new Uint8Array(1) },
      decision: { outcome, status: 200, message: null, replicaLabel: '__replica__', outcomes: Uint8Array.of(code), pairOf: Int32Array.of(0) },
    });
    round1.request('t1', { timeseries: [{ labels: cat.labels(replica === 'X' ? 0 : 1) as Label[], samples: [{ timestamp: t * S, value: 1 }], histograms: [], exemplars: [] }], metadata: [] }, { outcome, status: 200, replicaLabel: '__replica__', series: [{ outcome, cluster: 'c1', replica, stripReplica: outcome === 'accepted' }] }, t * S);
  };
  elect(0, null, 'X');
  for (const t of [0, 10, 20, 30, 40]) send('X', t, 'accepted');
  elect(50, 'X', 'Y'); // Y's first tenure: nothing accepted
  elect(100, 'Y', 'X');
  send('X', 100, 'accepted');
  elect(150, 'X', 'Y');
  send('Y', 150, 'accepted');
  send('Y', 160, 'accepted');
  consumer.end({ inputs: [], clock: { source: 'received', first_ms: 0, last_ms: 0, clock_regressions: 0 }, badRecordCount: 0, badRecords: [], state: [], priorElections: [], tenants: ['t1'] });
  for (const r of [consumer.report(null), round1.finish(ctx)]) {
    // before this fix, X->Y at 50s took Y's first sample of its *second* tenure: 150 - 40 = 110s
    assert.deepEqual(
      r.elections.map((e) => e.gap_ms),
      [null, null, null, 50 * S],
    );
  }
});
