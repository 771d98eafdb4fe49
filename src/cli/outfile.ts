// Output files of replay and convert: opened before the run (a wrong path fails at once), and a
// failed write turned into one usage-error line naming the option and the file.
import { closeSync, createWriteStream, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { usageError, type HaDedupError } from '../model/index.js';

/** Why a file operation failed, in words (no raw "EISDIR: illegal operation on a directory"). */
export function fsReason(err: unknown, enoent = 'no such file'): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return enoent;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return e?.message ?? String(err);
  }
}

/** Open `path` for writing, or throw a usage error naming `option` and why. */
export function openForWrite(path: string, option: string, flags = 'w'): number {
  try {
    return openSync(path, flags);
  } catch (err) {
    throw usageError(`${option} ${path}: cannot write: ${fsReason(err, 'no such directory')}`);
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

/**
 * A report file written once, after the run (`--report FILE`, `--html FILE`): opened (created
 * empty if missing, never truncated) before the run so a wrong path fails at once, written at
 * the end, and removed again if the run fails and the file did not exist before.
 */
export interface ReportFile {
  readonly path: string;
  /** Replace the file's content with `text`, or throw a usage error naming the option. */
  write(text: string): void;
  /** The run failed: remove the file if this run created it. */
  discard(): void;
}

export function reserveReportFile(path: string, option: string): ReportFile {
  const existed = existsSync(path);
  closeSync(openForWrite(path, option, 'a'));
  return {
    path,
    write(text: string): void {
      try {
        writeFileSync(path, text);
      } catch (err) {
        throw usageError(`${option} ${path}: cannot write: ${fsReason(err, 'no such directory')}`);
      }
    },
    discard(): void {
      if (!existed) rmSync(path, { force: true });
    },
  };
}
