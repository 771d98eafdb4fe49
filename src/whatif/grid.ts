// what-if's grid (issue 19, SPEC 12): each HA option may be a comma-separated list; the grid is
// their cross product, in the order the options are listed below, the last varying fastest
// (like nested loops). A cell is the replay options of one combination. Pure: the CLI parses
// the command line into a GridSpec; validating a cell is done by replay's own option parser.
import type { Semantics } from '../model/index.js';

/** The HA options that may be lists, in grid order (the first varies slowest). */
export const GRID_OPTIONS = [
  { key: 'semantics', flag: '--semantics', column: 'semantics' },
  { key: 'dedupe', flag: '--dedupe', column: 'dedupe' },
  { key: 'updateTimeout', flag: '--update-timeout', column: 'update' },
  { key: 'updateTimeoutJitterMax', flag: '--update-timeout-jitter-max', column: 'jitter' },
  { key: 'failoverTimeout', flag: '--failover-timeout', column: 'failover' },
  { key: 'sampleFailoverTimeout', flag: '--sample-failover-timeout', column: 'sample failover' },
  { key: 'maxClusters', flag: '--max-clusters', column: 'max clusters' },
] as const;

export type GridKey = (typeof GRID_OPTIONS)[number]['key'];

/** Per option: its values as typed (trimmed). maxClusters may hold undefined: not given (each model's default). */
export type GridSpec = Record<Exclude<GridKey, 'maxClusters'>, string[]> & { maxClusters: (string | undefined)[] };

/** One combination of the grid: the text of each option as replay would get it. */
export type CellText = Record<Exclude<GridKey, 'maxClusters'>, string> & { maxClusters: string | undefined };

/** A cell's settings as the JSON report gives them (SPEC 12): every one, for every cell. */
export interface CellSettings {
  semantics: Semantics;
  dedupe: 'per-request' | 'per-sample';
  update_timeout_ms: number;
  update_timeout_jitter_max_ms: number;
  failover_timeout_ms: number;
  sample_failover_timeout_ms: number;
  max_clusters: number;
}

/** The comma-separated values of one option; an empty item is an error naming the option. */
export function splitList(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new Error(`${flag}: "${text}" has an empty item (a comma-separated list of values, e.g. 15s,30s,1m)`);
  return items;
}

/** The cross product of `spec`, in grid order. */
export function crossProduct(spec: GridSpec): CellText[] {
  let out: CellText[] = [{} as CellText];
  for (const o of GRID_OPTIONS) {
    const values = spec[o.key] as (string | undefined)[];
    const next: CellText[] = [];
    for (const partial of out) for (const v of values) next.push({ ...partial, [o.key]: v } as CellText);
    out = next;
  }
  return out;
}

/** The options given more than one value: the ones a table shows per cell. */
export function varyingKeys(spec: GridSpec): GridKey[] {
  return GRID_OPTIONS.filter((o) => spec[o.key].length > 1).map((o) => o.key);
}
