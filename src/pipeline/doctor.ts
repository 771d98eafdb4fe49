// `ha-dedup doctor` as a library function: doctor's plan (src/doctor/plan.ts) run through the
// event pipeline. Every lane of the plan reads the one decoded stream with its own tracker and
// in-memory store, its settings the user's (command line + overrides) with the lane's delta
// applied; the plan's finish() turns what the consumers saw into the report. No process, TTY or
// wall clock here: the CLI passes options and callbacks in (src/cli/commands/doctor.ts).
import { doctorPlan, laneConfigs, type DoctorPlanOptions } from '../doctor/plan.js';
import type { DoctorReport } from '../doctor/types.js';
import { runPipeline, type LaneOptions } from './engine.js';
import { openStore, type OpenedStore } from '../store/index.js';
import { effectiveConfigs, sortOption, type ReplayOptions } from './replay.js';

/** What doctor reads: replay's inputs and HA settings (no state store, no output). */
export type DoctorOptions = Omit<ReplayOptions, 'db' | 'outputFormat' | 'store'>;

export interface DoctorIO {
  /** One warning line, without the trailing newline (already prefixed "ha-dedup: warning: "). */
  warn(line: string): void;
  /** What an input "-" reads (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array>;
}

export async function runDoctor(opts: DoctorOptions, io: DoctorIO, planOpts: DoctorPlanOptions = {}): Promise<DoctorReport> {
  const configs = await effectiveConfigs(opts);
  const plan = doctorPlan(planOpts);
  const stores: OpenedStore[] = [];
  try {
    const lanes: LaneOptions[] = [];
    for (const lane of plan.lanes) {
      const store = await openStore('memory:');
      stores.push(store);
      lanes.push({ semantics: opts.semantics, configs: laneConfigs(configs, lane.settings), seed: opts.seed, store, consumers: lane.consumers });
    }
    await runPipeline(
      {
        inputs: opts.inputs,
        format: opts.format,
        maxDecodedSize: opts.maxDecodedSize,
        strict: opts.strict,
        clock: opts.clock,
        delayMs: opts.delayMs,
        defaultTenant: opts.tenant,
        warn: io.warn,
        ...(opts.sort === true ? { sort: sortOption(opts, configs) } : {}),
        ...(io.stdin ? { stdin: io.stdin } : {}),
      },
      lanes,
    );
  } finally {
    for (const s of stores) await s.close();
  }
  return plan.finish();
}
