// A deterministic stream of requests from one HA pair with outages, for resume and crash tests.
import type { WriteRequest } from '../../src/model/index.js';

export const SYNTH_START = 1_700_000_000_000;

/** Request i: time and write. Two replicas scrape every 5s; each goes silent now and then. */
export function synthRequest(i: number): { now: number; tenant: string; write: WriteRequest } {
  const replica = i % 2 === 0 ? 'a' : 'b';
  const step = Math.floor(i / 2);
  const now = SYNTH_START + step * 5000 + (replica === 'a' ? 0 : 2300);
  // Outages: a is down for 12 scrapes every 40, b for 9 every 33 (so both models fail over often).
  const down = replica === 'a' ? step % 40 >= 28 : step % 33 >= 24;
  const cluster = step % 200 < 190 ? 'pair' : 'pair-2';
  const labels = down
    ? [{ name: '__name__', value: 'up' }, { name: 'job', value: 'x' }] // a non-HA request instead
    : [
        { name: '__name__', value: 'up' },
        { name: 'cluster', value: cluster },
        { name: '__replica__', value: replica },
      ];
  return { now, tenant: i % 7 === 0 ? 't2' : 't1', write: { timeseries: [{ labels, samples: [{ value: 1, timestamp: now - 1000 }], exemplars: [], histograms: [] }], metadata: [] } };
}
