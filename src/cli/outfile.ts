// Output files of the commands (issue 12.9): an output never destroys an input, and a failing run
// never destroys an existing file.
// - checkOutputs: -o, --report, --html refuse (exit 2) a path that is one of the command's inputs
//   or another of its outputs: the same path, or the same file through a symlink or a hard link
//   (device and inode compared).
// - A regular file is written to a temporary file beside it (".NAME.ha-dedup-PID-N.tmp", in the
//   same directory so the rename stays on one file system), created before the run so a wrong
//   path fails at once, and renamed over the target only when the run succeeds: a run that fails
//   leaves an existing target as it was and creates none. The file keeps the mode of the file it
//   replaces; a symlink as the target is followed (the file it names is replaced, the link stays).
// - A target that exists and is not a regular file (/dev/stdout, /dev/full, a FIFO) is written
//   directly: it cannot be replaced, and there is nothing to destroy.
import { accessSync, closeSync, constants, createWriteStream, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, chmodSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError, type HaDedupError } from '../model/index.js';
import type { StdioState } from './stdio.js';

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

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Whether two paths name the same file: the same path, or (both existing) the same device and inode. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const x = statOrNull(a);
  const y = statOrNull(b);
  return x !== null && y !== null && x.dev === y.dev && x.ino === y.ino;
}

/** A file a command reads or writes, as the user named it. */
export interface NamedPath {
  /** How messages call it: "-o", "--report", "the input", "--db". */
  what: string;
  path: string;
}

/**
 * The inputs of a command as NamedPaths; "-" (stdin) is the file stdin reads when that is a
 * regular file (`replay - -o cap.ndjson < cap.ndjson`), else left out.
 */
export function namedInputs(paths: readonly string[], stdinPath = '/dev/stdin'): NamedPath[] {
  const out: NamedPath[] = [];
  for (const path of paths.length === 0 ? ['-'] : paths) {
    if (path !== '-') out.push({ what: 'the input', path });
    else if (statOrNull(stdinPath)?.isFile() === true) out.push({ what: 'stdin', path: stdinPath });
  }
  return out;
}

/**
 * Refuse (usage error, exit 2) an output that names one of `inputs` or an earlier output.
 * Outputs "-" (stdout) and absent ones are left out by the caller.
 */
export function checkOutputs(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i]!;
    for (const inp of inputs) {
      if (inp.path === '-' || inp.path === '') continue;
      if (sameFile(o.path, inp.path)) throw usageError(`${o.what} ${o.path}: the same file as ${inp.what} ${inp.path} (it would be overwritten)`);
    }
    for (let j = 0; j < i; j++) {
      const p = outputs[j]!;
      if (sameFile(o.path, p.path)) throw usageError(`${o.what} ${o.path}: the same file as ${p.what}`);
    }
  }
}

/**
 * A file being written: a temporary file beside `target` (renamed over it by commit), or the
 * target itself when it is not a regular file.
 */
interface Staged {
  readonly fd: number;
  commit(): void;
  discard(): void;
}

/** Written where it is: nothing to replace, or no temporary file can be made beside it. */
function inPlace(path: string, option: string): Staged {
  const fd = openForWrite(path, option);
  return { fd, commit: () => closeSync(fd), discard: () => closeSync(fd) };
}

function stage(path: string, option: string, stdio: StdioState | undefined): Staged {
  if (path === '') throw usageError(`${option}: "" is not a file name`);
  const st = statOrNull(path);
  if (st !== null && st.isDirectory()) throw usageError(`${option} ${path}: cannot write: is a directory`);
  // a device or a FIFO, or a name of one of this process's descriptors (/dev/stdout,
  // /proc/self/fd/1, which may name a regular file stdout was redirected to): written in place
  if ((st !== null && !st.isFile()) || /^\/(dev|proc)\//.test(resolve(path))) return inPlace(path, option);
  if (st !== null) {
    // a file this user may not write is not replaced behind its back (the rename would allow it)
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      throw usageError(`${option} ${path}: cannot write: ${fsReason(err)}`);
    }
  }
  let target = path;
  if (st !== null) {
    try {
      target = realpathSync(path);
    } catch {
      target = path;
    }
  }
  const dir = dirname(target);
  let tmp = '';
  let fd = -1;
  for (let n = 0; fd < 0; n++) {
    tmp = join(dir, `.${basename(target)}.ha-dedup-${process.pid}-${n}.tmp`);
    try {
      fd = openSync(tmp, 'wx', 0o666);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && n < 1000) continue;
      // a directory that takes no new file, holding a file that may be written: written in place,
      // as before (a failing run then leaves what it wrote)
      if (st !== null && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')) return inPlace(path, option);
      throw usageError(`${option} ${path}: cannot write: ${fsReason(err, 'no such directory')}`);
    }
  }
  stdio?.temporaries.add(tmp);
  if (st !== null) {
    try {
      chmodSync(tmp, st.mode & 0o7777);
    } catch {
      // keep the default mode
    }
  }
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    fd,
    commit: () => {
      close();
      try {
        renameSync(tmp, target);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw usageError(`${option} ${path}: cannot write: ${fsReason(err, 'no such directory')}`);
      } finally {
        stdio?.temporaries.delete(tmp);
      }
    },
    discard: () => {
      close();
      rmSync(tmp, { force: true });
      stdio?.temporaries.delete(tmp);
    },
  };
}

export interface OutputFile {
  readonly sink: NodeJS.WritableStream;
  /** The usage error for a write that failed, or null. */
  failure(): HaDedupError | null;
  /** Flush, close and put the file in place; throws the usage error of a failed write. */
  close(): Promise<void>;
  /** The run failed: drop what was written (an existing target stays as it was). */
  discard(): Promise<void>;
}

/** Open `path` (given with `option`, e.g. "-o") for a streamed output, put in place by close(). */
export function openOutput(path: string, option: string, stdio?: StdioState): OutputFile {
  const staged = stage(path, option, stdio);
  const stream = createWriteStream(path, { fd: staged.fd, autoClose: false });
  let error: Error | null = null;
  stream.on('error', (e) => {
    error = e;
  });
  const failure = () => (error === null ? null : usageError(`${option} ${path}: cannot write: ${error.message}`));
  const drained = () => new Promise<void>((done) => (error !== null || stream.writableFinished ? done() : stream.end(() => done())));
  let settled = false;
  return {
    sink: stream,
    failure,
    close: async () => {
      if (settled) return;
      await drained();
      settled = true;
      const f = failure();
      if (f !== null) {
        staged.discard();
        throw f;
      }
      staged.commit();
    },
    discard: async () => {
      if (settled) return;
      settled = true;
      await drained();
      staged.discard();
    },
  };
}

/**
 * A report file written once, after the run (`--report FILE`, `--html FILE`): its temporary file
 * is created before the run so a wrong path fails at once, written and put in place at the end;
 * a run that fails leaves the target as it was.
 */
export interface ReportFile {
  readonly path: string;
  /** Write `text` and put the file in place, or throw a usage error naming the option. */
  write(text: string): void;
  /** The run failed: drop the temporary file. */
  discard(): void;
}

export function reserveReportFile(path: string, option: string, stdio?: StdioState): ReportFile {
  const staged = stage(path, option, stdio);
  let settled = false;
  return {
    path,
    write(text: string): void {
      if (settled) return;
      settled = true;
      try {
        const buf = Buffer.from(text);
        for (let off = 0; off < buf.length; ) off += writeSync(staged.fd, buf, off, buf.length - off);
      } catch (err) {
        staged.discard();
        throw usageError(`${option} ${path}: cannot write: ${fsReason(err, 'no such directory')}`);
      }
      staged.commit();
    },
    discard(): void {
      if (settled) return;
      settled = true;
      staged.discard();
    },
  };
}
