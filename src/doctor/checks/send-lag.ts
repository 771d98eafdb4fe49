// send-lag (warn, SPEC 12.1): per replica, p99 of (received time - newest sample time of the
// request) greater than F - U: samples arrive so late that the tracker can see a live leader as
// silent. Needs receive times (a request without one is skipped). The decision is exact (a count
// of requests over F - U against the nearest rank of p99); the p50 / p99 shown come from a
// bounded histogram (within 0.1%).
import type { RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural } from '../options.js';
import { dur, formatDuration, isoUtc } from '../../model/index.js';
import { DurationHistogram } from '../quantiles.js';
import type { DoctorRun, PairInfo } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

const LAG_QUANTILE = 0.99;

interface Lag {
  pair: PairInfo;
  hist: DurationHistogram;
  /** Requests whose lag is over F - U. */
  over: number;
  examples: Example[];
}

export class SendLag implements Check {
  readonly code = 'send-lag' as const;
  private readonly lags: (Lag | undefined)[] = [];

  constructor(private readonly run: DoctorRun) {}

  request(ev: RequestEvent): void {
    const r = ev.request;
    if (r.receivedAtMs === null || ev.ha.pairs.length === 0) return;
    let newest = -Infinity;
    const ts = r.timestamps;
    for (let j = 0; j < ts.length; j++) if (ts[j]! > newest) newest = ts[j]!;
    for (const h of r.histograms) if (h.timestamp > newest) newest = h.timestamp;
    if (newest === -Infinity) return;
    const pair = this.run.reqPairs[0]!;
    let l = this.lags[pair.idx];
    if (l === undefined) {
      l = { pair, hist: new DurationHistogram(), over: 0, examples: [] };
      this.lags[pair.idx] = l;
    }
    const lag = r.receivedAtMs - newest;
    l.hist.add(lag);
    const cfg = pair.tenant.config;
    if (lag > cfg.failoverTimeoutMs - cfg.updateTimeoutMs) {
      l.over++;
      if (l.examples.length < MAX_EXAMPLES) l.examples.push({ labels: null, at_ms: r.receivedAtMs, note: `received ${dur(lag)} after its newest sample (${isoUtc(newest)})` });
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const l of this.lags) {
      if (l === undefined) continue;
      const n = l.hist.count;
      // p99 (nearest rank) > T  <=>  fewer than ceil(0.99 n) values are <= T
      if (n - l.over >= Math.ceil(LAG_QUANTILE * n)) continue;
      const cfg = l.pair.tenant.config;
      const T = cfg.failoverTimeoutMs - cfg.updateTimeoutMs;
      const p99 = l.hist.quantile(LAG_QUANTILE);
      const needed = formatDuration(Math.ceil(Math.max(p99 + cfg.updateTimeoutMs + 1000, cfg.updateTimeoutMs + cfg.updateTimeoutJitterMaxMs + 1000) / 1000) * 1000);
      out.push({
        code: this.code,
        severity: 'warn',
        tenant: l.pair.tenant.name,
        cluster: l.pair.cluster.name,
        replica: l.pair.replica,
        count: l.over,
        examples: l.examples,
        fix:
          `Received time minus newest sample time over ${plural(n, 'requests')}: p50 ${dur(l.hist.quantile(0.5))}, p99 ${dur(p99)}, max ${dur(l.hist.max)}; ` +
          `${int(l.over)} over failover timeout - update timeout = ${dur(T)}, so a live leader can look silent long enough to lose the lead. ` +
          `Send sooner: ${OPT.batchDeadline} (a lower \`batch_send_deadline\`; more \`max_shards\` or \`capacity\` when the queue falls behind); ` +
          `or allow for the lag: ${OPT.failoverTimeout(needed)} (over p99 + update timeout, and >= update timeout + jitter + 1s).`,
      });
    }
    return out;
  }
}
