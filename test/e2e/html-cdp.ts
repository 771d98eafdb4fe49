// A tiny Chrome DevTools Protocol client over --remote-debugging-pipe (no WebSocket, no
// dependency): Chromium reads commands on its fd 3 and writes answers and events on fd 4, each
// message one JSON text ended by a NUL byte. Enough for the HTML e2e test: open a page in a
// fresh target, watch its console, exceptions and network, evaluate, move the mouse, screenshot.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** The flags Chromium needs on this machine (no sandbox as root, nothing fetched in the background). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--hide-scrollbars',
  '--mute-audio',
];

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; method: string }>();
  private readonly listeners: ((e: CdpEvent) => void)[] = [];
  private buf = '';
  private readonly out: Writable;
  readonly exited: Promise<number | null>;
  stderr = '';

  private constructor(readonly child: ChildProcess) {
    this.out = child.stdio[3] as Writable;
    const input = child.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buf += chunk;
      for (let at = this.buf.indexOf('\0'); at >= 0; at = this.buf.indexOf('\0')) {
        const text = this.buf.slice(0, at);
        this.buf = this.buf.slice(at + 1);
        this.dispatch(JSON.parse(text) as Record<string, unknown>);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      if (this.stderr.length < 20_000) this.stderr += c;
    });
    this.exited = new Promise((res) => child.on('close', (code) => res(code)));
    this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited before answering ${p.method}; stderr: ${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  /** Start Chromium (`bin`) with a fresh profile in `userDataDir`. */
  static launch(bin: string, userDataDir: string): Chromium {
    const child = spawn(bin, [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    return new Chromium(child);
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      const err = msg.error as { message?: string } | undefined;
      if (err !== undefined) p.reject(new Error(`${p.method}: ${err.message ?? JSON.stringify(err)}`));
      else p.resolve(msg.result);
      return;
    }
    const ev = msg as unknown as CdpEvent;
    for (const l of this.listeners) l(ev);
  }

  /** One command; rejects on a protocol error or after `timeoutMs`. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string, timeoutMs = 20_000): Promise<T> {
    const id = this.nextId++;
    const msg: Record<string, unknown> = { id, method, params };
    if (sessionId !== undefined) msg.sessionId = sessionId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.out.write(JSON.stringify(msg) + '\0');
    });
  }

  on(listener: (e: CdpEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The next event `method` of `sessionId` (within timeoutMs). */
  waitFor(method: string, sessionId: string, timeoutMs = 20_000): Promise<CdpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} in ${timeoutMs} ms`)), timeoutMs);
      const l = (e: CdpEvent) => {
        if (e.method !== method || e.sessionId !== sessionId) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(l), 1);
        resolve(e);
      };
      this.listeners.push(l);
    });
  }

  /** A fresh page target, attached (flat sessions): its session id. */
  async newPage(): Promise<string> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return sessionId;
  }

  /** Evaluate `expression` in the page; its value (JSON-able), or a rejection with the page's exception. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
      sessionId,
    );
    if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Close the browser (Browser.close, then SIGKILL if it is still there after 5 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send('Browser.close', {}, undefined, 5000).catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
