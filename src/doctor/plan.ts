// What doctor asks of the event pipeline: the lanes it needs over the one decoded stream, each a
// settings delta over the user's effective settings and the consumers to feed, and a finish()
// that turns what the consumers saw into the report.
//
//   base          the user's settings: every check (DoctorConsumer) + a MixedTally
//   per-sample    every tenant deduped per sample: a MixedTally (mixed-request's comparison)
//   failover-xK   every tenant's failover timeout times K, for K in the ladder: a FlapCounter
//                 each (flapping's "a timeout that would not have flapped", checked by replay)
//
// The engine (src/pipeline/) runs the lanes over the same requests in the same order; a lane's
// RunStart.config(tenant) must return the settings applyLaneSettings() gives for that lane, so
// that each consumer reads its own lane's timeouts.
import type { Consumer, HAConfig } from '../model/index.js';
import { CounterResetAfterFailover } from './checks/counter-reset-after-failover.js';
import { ClusterLabelCollision } from './checks/cluster-label-collision.js';
import { FlapCounter } from './checks/flap-counter.js';
import { Flapping } from './checks/flapping.js';
import { MixedRequest } from './checks/mixed-request.js';
import { MixedTally } from './checks/mixed-tally.js';
import { PartialHaLabels } from './checks/partial-ha-labels.js';
import { ReplicaCollision } from './checks/replica-collision.js';
import { SendLag } from './checks/send-lag.js';
import { StaleAfterFailover } from './checks/stale-after-failover.js';
import { TargetSetMismatch } from './checks/target-set-mismatch.js';
import { TooManyClusters } from './checks/too-many-clusters.js';
import { UnconfiguredHaPair } from './checks/unconfigured-ha-pair.js';
import { DoctorConsumer, type CheckFactory } from './consumer.js';
import { DOCTOR_VERSION, sortFindings, type DoctorReport } from './types.js';

/** A lane's settings as a delta over each tenant's effective settings (command line + overrides). */
interface LaneSettings {
  /** Every tenant's dedupe mode (true = per sample); absent: as configured. */
  perSample?: boolean;
  /** Every tenant's failover timeout times this (>= 1, so SPEC 6.5's rule still holds); absent: as configured. */
  failoverTimeoutScale?: number;
}

export interface LaneSpec {
  /** Unique within the plan: "base", "per-sample", "failover-x1.5", ... */
  name: string;
  settings: LaneSettings;
  /** Fed in this order, like any lane's consumers. */
  consumers: Consumer[];
}

export interface DoctorPlan {
  /** lanes[0] is the base lane (the user's settings, what replay would run). */
  lanes: LaneSpec[];
  /** After every lane has ended: the findings, sorted, with the base lane's inputs. */
  finish(): DoctorReport;
}

export interface DoctorPlanOptions {
  /** Failover timeout multipliers to replay flapping clusters with (default FAILOVER_LADDER); [] = no ladder lanes. */
  ladder?: readonly number[];
  /** Run the per-sample lane for mixed-request's comparison (default true). */
  comparePerSample?: boolean;
}

/** F x 1.5 ... x 10: with the default 30s, 45s, 1m, 1m30s, 2m, 3m, 5m. */
export const FAILOVER_LADDER: readonly number[] = [1.5, 2, 3, 4, 6, 10];

/** One tenant's settings in a lane (the engine calls this for RunStart.config and the lane's tracker). */
export function applyLaneSettings(cfg: HAConfig, s: LaneSettings): HAConfig {
  const out = { ...cfg };
  if (s.perSample !== undefined) out.perSample = s.perSample;
  if (s.failoverTimeoutScale !== undefined) out.failoverTimeoutMs = Math.round(cfg.failoverTimeoutMs * s.failoverTimeoutScale);
  return out;
}

/**
 * A lane's per-tenant settings table from the run's (the shape of src/tracker's TenantConfigs:
 * the command line's defaults and each overridden tenant), with the lane's delta applied to each.
 */
export function laneConfigs<C extends { defaults: HAConfig; perTenant: ReadonlyMap<string, HAConfig> }>(configs: C, s: LaneSettings): C {
  const perTenant = new Map<string, HAConfig>();
  for (const [t, c] of configs.perTenant) perTenant.set(t, applyLaneSettings(c, s));
  return { ...configs, defaults: applyLaneSettings(configs.defaults, s), perTenant };
}

/** Every check of SPEC 12.1, in SPEC order. */
export const ALL_CHECKS: readonly CheckFactory[] = [
  (run) => new UnconfiguredHaPair(run),
  (run) => new PartialHaLabels(run),
  (run) => new MixedRequest(run),
  (run) => new ClusterLabelCollision(run),
  (run) => new ReplicaCollision(run),
  (run) => new Flapping(run),
  (run) => new SendLag(run),
  (run) => new CounterResetAfterFailover(run),
  (run) => new TargetSetMismatch(run),
  (run) => new TooManyClusters(run),
  (run) => new StaleAfterFailover(run),
];

export function doctorPlan(opts: DoctorPlanOptions = {}): DoctorPlan {
  const doctor = new DoctorConsumer(ALL_CHECKS);
  const baseTally = new MixedTally();
  const lanes: LaneSpec[] = [{ name: 'base', settings: {}, consumers: [doctor, baseTally] }];
  let perSampleTally: MixedTally | null = null;
  if (opts.comparePerSample ?? true) {
    perSampleTally = new MixedTally();
    lanes.push({ name: 'per-sample', settings: { perSample: true }, consumers: [perSampleTally] });
  }
  const rungs = (opts.ladder ?? FAILOVER_LADDER).map((scale) => ({ scale, counter: new FlapCounter() }));
  for (const r of rungs) lanes.push({ name: `failover-x${r.scale}`, settings: { failoverTimeoutScale: r.scale }, consumers: [r.counter] });

  return {
    lanes,
    finish(): DoctorReport {
      if (perSampleTally !== null) doctor.check(MixedRequest)?.compare(baseTally, perSampleTally);
      doctor.check(Flapping)?.withLadder(rungs);
      return { version: DOCTOR_VERSION, findings: sortFindings(doctor.findings()), inputs: [...doctor.inputs] };
    },
  };
}
