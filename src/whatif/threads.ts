// what-if's cells split over threads (issue 19.4): the calling thread runs the first group of
// cells, each worker thread (worker.ts) one more group, every thread reading and decoding the
// inputs itself. Why each thread decodes rather than one thread decoding and shipping decoded
// requests to the others: README "what-if" and bench/README.md give the measurement.
// A thread count of 1 runs everything here, with no worker.
import { Worker } from 'node:worker_threads';
import { HaDedupError, type ErrorKind } from '../model/index.js';
import { runCells, type CellOptions, type CellResult, type CellsIO } from './lanes.js';

/** What a worker is given and answers (structured clone: plain data only). */
export interface WorkerRequest {
  cells: CellOptions[];
}
export type WorkerAnswer = { ok: true; results: CellResult[] } | { ok: false; kind: ErrorKind; message: string };

/** `n` items in `groups` contiguous groups, as even as can be (earlier groups one larger). */
export function splitGroups<T>(items: readonly T[], groups: number): T[][] {
  const g = Math.max(1, Math.min(groups, items.length));
  const out: T[][] = [];
  let at = 0;
  for (let i = 0; i < g; i++) {
    const size = Math.floor(items.length / g) + (i < items.length % g ? 1 : 0);
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

/**
 * A worker running worker.js beside this module (dist/, dist/bundle/). Under tsx (the tests run
 * src/ as TypeScript) a worker does not inherit tsx's loader on node 20: it registers tsx itself
 * and imports worker.ts.
 */
function startWorker(data: WorkerRequest): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const main = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(main)}); })`, { eval: true, workerData: data });
}

function runInWorker(cells: CellOptions[]): { done: Promise<CellResult[]>; stop(): void } {
  const w = startWorker({ cells });
  const done = new Promise<CellResult[]>((resolve, reject) => {
    let answered = false;
    w.once('message', (a: WorkerAnswer) => {
      answered = true;
      if (a.ok) resolve(a.results);
      else reject(new HaDedupError(a.kind, a.message));
    });
    w.once('error', (err) => reject(err));
    w.once('exit', (code) => {
      if (!answered) reject(new Error(`what-if worker thread ended (code ${code}) without a result`));
    });
  });
  return { done, stop: () => void w.terminate() };
}

/**
 * Every cell's result, in the order of `cells`, over `threads` threads (at most one per cell).
 * Warnings and stdin are the calling thread's (only its group warns: every thread meets the same
 * bad records); with stdin as an input the caller must pass threads = 1.
 */
export async function runCellsThreaded(cells: readonly CellOptions[], threads: number, io: CellsIO = {}): Promise<CellResult[]> {
  const groups = splitGroups(cells, threads);
  if (groups.length <= 1) return runCells(cells, io);
  const workers = groups.slice(1).map((g) => runInWorker(g));
  try {
    const [mine, ...theirs] = await Promise.all([runCells(groups[0]!, io), ...workers.map((w) => w.done)]);
    return [mine!, ...theirs].flat();
  } finally {
    for (const w of workers) w.stop();
  }
}
