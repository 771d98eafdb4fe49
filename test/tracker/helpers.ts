// Shared helpers for tracker tests: requests from label maps, fixed jitter draws, configs from
// overrides-style keys.
import { stringify } from 'yaml';
import type { HAConfig, Label, TimeSeries, WriteRequest } from '../../src/model/index.js';
import { defaultHAConfig, type RandomSource, type TenantConfigs } from '../../src/tracker/index.js';
import { loadOverrides } from '../../src/pipeline/overrides.js';

/** A RandomSource that returns the given values in turn (forever). Its state is the position. */
export function fixedRandom(values: number[]): RandomSource {
  let i = 0;
  return {
    next: () => values[i++ % values.length],
    getState: () => `fixed:${i}`,
    setState: (s: string) => {
      const m = /^fixed:(\d+)$/.exec(s);
      if (!m) throw new Error(`bad state ${s}`);
      i = Number(m[1]);
    },
  };
}

/** Settings from overrides-file keys: `config` over the defaults, `tenants` over that. */
export function configsFrom(config: Record<string, unknown> | undefined, tenants?: Record<string, unknown>): TenantConfigs {
  const base = loadOverrides(stringify({ overrides: { __defaults__: config ?? {} } }), 'scenario config', defaultHAConfig());
  const defaults: HAConfig = base.perTenant.get('__defaults__')!;
  if (!tenants) return { defaults, perTenant: new Map() };
  return loadOverrides(stringify({ overrides: tenants }), 'scenario tenants', defaults);
}

export function series(labels: Record<string, string>, timestamp: number, samples = 1): TimeSeries {
  const ls: Label[] = Object.entries(labels).map(([name, value]) => ({ name, value }));
  return {
    labels: ls,
    samples: Array.from({ length: samples }, (_, k) => ({ value: k, timestamp: timestamp + k })),
    exemplars: [],
    histograms: [],
  };
}

export function request(...ts: TimeSeries[]): WriteRequest {
  return { timeseries: ts, metadata: [] };
}

export const START_MS = 1_700_000_000_000;
