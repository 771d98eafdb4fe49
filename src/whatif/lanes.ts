// what-if's cells on the event pipeline (issue 19.2): one pass over the inputs, each record read
// and decoded once (src/pipeline/engine.ts) and fed to one lane per cell, each lane with its own
// tracker, its own in-memory map store (`memory:`), its own report builder (the consumer replay
// runs) and a flap counter (SPEC 12.1, the consumer doctor's flapping check runs). A cell's
// report is built exactly as replay builds its own: same consumer, same config section.
// No process, TTY or wall clock here; nothing here is per process (two runs can share one).
import type { Consumer, EndEvent } from '../model/index.js';
import { runPipeline, type LaneOptions } from '../pipeline/engine.js';
import { effectiveConfigs, sortOption, type ReplayOptions } from '../pipeline/replay.js';
import { OrderCheck } from '../pipeline/ordercheck.js';
import { configReport } from '../pipeline/replayconfig.js';
import { openStore, type OpenedStore } from '../store/index.js';
import { ReportBuilderConsumer, type Report } from '../report/index.js';
import { FlapCounter } from '../doctor/checks/flap-counter.js';

/** One cell's options: replay's, less its state store and output (what-if writes no sample data). */
export type CellOptions = Omit<ReplayOptions, 'db' | 'outputFormat' | 'store'>;

/** What one cell gives: its replay report and its flaps (in all, and per cluster). */
export interface CellResult {
  report: Report;
  flaps: number;
  /** Per cluster of the report, in the report's order. */
  clusterFlaps: { tenant: string; cluster: string; flaps: number }[];
}

export interface CellsIO {
  /** One warning line per bad record, without the newline; absent: none (another thread warns). */
  warn?(line: string): void;
  stdin?: AsyncIterable<Uint8Array>;
}

/**
 * Run `cells` side by side over their inputs (the inputs, format, clock and read options of the
 * first cell: a grid varies only HA settings). Results in the order of `cells`.
 */
export async function runCells(cells: readonly CellOptions[], io: CellsIO = {}): Promise<CellResult[]> {
  if (cells.length === 0) return [];
  const first = cells[0]!;
  const stores: OpenedStore[] = [];
  const per: { opts: CellOptions; configs: Awaited<ReturnType<typeof effectiveConfigs>>; builder: ReportBuilderConsumer; flaps: FlapCounter; order: OrderCheck; end: { ev: EndEvent | null } }[] = [];
  try {
    const lanes: LaneOptions[] = [];
    for (const opts of cells) {
      const configs = await effectiveConfigs(opts);
      const store = await openStore('memory:');
      stores.push(store);
      const builder = new ReportBuilderConsumer();
      const flaps = new FlapCounter();
      const end = { ev: null as EndEvent | null };
      const tap: Consumer = {
        end: (ev) => {
          end.ev = ev;
        },
      };
      // issue 12.8: replay's order check, per cell (it reads the cell's failover timeouts)
      const order = new OrderCheck(opts.sort === true);
      per.push({ opts, configs, builder, flaps, order, end });
      lanes.push({ semantics: opts.semantics, configs, seed: opts.seed, store, consumers: [builder, flaps, order, tap] });
    }
    const summary = await runPipeline(
      {
        inputs: first.inputs.length === 0 ? ['-'] : first.inputs,
        format: first.format,
        maxDecodedSize: first.maxDecodedSize,
        strict: first.strict,
        clock: first.clock,
        delayMs: first.delayMs,
        defaultTenant: first.tenant,
        ...(io.warn ? { warn: io.warn } : {}),
        // --sort: the HA labels do not vary over a grid, so the first cell's say where they are
        ...(first.sort === true ? { sort: sortOption(first, per[0]!.configs) } : {}),
        ...(io.stdin ? { stdin: io.stdin } : {}),
      },
      lanes,
    );
    return per.map((c, i) => {
      const settings = { config: (t: string) => c.configs.perTenant.get(t) ?? c.configs.defaults };
      const report = c.builder.report(configReport({ ...c.opts, db: null, outputFormat: 'none' }, summary.clockSource, settings, c.end.ev?.tenants ?? [], c.configs.ignoredKeys));
      const orderReport = c.order.report();
      if (orderReport !== null) {
        report.clock.order = orderReport;
        // one warning for the grid (the first cell's; another thread's cells warn nothing)
        if (i === 0 && orderReport.warning !== null) io.warn?.(`ha-dedup: warning: ${orderReport.warning}`);
      }
      const clusterFlaps = report.clusters.map((k) => ({ tenant: k.tenant, cluster: k.cluster, flaps: c.flaps.find(k.tenant, k.cluster)?.flaps.length ?? 0 }));
      return { report, flaps: clusterFlaps.reduce((a, k) => a + k.flaps, 0), clusterFlaps };
    });
  } finally {
    for (const s of stores) await s.close();
  }
}
