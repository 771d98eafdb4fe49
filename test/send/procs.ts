// Shared by the send tests: a scriptable receiver in the test process, and `send` spawned as a
// process of its own for the tests where a real process matters (a signal, a terminal). Every
// other send test runs the command in process (test/cli/run.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../record/helpers.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stderr(): string;
  done: Promise<CliRun>;
}

/**
 * Spawn `node bin/ha-dedup ...args` (stdin: `input`, or empty), asynchronously so receivers in the
 * test process keep answering; `done` resolves when it exits. Only for a test that signals it:
 * SIGINT in process would reach the test runner.
 */
export function spawnCli(args: string[], opts: { input?: Uint8Array; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
  const out: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin!.on('error', () => {});
  child.stdin!.end(opts.input);
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err })));
  return { child, stderr: () => err, done };
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** When the body was complete (Date.now()). */
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long. */
  delayMs?: number;
}

/** A receiver in the test process: every request is kept, `reply(request, n)` answers it. */
export class TestReceiver {
  readonly requests: Received[] = [];
  readonly replies: number[] = [];
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(reply: (r: Received, n: number) => Reply, tls?: https.ServerOptions): Promise<TestReceiver> {
    const server: http.Server = tls ? https.createServer(tls) : http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const rcv = new TestReceiver(server, `${tls ? 'https' : 'http'}://127.0.0.1:${port}/api/v1/write`);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
        const n = rcv.requests.push(r) - 1;
        const a = reply(r, n);
        const send = () => {
          rcv.replies.push(a.status);
          res.writeHead(a.status, a.headers ?? {});
          res.end(a.body ?? '');
        };
        if (a.delayMs) setTimeout(send, a.delayMs);
        else send();
      });
    });
    return rcv;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const NO_CONTENT: Reply = { status: 204 };
