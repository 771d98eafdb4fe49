// One writer per capture: while `record -o FILE` runs, a lock file FILE.lock beside the capture
// names it (pid, host, start time, command line). A second recorder on the same file, with or
// without --append, finds the lock and refuses (exit 2) naming the holder. Readers (replay,
// inspect) take no lock: they read up to the last complete record.
//
// Why a lock file and not an advisory lock (flock/fcntl): node has no binding for either, and a
// native module for it is out of proportion; a lock file also says who holds it, which a refusal
// should print. Its one weakness, a lock left behind by a recorder killed with kill -9, is
// handled: a lock whose process is gone (no such pid, or the pid now belongs to a process started
// at another time, or the machine rebooted since) is stale and taken over, with a note. The file
// is created whole with link(2) from a private temporary file, so a reader never sees it half
// written and two recorders cannot both create it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { usageError } from '../model/index.js';

interface LockHolder {
  pid: number;
  host: string;
  /** Boot id of the holder's machine (Linux), or "". */
  boot: string;
  /** Start time of the holder process in clock ticks since boot (Linux /proc), or "". */
  start: string;
  /** ISO time the lock was taken. */
  started: string;
  command: string;
}

export interface CaptureLock {
  /** The lock file. */
  readonly path: string;
  /** Remove the lock (if it is still ours). Idempotent. */
  release(): void;
}

const HEADER = 'ha-dedup record is writing the capture beside this file; remove it only if no recorder runs';

function errno(e: unknown): string {
  return (e as { code?: string }).code ?? '';
}

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    throw e;
  }
}

function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or "" where there is no /proc. */
function processStart(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces or parentheses itself
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? '';
  } catch {
    return '';
  }
}

/** The lock file of a capture: beside the file it really is (symlinks resolved), named FILE.lock. */
function lockPathFor(capture: string): string {
  let real: string;
  try {
    real = fs.realpathSync(capture);
  } catch {
    // not there yet: resolve its directory
    real = path.join(fs.realpathSync(path.dirname(path.resolve(capture))), path.basename(capture));
  }
  return `${real}.lock`;
}

function format(h: LockHolder): string {
  return `${HEADER}\npid ${h.pid}\nhost ${h.host}\nboot ${h.boot}\nstart ${h.start}\nstarted ${h.started}\ncommand ${h.command}\n`;
}

/** The holder a lock file names, or null when the text is not a lock this program wrote. */
function parseLock(text: string): LockHolder | null {
  const lines = text.split('\n');
  if (lines[0] !== HEADER) return null;
  const kv = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(' ');
    if (i > 0) kv.set(l.slice(0, i), l.slice(i + 1));
  }
  const pid = Number(kv.get('pid'));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return {
    pid,
    host: kv.get('host') ?? '',
    boot: kv.get('boot') ?? '',
    start: kv.get('start') ?? '',
    started: kv.get('started') ?? '',
    command: kv.get('command') ?? '',
  };
}

/** Whether the process a lock names still runs: true, false, or null (another host: cannot tell). */
function holderAlive(h: LockHolder): boolean | null {
  if (h.host !== os.hostname()) return null;
  const boot = bootId();
  if (h.boot !== '' && boot !== '' && h.boot !== boot) return false; // the machine rebooted since
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if (errno(e) === 'ESRCH') return false;
    // EPERM: it exists (another user's process)
  }
  const start = processStart(h.pid);
  if (h.start !== '' && start !== '' && start !== h.start) return false; // the pid was reused
  return true;
}

function describe(h: LockHolder, here: boolean): string {
  const parts = [`pid ${h.pid}`];
  if (!here) parts.push(`on host ${h.host}`);
  if (h.started) parts.push(`since ${h.started}`);
  return `${parts.join(' ')}${h.command ? `: ${h.command}` : ''}`;
}

interface LockOptions {
  /** One-line notes (a stale lock taken over). */
  log?: (line: string) => void;
  /** The command line written into the lock (default: this process's). */
  command?: string;
}

/**
 * Take the lock of `capture` or throw a usage error (exit 2) naming the recorder that holds it.
 * The lock is released by release(), and at the latest when this process exits normally.
 */
export function acquireCaptureLock(capture: string, opts: LockOptions = {}): CaptureLock {
  const lock = lockPathFor(capture);
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    boot: bootId(),
    start: processStart(process.pid),
    started: new Date().toISOString(),
    command: opts.command ?? ['ha-dedup', ...process.argv.slice(2)].join(' '),
  };
  const mine = format(me);
  const tmp = `${lock}.${process.pid}.${Math.floor(performance.now() * 1000)}.tmp`;
  const cannot = (e: unknown) => usageError(`record: cannot create the lock file ${lock} beside the capture: ${(e as Error).message}`);
  try {
    fs.writeFileSync(tmp, mine, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    throw cannot(e);
  }
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        try {
          fs.linkSync(tmp, lock);
        } catch (e) {
          // a file system without hard links: create it in place (not atomic, but exclusive)
          if (errno(e) !== 'EPERM' && errno(e) !== 'ENOTSUP' && errno(e) !== 'EOPNOTSUPP') throw e;
          fs.writeFileSync(lock, mine, { flag: 'wx', mode: 0o644 });
        }
        return held(lock, mine);
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw cannot(e);
      }
      const text = readText(lock);
      if (text === null) continue; // released meanwhile: try again
      const holder = parseLock(text);
      if (holder === null) {
        throw usageError(`record: ${lock} exists and is not a lock ha-dedup wrote; remove it if no recorder is writing ${capture}`);
      }
      const alive = holderAlive(holder);
      if (alive !== false) {
        throw usageError(
          `record: ${capture} is being recorded by ${describe(holder, alive !== null)}; a capture has one writer: stop that recorder or choose another -o` +
            (alive === null ? ` (if no recorder runs on ${holder.host}, remove ${lock})` : ''),
        );
      }
      // stale: move it aside, and remove it only if it is still the one judged stale
      const aside = `${lock}.stale.${process.pid}`;
      try {
        fs.renameSync(lock, aside);
      } catch (e) {
        if (errno(e) === 'ENOENT') continue;
        throw cannot(e);
      }
      if (readText(aside) === text) {
        fs.rmSync(aside, { force: true });
        opts.log?.(`record: removed the stale lock ${lock} of pid ${holder.pid}, which no longer runs`);
      } else {
        // another recorder took the lock between our read and the rename: put it back
        try {
          fs.linkSync(aside, lock);
        } catch {
          // a third one took it: it holds the lock now
        }
        fs.rmSync(aside, { force: true });
      }
    }
    throw usageError(`record: could not take the lock ${lock}: it kept changing hands`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function held(lock: string, mine: string): CaptureLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readText(lock) === mine) fs.rmSync(lock, { force: true });
    } catch {
      // nothing more can be done; a later recorder finds it stale
    }
  };
  process.on('exit', release);
  return { path: lock, release };
}
