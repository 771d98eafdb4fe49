// The Report and the Timeline of one replay as `ha-dedup replay --html` makes them: runReplay
// with a TimelineConsumer among the consumers of replay's lane (src/pipeline/replay.ts).
import { runReplay, type ReplayOptions } from '../../src/pipeline/replay.js';
import type { Report } from '../../src/report/index.js';
import { TimelineConsumer, type Timeline } from '../../src/report/timeline.js';
import { defaultHAConfig } from '../../src/tracker/index.js';

/** Replay options as `ha-dedup replay FILE --output-format none` has them. */
export function replayOptions(inputs: string[], o: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    inputs,
    format: 'auto',
    tenant: 'anonymous',
    clock: null,
    delayMs: 0,
    semantics: 'cortex',
    seed: 1,
    defaults: defaultHAConfig(),
    overrides: null,
    db: null,
    outputFormat: 'none',
    strict: false,
    maxDecodedSize: 64 << 20,
    ...o,
  };
}

/** The Report and the Timeline of one replay (no output written). */
export async function replayWithTimeline(opts: ReplayOptions): Promise<{ report: Report; timeline: Timeline }> {
  const consumer = new TimelineConsumer();
  const { report } = await runReplay(opts, { output: null, warn: () => {}, consumers: [consumer] });
  return { report, timeline: consumer.finish() };
}
