// Shared by the end-to-end tests: finding Debian binaries, free loopback ports, bounded waits.
import * as net from 'node:net';
import { spawnSync } from 'node:child_process';

export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why a test that needs `cmd` is skipped, or false when it runs (binary present, or `env` set: then a missing binary fails). */
export function skipReason(cmd: string, pkg: string, env: string): string | false {
  if (onPath(cmd) || process.env[env]) return false;
  return `${cmd} is not on PATH (install the Debian "${pkg}" package; set ${env}=1 to make this a failure)`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** An error that ends a waitFor at once (a process died) instead of being retried. */
export class Fatal extends Error {}

/** Polls fn every 200 ms until it returns a value; times out with what it waited for and the last error. */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(200);
  }
}
