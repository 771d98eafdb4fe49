// flapping (warn, SPEC 12.1): a cluster with at least 3 flaps within 10 x F (flap-counter.ts).
// With the cause where the traffic shows it (a replica's gaps between requests approach the
// failover timeout), the largest inter-request gap per replica, and a failover timeout that
// would not have flapped, checked by replaying with it: the plan runs one more lane per rung of
// a ladder of failover timeouts (F x 1.5, 2, 3, ...) with a FlapCounter each, and the smallest
// rung under which the cluster is not flapping is the one suggested.
import type { ElectionEvent, RequestEvent, RunStart } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural } from '../options.js';
import { dur, formatDuration } from '../../model/index.js';
import type { DoctorRun } from '../run.js';
import type { Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';
import { FLAP_SILENCE_FACTOR, FLAP_WINDOW_FACTOR, FlapCounter, type ClusterFlaps } from './flap-counter.js';

interface LadderRung {
  /** The lane's failover timeouts are the configured ones times this. */
  scale: number;
  counter: FlapCounter;
}

export class Flapping implements Check {
  readonly code = 'flapping' as const;
  readonly counter = new FlapCounter();
  private ladder: readonly LadderRung[] = [];

  constructor(_run: DoctorRun) {}

  /** The ladder lanes' counters (the plan wires them), in increasing scale. */
  withLadder(rungs: readonly LadderRung[]): void {
    this.ladder = [...rungs].sort((a, b) => a.scale - b.scale);
  }

  begin(ctx: RunStart): void {
    this.counter.begin(ctx);
  }

  election(ev: ElectionEvent): void {
    this.counter.election(ev);
  }

  request(ev: RequestEvent): void {
    this.counter.request(ev);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const c of this.counter.results()) if (c.flapping) out.push(this.finding(c));
    return out;
  }

  private finding(c: ClusterFlaps): Finding {
    const F = c.failoverTimeoutMs;
    const U = c.updateTimeoutMs;
    const replicas = [...c.replicas].sort((a, b) => (a.replica < b.replica ? -1 : 1));
    const gaps = replicas
      .map((r) => `${r.replica} ${dur(r.maxAliveGapMs)}${r.maxGapMs > r.maxAliveGapMs ? ` (${dur(r.maxGapMs)} counting outages)` : ''}`)
      .join(', ');
    const losers = new Set(c.flaps.map((f) => f.from));
    const loserGap = Math.max(0, ...replicas.filter((r) => losers.has(r.replica)).map((r) => r.maxAliveGapMs));
    const cause =
      loserGap >= F - U
        ? `The old leaders' gaps between requests (up to ${dur(loserGap)}) approach the failover timeout ${dur(F)}: with the KV entry written at most every update timeout (${dur(U)}), a leader that pauses that long looks dead.`
        : `The old leaders' gaps between requests stay below F - U (${dur(F - U)}; largest ${dur(loserGap)}): the cause is not the send cadence alone; look at send-lag, replica-collision and clock regressions.`;
    let suggestion = '';
    for (const rung of this.ladder) {
      const r = rung.counter.find(c.tenant, c.cluster);
      if (r === undefined) continue;
      if (!r.flapping) {
        const d = formatDuration(Math.round(r.failoverTimeoutMs));
        suggestion =
          ` Replayed with a failover timeout of ${d}: ${plural(r.flaps.length, 'flaps')}, ${plural(r.elections, 'elections')} (instead of ${plural(c.flaps.length, 'flaps')}, ${plural(c.elections, 'elections')}). ` +
          `Set ${OPT.failoverTimeout(d)} for the tenant (it must stay >= update timeout + jitter + 1s), or make the senders' requests steadier (${OPT.batchDeadline}).`;
        break;
      }
    }
    if (suggestion === '' && this.ladder.length > 0) {
      const top = this.ladder[this.ladder.length - 1]!.counter.find(c.tenant, c.cluster);
      suggestion =
        ` No failover timeout tried (up to ${formatDuration(Math.round(top?.failoverTimeoutMs ?? F * this.ladder[this.ladder.length - 1]!.scale))}) stops it when replayed (${plural(top?.flaps.length ?? 0, 'flaps')} there): look beyond the timeout.` +
        ` Check that each replica has its own replica label (replica-collision) and that the senders' clocks and queues are healthy (${OPT.batchDeadline}).`;
    }
    return {
      code: this.code,
      severity: 'warn',
      tenant: c.tenant,
      cluster: c.cluster,
      replica: null,
      count: c.flaps.length,
      examples: c.flaps.slice(0, MAX_EXAMPLES).map((f) => ({
        labels: null,
        at_ms: f.atMs,
        note: `${f.from} -> ${f.to}; ${f.from} was silent ${dur(f.silentMs)} (from its last request before the election to its first after), under ${FLAP_SILENCE_FACTOR} x F = ${dur(FLAP_SILENCE_FACTOR * F)}`,
      })),
      fix:
        `${plural(c.flaps.length, 'flaps')} of ${plural(c.elections, 'elections')}, up to ${int(c.maxInWindow)} within ${FLAP_WINDOW_FACTOR} x F = ${dur(FLAP_WINDOW_FACTOR * F)}: the leader lost the lead while alive. ` +
        `Largest gap between requests per replica: ${gaps}. ${cause}${suggestion}`,
    };
  }
}
