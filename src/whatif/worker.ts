// A what-if worker thread (threads.ts): runs its group of cells over the inputs, reading and
// decoding them itself, and answers with the results or the error (its kind and message: a bad
// input in --strict mode fails every thread alike, and the calling thread reports it).
import { parentPort, workerData } from 'node:worker_threads';
import { HaDedupError } from '../model/index.js';
import { runCells } from './lanes.js';
import type { WorkerAnswer, WorkerRequest } from './threads.js';

const req = workerData as WorkerRequest;
const answer = (a: WorkerAnswer) => parentPort!.postMessage(a);
runCells(req.cells).then(
  (results) => answer({ ok: true, results }),
  (err: unknown) =>
    answer(err instanceof HaDedupError ? { ok: false, kind: err.kind, message: err.message } : { ok: false, kind: 'internal', message: `internal error in a what-if worker thread: ${(err as Error)?.message ?? String(err)}` }),
);
