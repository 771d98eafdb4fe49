// The consumer that runs a set of checks over one lane: it fills the shared DoctorRun first,
// then calls each check in order. Pure (no I/O, no clock); memory is what the checks keep.
import type { Consumer, ElectionEvent, EndEvent, InputSummary, PassEvent, RequestEvent, RunStart } from '../model/index.js';
import type { Check } from './check.js';
import { DoctorRun } from './run.js';
import type { Finding } from './types.js';

export type CheckFactory = (run: DoctorRun) => Check;

export class DoctorConsumer implements Consumer {
  readonly run = new DoctorRun();
  readonly checks: Check[];
  /** The inputs the lane read (from its end event); empty before it. */
  inputs: readonly InputSummary[] = [];
  ended = false;

  constructor(factories: readonly CheckFactory[]) {
    this.checks = factories.map((f) => f(this.run));
  }

  begin(ctx: RunStart): void {
    this.run.begin(ctx);
    for (const c of this.checks) c.begin?.(ctx);
  }

  pass(ev: PassEvent): void {
    for (const c of this.checks) c.pass?.(ev);
  }

  election(ev: ElectionEvent): void {
    this.run.election(ev.election, ev.seq);
    for (const c of this.checks) c.election?.(ev);
  }

  request(ev: RequestEvent): void {
    const run = this.run;
    run.request(ev);
    if (run.tenant.config.acceptHaSamples) {
      for (const c of this.checks) c.request?.(ev);
    } else {
      for (const c of this.checks) if (c.haOffTenants === true) c.request?.(ev);
    }
  }

  end(ev: EndEvent): void {
    this.inputs = ev.inputs;
    this.ended = true;
    for (const c of this.checks) c.end?.(ev);
  }

  /** The check of that class, if this consumer runs it. */
  check<T extends Check>(cls: abstract new (...args: never[]) => T): T | undefined {
    for (const c of this.checks) if (c instanceof cls) return c;
    return undefined;
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const c of this.checks) out.push(...c.findings());
    return out;
  }
}
