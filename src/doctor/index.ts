// ha-dedup doctor (issue 20, SPEC 12 / 12.1): HA misconfiguration found in recorded traffic, as
// consumers of the event pipeline. The CLI calls doctorPlan(), runs its lanes, renders
// plan.finish() and exits with doctorExitCode(); replay adds an ErrorHint to its lane.
export * from './types.js';
export { doctorPlan, applyLaneSettings, laneConfigs, FAILOVER_LADDER, ALL_CHECKS, type DoctorPlan, type DoctorPlanOptions, type LaneSettings, type LaneSpec } from './plan.js';
export { ErrorHint, hintLine } from './hint.js';
export { doctorExitCode, failing, parseFailOn, DEFAULT_FAIL_ON, FAIL_ON, type FailOn } from './exit.js';
export { renderJson, renderTable, renderMarkdown } from './render.js';
export { DoctorConsumer, type CheckFactory } from './consumer.js';
export { FlapCounter, type ClusterFlaps, type Flap } from './checks/flap-counter.js';
