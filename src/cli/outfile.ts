// Output files of replay and convert: opened before the run (a wrong path fails at once), and a
// failed write turned into one usage-error line naming the option and the file.
import { createWriteStream, openSync } from 'node:fs';
import { usageError, type HaDedupError } from '../model/index.js';

/** Open `path` for writing, or throw a usage error naming `option` and why. */
export function openForWrite(path: string, option: string, flags = 'w'): number {
  try {
    return openSync(path, flags);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw usageError(`${option} ${path}: cannot write: ${why}`);
  }
}

export interface OutputFile {
  readonly sink: NodeJS.WritableStream;
  /** The usage error for a write that failed, or null. */
  failure(): HaDedupError | null;
  /** Flush and close; throws the usage error of a failed write. */
  close(): Promise<void>;
}

/** Open `path` (given with `option`, e.g. "-o") for output, truncating it. */
export function openOutput(path: string, option: string): OutputFile {
  const stream = createWriteStream(path, { fd: openForWrite(path, option) });
  let error: Error | null = null;
  stream.on('error', (e) => {
    error = e;
  });
  const failure = () => (error === null ? null : usageError(`${option} ${path}: cannot write: ${error.message}`));
  return {
    sink: stream,
    failure,
    close: async () => {
      if (error === null) await new Promise<void>((resolve) => stream.end(() => resolve()));
      const f = failure();
      if (f !== null) throw f;
    },
  };
}
