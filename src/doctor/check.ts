// One doctor check: a consumer of one lane's events (SPEC 12.1 defines each), reading the lane's
// shared DoctorRun, that turns what it saw into findings at the end.
import type { ElectionEvent, EndEvent, PassEvent, RequestEvent, RunStart } from '../model/index.js';
import type { Code, Finding } from './types.js';

export interface Check {
  readonly code: Code;
  /**
   * Also fed the requests of tenants with HA off (`accept_ha_samples: false`, where the HA labels
   * decide nothing); only unconfigured-ha-pair, whose fix is to turn HA on, wants them.
   */
  readonly haOffTenants?: boolean;
  /** Called after the DoctorRun has taken the run's context. */
  begin?(ctx: RunStart): void;
  election?(ev: ElectionEvent): void;
  pass?(ev: PassEvent): void;
  /** Called after the DoctorRun has filled its per-request views (tenant, reqPairs; slots through slotsOf()). */
  request?(ev: RequestEvent): void;
  end?(ev: EndEvent): void;
  /** What the check found (after end). */
  findings(): Finding[];
}
