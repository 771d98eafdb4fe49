// Shared helpers for record tests: reading a capture, posting to a recorder, spawning the CLI.
import * as http from 'node:http';
import { readFileSync, mkdtempSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { startCli } from '../cli/run.js';
import type { CapturedRequest } from '../../src/model/index.js';
import { RWCAP_MAGIC, decodeCapturedRequest } from '../../src/wire/rwcap.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'ha-dedup');
export const FIXTURE = join(ROOT, 'fixtures', 'prom-ha-dev.rwcap');

export interface CaptureRead {
  records: CapturedRequest[];
  /** Byte offset of each record's length prefix. */
  offsets: number[];
  /** Raw framed bytes of each record (length prefix included). */
  raw: Uint8Array[];
  /** Present when the file ends inside a record: offset and reason. */
  truncated?: { offset: number; reason: string };
}

/**
 * Read an rwcap capture with the wire layer's record decoder (CRC verified). Throws on a bad
 * magic or a record that does not decode; a truncated last record is reported, not thrown.
 */
export function readCaptureBytes(buf: Uint8Array): CaptureRead {
  if (buf.length < RWCAP_MAGIC.length || !RWCAP_MAGIC.every((b, i) => buf[i] === b)) throw new Error('not an rwcap capture');
  const out: CaptureRead = { records: [], offsets: [], raw: [] };
  let pos = RWCAP_MAGIC.length;
  while (pos < buf.length) {
    let len = 0;
    let shift = 0;
    let p = pos;
    let done = false;
    while (p < buf.length && p - pos < 10) {
      const b = buf[p++]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) {
        done = true;
        break;
      }
    }
    if (!done || p + len > buf.length) {
      out.truncated = { offset: pos, reason: done ? 'record runs past the end of the file' : 'truncated length prefix' };
      break;
    }
    const rec = decodeCapturedRequest(buf.subarray(p, p + len));
    out.records.push({ ...rec, body: Uint8Array.from(rec.body) });
    out.offsets.push(pos);
    out.raw.push(buf.subarray(pos, p + len));
    pos = p + len;
  }
  return out;
}

export function readCapture(path: string): CaptureRead {
  return readCaptureBytes(readFileSync(path));
}

/** Bodies (with their headers) of the real fixture, in file order. */
export function fixtureRequests(): CapturedRequest[] {
  return readCapture(FIXTURE).records;
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ha-dedup-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request; resolves with the reply (or rejects on a connection error). */
export function send(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: Uint8Array; agent?: http.Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/api/v1/push',
        headers: opts.headers ?? {},
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body ? Buffer.from(opts.body.buffer, opts.body.byteOffset, opts.body.byteLength) : undefined);
  });
}

export const RW1_HEADERS = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': 'Prometheus/2.42.0',
};

export interface Spawned {
  child: ChildProcess;
  url: Promise<string>;
  stderr(): string;
  stdout(): Buffer;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawn `node bin/ha-dedup ...args`; `url` resolves from the "listening on" line. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = process.env): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  const out: Buffer[] = [];
  let resolveUrl!: (u: string) => void;
  let rejectUrl!: (e: Error) => void;
  const url = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    const m = /listening on (http:\/\/\S+?),/.exec(err);
    if (m) resolveUrl(m[1]!);
  });
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (code, signal) => {
      rejectUrl(new Error(`recorder exited (${code ?? signal}) before listening: ${err}`));
      res({ code, signal });
    }),
  );
  url.catch(() => {});
  return { child, url, stderr: () => err, stdout: () => Buffer.concat(out), exit };
}

/**
 * `ha-dedup ...args` in process (test/cli/run.ts), for a recorder that stops by itself
 * (--max-requests, --duration) and is never signalled: spawnCli's shape without the child.
 */
export function recordInProcess(args: string[]): Omit<Spawned, 'child'> {
  const p = startCli(args);
  const url = p.waitForStderr(/listening on (http:\/\/\S+?),/).then((m) => m[1]!);
  url.catch(() => {});
  const exit = p.done.then((r) => ({ code: r.status as number | null, signal: null as NodeJS.Signals | null }));
  return { url, stderr: p.stderr, stdout: p.stdout, exit };
}

/** What the wire layer's input reader (the one replay uses) makes of a capture. */
export interface WireRead {
  requests: import('../../src/model/index.js').Request[];
  bad: import('../../src/model/index.js').BadRecord[];
}

export async function readWithWireReader(path: string): Promise<WireRead> {
  const { openInput } = await import('../../src/pipeline/inputs.js');
  const out: WireRead = { requests: [], bad: [] };
  for await (const req of openInput(path, 0, { format: 'rwcap', maxDecodedSize: 64 * 1024 * 1024, strict: false, onBadRecord: (b) => out.bad.push(b) })) {
    out.requests.push(req);
  }
  return out;
}

export interface HeadRun {
  code: number | null;
  stderr: string;
  acked: Set<number>;
  statuses: Map<string, number>;
  headOut: Buffer;
}

/**
 * A recorder whose stdout goes into `head -c LIMIT` (through a shell pipe, or a socket pair as
 * node's spawn makes), under SENDERS senders posting until it stops.
 */
export async function recordIntoHead(t: { dir: string }, limit: number, senders: number, via: 'shell pipe' | 'socket'): Promise<HeadRun> {
  const headFile = join(t.dir, 'head.out');
  let rec: ReturnType<typeof spawn>;
  let head: ReturnType<typeof spawn> | null = null;
  if (via === 'shell pipe') {
    const script = '"$0" "$1" record --listen 127.0.0.1:0 -o - | head -c "$2" > "$3"; echo "recorder exit ${PIPESTATUS[0]}" >&2';
    rec = spawn('bash', ['-c', script, process.execPath, BIN, String(limit), headFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const hfd = openSync(headFile, 'w');
    head = spawn('head', ['-c', String(limit)], { stdio: ['pipe', hfd, 'inherit'] });
    closeSync(hfd);
    rec = spawn(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', '-o', '-'], { stdio: ['ignore', head.stdin!, 'pipe'] });
    head.stdin!.destroy(); // the recorder holds the only write end now
  }
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    rec.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+?),/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    rec.on('close', () => reject(new Error(`recorder exited early: ${stderr}`)));
  });
  const exit = new Promise<number | null>((resolve) => rec.on('close', (code) => resolve(code)));
  let done = false;
  void exit.then(() => (done = true));
  const fix = fixtureRequests().filter((r) => r.body.length > 0);
  const acked = new Set<number>();
  const statuses = new Map<string, number>();
  let seq = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (!done && seq < 5000) {
        const i = seq++;
        let s: string;
        try {
          const r = await send(url, { headers: { ...RW1_HEADERS, 'X-Seq': String(i) }, body: fix[i % fix.length]!.body, agent });
          s = String(r.status);
          if (r.status === 204) acked.add(i);
        } catch (e) {
          s = (e as { code?: string }).code ?? 'error';
        }
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
      agent.destroy();
    }),
  );
  let code = await exit;
  if (head) await new Promise<void>((resolve) => (head.exitCode !== null ? resolve() : head.on('close', () => resolve())));
  else code = Number(/recorder exit (\d+)/.exec(stderr)?.[1] ?? -1);
  return { code, stderr, acked, statuses, headOut: readFileSync(headFile) };
}

