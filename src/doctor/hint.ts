// The replay hint (issue 20 point 5): "ha-dedup: 2 HA configuration problems found; run
// ha-dedup doctor". One more consumer on replay's own lane, running the error-severity checks
// that need no other lane (mixed-request is detected here; its comparison figures are doctor's),
// so its count is the number of `error` findings doctor reports (test/doctor/hint.test.ts).
//
// At no measurable cost (docs/doctor.md has the measurements). What a consumer costs a replay is
// mostly the code that gets hot: V8 optimises each hot function (and what it inlines) on a
// compiler thread, and with six checks behind one dispatch loop that compile work, not the
// per-sample work, was most of the hint's cost. So a request goes one of two ways:
//   - the fast path, for a request of one pair from a tenant with HA on, nothing rejected, no
//     native histogram: replica-collision's quick() loop over its series. When it takes every
//     series, no other check has anything to do with the request (every series is HA, so none
//     lacks a label; one pair, so nothing is mixed or collides; nothing rejected) and none is
//     called;
//   - otherwise every check, as doctor calls them (replica-collision from the first series
//     quick() did not take).
// In a healthy stream the hot code is this file's request(), DoctorRun.request() (the tenant and
// pair lookup) and quick(); slots are computed only for requests that need them (lazySlots).
import type { Consumer, ElectionEvent, EndEvent, RequestEvent, RunStart } from '../model/index.js';
import type { Check } from './check.js';
import { ClusterLabelCollision } from './checks/cluster-label-collision.js';
import { MixedRequest } from './checks/mixed-request.js';
import { PartialHaLabels } from './checks/partial-ha-labels.js';
import { ReplicaCollision } from './checks/replica-collision.js';
import { TooManyClusters } from './checks/too-many-clusters.js';
import { UnconfiguredHaPair } from './checks/unconfigured-ha-pair.js';
import { DoctorRun } from './run.js';
import type { Finding } from './types.js';

export class ErrorHint implements Consumer {
  private readonly run = new DoctorRun({ lazySlots: true });
  private readonly collision = new ReplicaCollision(this.run);
  /** The other error checks, in SPEC 12.1 order. */
  private readonly others: readonly Check[] = [
    new UnconfiguredHaPair(this.run),
    new PartialHaLabels(this.run),
    new MixedRequest(this.run),
    new ClusterLabelCollision(this.run),
    new TooManyClusters(this.run, true),
  ];

  begin(ctx: RunStart): void {
    this.run.begin(ctx);
    for (const c of this.others) c.begin?.(ctx);
  }

  election(ev: ElectionEvent): void {
    this.run.election(ev.election, ev.seq);
    for (const c of this.others) c.election?.(ev);
  }

  request(ev: RequestEvent): void {
    const run = this.run;
    run.request(ev);
    const r = ev.request;
    let from = 0;
    if (run.tenant.config.acceptHaSamples && (ev.decision === null || ev.decision.status !== 400)) {
      if (r.seriesCount === 0) return; // metadata only: nothing for any check
      from = this.collision.quick(ev);
      if (from === r.seriesCount) return;
    }
    this.slow(ev, from);
  }

  /** Every check, as DoctorConsumer calls them; replica-collision from series `from`. */
  private slow(ev: RequestEvent, from: number): void {
    if (!this.run.tenant.config.acceptHaSamples) {
      for (const c of this.others) if (c.haOffTenants === true) c.request?.(ev);
      return;
    }
    for (const c of this.others) c.request?.(ev);
    this.collision.request(ev, from);
  }

  end(ev: EndEvent): void {
    for (const c of this.others) c.end?.(ev);
  }

  /** The error findings (after end). */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const c of [...this.others, this.collision]) for (const f of c.findings()) if (f.severity === 'error') out.push(f);
    return out;
  }

  /** The line replay prints on stderr, or null when doctor would report no error. */
  line(): string | null {
    return hintLine(this.findings().length);
  }
}

export function hintLine(errors: number): string | null {
  if (errors === 0) return null;
  return `ha-dedup: ${errors} HA configuration ${errors === 1 ? 'problem' : 'problems'} found; run ha-dedup doctor`;
}
