// The replay hint (issue 20 point 5): "ha-dedup: 2 HA configuration problems found; run
// ha-dedup doctor". One more consumer on replay's own lane, running the error-severity checks
// that need no other lane (mixed-request is detected here; its comparison figures are doctor's),
// so its count is the number of `error` findings doctor reports. Cheap on the hot path: in a
// healthy stream (one pair per request, every series HA, nothing rejected, no new series) the
// checks do constant work per request except replica-collision, which looks at each sample once
// (two typed-array reads and a compare); see docs/doctor.md for the measured cost.
import type { Consumer, ElectionEvent, EndEvent, RequestEvent, RunStart } from '../model/index.js';
import { ClusterLabelCollision } from './checks/cluster-label-collision.js';
import { MixedRequest } from './checks/mixed-request.js';
import { PartialHaLabels } from './checks/partial-ha-labels.js';
import { ReplicaCollision } from './checks/replica-collision.js';
import { TooManyClusters } from './checks/too-many-clusters.js';
import { UnconfiguredHaPair } from './checks/unconfigured-ha-pair.js';
import { DoctorConsumer, type CheckFactory } from './consumer.js';
import type { Finding } from './types.js';

const HINT_CHECKS: readonly CheckFactory[] = [
  (run) => new UnconfiguredHaPair(run),
  (run) => new PartialHaLabels(run),
  (run) => new MixedRequest(run),
  (run) => new ClusterLabelCollision(run),
  (run) => new ReplicaCollision(run),
  (run) => new TooManyClusters(run, true),
];

export class ErrorHint implements Consumer {
  private readonly doctor = new DoctorConsumer(HINT_CHECKS);

  begin(ctx: RunStart): void {
    this.doctor.begin(ctx);
  }
  election(ev: ElectionEvent): void {
    this.doctor.election(ev);
  }
  request(ev: RequestEvent): void {
    this.doctor.request(ev);
  }
  end(ev: EndEvent): void {
    this.doctor.end(ev);
  }

  /** The error findings (after end). */
  findings(): Finding[] {
    return this.doctor.findings().filter((f) => f.severity === 'error');
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
