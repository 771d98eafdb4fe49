// A pure tracker with a synchronous store attached, in one object (api.ts HATracker): round 1's
// interface, for callers that drive a tracker by hand (the tracker tests, the bench's in-process
// consumers). It does what the pipeline's lane (src/pipeline/lane.ts) does, synchronously: load
// the store's state into a new pure tracker, write every call's ops, commit every `commitEvery`
// requests and on flush(). The pipeline itself drives the pure tracker directly, with an
// async-capable store port.
import type { Election, WriteRequest } from '../model/index.js';
import type { HATracker, PassRecord, PureTracker, RequestDecision, TrackerOptions, TrackerStore } from './api.js';
import { createPureTracker } from './tracker.js';

const EMPTY_PASSES: readonly PassRecord[] = Object.freeze([]);

class StoredTracker implements HATracker {
  private readonly core: PureTracker;
  private readonly store: TrackerStore;
  private readonly commitEvery: number;
  private readonly recordPasses: boolean;
  private pending: Election[] = [];
  private passLog: PassRecord[] = [];
  private sinceCommit = 0;

  constructor(opts: TrackerOptions) {
    this.store = opts.store;
    this.commitEvery = opts.commitEvery ?? 1000;
    this.recordPasses = opts.recordPasses ?? false;
    this.core = createPureTracker({ semantics: opts.semantics, configs: opts.configs, random: opts.random, state: opts.store.load() });
  }

  get semantics() {
    return this.core.semantics;
  }

  config(tenant: string) {
    return this.core.config(tenant);
  }

  advance(nowMs: number): void {
    const r = this.core.advance(nowMs);
    if (r.ops.length > 0) this.store.write(r.ops);
    if (this.recordPasses) this.passLog.push(...r.passes);
    else this.pending.push(...r.elections);
  }

  decide(tenant: string, write: WriteRequest, nowMs: number): RequestDecision {
    const r = this.core.decide(tenant, write, nowMs);
    if (r.ops.length > 0) this.store.write(r.ops);
    if (r.elections.length > 0) this.pending.push(...r.elections);
    this.sinceCommit += 1;
    if (this.commitEvery > 0 && this.sinceCommit >= this.commitEvery) this.flush();
    return r.decision;
  }

  flush(): void {
    this.store.write(this.core.checkpoint());
    this.store.commit();
    this.sinceCommit = 0;
  }

  drainElections(): Election[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  drainPasses(): readonly PassRecord[] {
    if (this.passLog.length === 0) return EMPTY_PASSES;
    const out = this.passLog;
    this.passLog = [];
    return out;
  }

  record(tenant: string, cluster: string) {
    return this.core.record(tenant, cluster);
  }

  records() {
    return this.core.records();
  }

  memory(tenant: string, cluster: string) {
    return this.core.memory(tenant, cluster);
  }
}

/** The tracker over a synchronous store (see the file comment); the pipeline uses createPureTracker. */
export function createTracker(opts: TrackerOptions): HATracker {
  return new StoredTracker(opts);
}
