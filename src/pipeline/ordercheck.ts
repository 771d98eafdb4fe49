// Is the input a stream of requests in time order (issue 12.8)? A replay of records that are not
// (a VictoriaMetrics /api/v1/export, where one line holds a series' whole history; an NDJSON dump
// sorted by series) gives a meaningless report. Two signs, either is enough:
// - more than 1% of the records would move the clock back (SPEC 5's clock_regressions);
// - a record spans more sample time (newest minus oldest sample) than its tenant's failover
//   timeout: a real remote-write request holds seconds.
// A consumer of replay's lane: it looks at every request's timestamps, and at the end gives the
// report's `clock.order` and the one warning line.
import type { Consumer, EndEvent, HAConfig, RequestEvent, RunStart } from '../model/index.js';
import { formatDuration } from '../model/index.js';
import type { ClockOrderReport } from '../report/types.js';

/** Share of records moving the clock back above which the input is not in time order. */
export const REGRESSION_SHARE = 0.01;

export class OrderCheck implements Consumer {
  private config: (tenant: string) => HAConfig = () => {
    throw new Error('OrderCheck before begin');
  };
  private readonly timeouts = new Map<string, number>();
  private records = 0;
  private wide = 0;
  private maxSpan = 0;
  private wideTimeout = 0;
  private result: ClockOrderReport | null = null;

  constructor(private readonly sorted: boolean) {}

  begin(ctx: RunStart): void {
    this.config = ctx.config;
  }

  request(ev: RequestEvent): void {
    this.records++;
    const r = ev.request;
    const ts = r.timestamps;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    const hs = r.histograms;
    for (let i = 0; i < hs.length; i++) {
      const t = hs[i]!.timestamp;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (max < min) return;
    const span = max - min;
    if (span > this.maxSpan) this.maxSpan = span;
    let timeout = this.timeouts.get(ev.tenant);
    if (timeout === undefined) {
      timeout = this.config(ev.tenant).failoverTimeoutMs;
      this.timeouts.set(ev.tenant, timeout);
    }
    if (span > timeout) {
      this.wide++;
      this.wideTimeout = timeout;
    }
  }

  end(ev: EndEvent): void {
    const regress = ev.clock.clock_regressions;
    const reasons: string[] = [];
    if (this.records > 0 && regress > this.records * REGRESSION_SHARE) {
      reasons.push(`${regress} of ${this.records} records (${percent(regress, this.records)}) would move the clock back`);
    }
    if (this.wide > 0) {
      reasons.push(
        `${this.wide} of ${this.records} records span more sample time than the failover timeout (${formatDuration(this.wideTimeout)}; the widest ${formatDuration(this.maxSpan)})`,
      );
    }
    const warning =
      reasons.length === 0
        ? null
        : `the input is not a stream of requests in time order: ${reasons.join('; ')}; the report does not show what a receiver would have done${this.sorted ? '' : ' (--sort orders the records by clock time first)'}`;
    if (warning === null && !this.sorted) return;
    this.result = { sorted: this.sorted, records: this.records, regressing_records: regress, wide_records: this.wide, max_record_span_ms: this.maxSpan, warning };
  }

  /** The report's clock.order, null when there is nothing to say (in order, not sorted). */
  report(): ClockOrderReport | null {
    return this.result;
  }
}

function percent(n: number, of: number): string {
  const p = (100 * n) / of;
  return `${p >= 10 ? p.toFixed(0) : p.toFixed(1)}%`;
}
