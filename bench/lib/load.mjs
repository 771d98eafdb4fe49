// The machine's load average while the bench runs (issue 18 point 5): the bench shares its CPUs,
// and a ratio measured while other jobs ran is worth less; the table says how busy it was.
//
//   const load = watchLoad();          // samples os.loadavg() now and every 5 s (timer unref'd)
//   ...                                // run the cases (asynchronously: the timer must get to run)
//   const from = load.now();           // mark a stretch (e.g. one size's runs) ...
//   load.between(from, load.now())     // ... and summarise it
//   const s = load.stop();             // the whole run: { start, end, min1, max1, mean1, samples, cpus }
//   formatLoad(s)                      // "load average 1.73/1.32/1.15 at start, ... on 2 CPUs"
import os from 'node:os';

/**
 * Summary of load samples [{ t, load: [1, 5, 15 min] }] (in time order): the first and last
 * triples, and min / max / mean of the 1-minute figure. null for no samples.
 */
export function summariseLoad(samples, cpus) {
  if (!samples.length) return null;
  const one = samples.map((s) => s.load[0]);
  return {
    start: samples[0].load,
    end: samples[samples.length - 1].load,
    min1: Math.min(...one),
    max1: Math.max(...one),
    mean1: one.reduce((a, b) => a + b, 0) / one.length,
    samples: samples.length,
    cpus,
  };
}

const triple = (l) => l.map((x) => x.toFixed(2)).join('/');

/** One line for the bench's conditions. */
export function formatLoad(s) {
  if (!s) return 'load average: not sampled';
  const busy = s.max1 > s.cpus ? `; more runnable jobs than CPUs at times (1-min load up to ${s.max1.toFixed(2)} on ${s.cpus})` : '';
  return (
    `load average ${triple(s.start)} at start, ${triple(s.end)} at end; 1-min load while it ran ` +
    `${s.min1.toFixed(2)}–${s.max1.toFixed(2)} (mean ${s.mean1.toFixed(2)}, ${s.samples} samples) on ${s.cpus} CPUs${busy}`
  );
}

/**
 * Start sampling the load average. `read`, `clock` and `timers` are for tests; by default
 * os.loadavg(), Date.now() and an unref'd setInterval (it never keeps the bench alive).
 */
export function watchLoad({
  intervalMs = 5000,
  read = () => os.loadavg(),
  clock = () => Date.now(),
  cpus = os.availableParallelism?.() ?? os.cpus().length,
  timers = { setInterval, clearInterval },
} = {}) {
  const samples = [];
  const take = () => {
    const t = clock();
    samples.push({ t, load: read() });
    return t;
  };
  take();
  const timer = timers.setInterval(take, intervalMs);
  timer?.unref?.();
  let stopped = null;
  return {
    /** Take a sample now and return its time: a mark for between(). */
    now: take,
    /** Summary of the samples taken from `from` to `to` (inclusive). */
    between: (from, to) => summariseLoad(samples.filter((s) => s.t >= from && s.t <= to), cpus),
    /** Stop sampling (a last sample first); the summary of the whole run. Idempotent. */
    stop() {
      if (!stopped) {
        take();
        timers.clearInterval(timer);
        stopped = summariseLoad(samples, cpus);
      }
      return stopped;
    },
    samples,
  };
}
