// The remote-write receiver behind `ha-dedup record` (SPEC 4.1, 10). Every POST, on any path,
// whose content type and encoding are storable as remote-write becomes one capture record; the
// sender gets 204 only once that record is written (see writer.ts), so an answer other than a
// 2xx makes it retry and nothing it sent is lost.
//
//   405 not POST                      415 content type / encoding not storable (e.g. zstd)
//   413 body over --max-body          500 the capture could not be written
//   503 shutting down, --max-requests already reached, or the reader of `-o -` went away
//       (the sender retries elsewhere/later)
//   400 a body that is not a valid request of its version (it is still written to the capture, as
//       evidence; Prometheus and Mimir answer 400 to it too, and the sender drops it), or
//       a tenant from --tenant-from-path that Cortex/Mimir refuse (not written)
//   408 the body was not complete within the request timeout (node's, 300 s by default)
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapturedRequest, RemoteWriteVersion } from '../model/index.js';
import { encodeCaptureRecord } from '../wire/rwcap.js';
import { crc32 } from '../wire/crc32.js';
import { classifyContentEncoding, classifyContentType } from './content.js';
import { keptHeaders } from './headers.js';
import { createTenantResolver, type TenantResolver } from './tenant.js';
import { checkRw1, countRw2, type Rw2Counts } from './rw2count.js';
import { CaptureWriter } from './writer.js';
import { SinkClosedError, type CaptureSink } from './sink.js';

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

export interface RecorderOptions {
  host: string;
  port: number;
  sink: CaptureSink;
  /** Tenant for requests without X-Scope-OrgID (and not matched by tenantFromPath). */
  tenant?: string | undefined;
  /** Pattern such as /tenants/{tenant}/api/v1/push (see tenant.ts). */
  tenantFromPath?: string | undefined;
  maxBody?: number;
  fsync?: boolean;
  /** Stop after this many records are written (0 or undefined: no limit). */
  maxRequests?: number | undefined;
  /** Stop after this long (ms; 0 or undefined: no limit). */
  durationMs?: number | undefined;
  /** How long a stop waits for requests in flight before closing their connections. */
  drainTimeoutMs?: number;
  /** Longest time to receive one request, headers and body (node's requestTimeout; default 300 s). */
  requestTimeoutMs?: number;
  /** Receive-time clock (record is I/O: the wall clock is the right one). */
  now?: () => number;
  /** One-line warnings (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface TenantStats {
  requests: number;
  bodyBytes: number;
}

export interface RecorderStats {
  /** Records written (each answered 204, or 400 for an invalid 2.0 body). */
  requests: number;
  /** Body bytes of those records (the HTTP bodies as received). */
  bodyBytes: number;
  /** Bytes of the capture written in this run: the records (framing, fields and bodies); magic excluded. */
  captureBytes: number;
  tenants: Map<string, TenantStats>;
  /** Answers other than 204, by status code. */
  rejected: Map<number, number>;
  /** Requests whose sender closed the connection before the body was complete. */
  aborted: number;
  /** Requests the recorder itself closed (answered 408) because they were not complete within requestTimeoutMs. */
  timedOut: number;
  /** The request timeout in force (ms), for the summary. */
  requestTimeoutMs: number;
  /** Set when the capture's reader went away (`-o -` and stdout closed): why recording stopped. */
  readerGone: string | null;
  /** Why recording stopped. */
  stopReason: string;
}

/** node's default http requestTimeout (ms). */
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

export class Recorder {
  readonly address: { host: string; port: number; family: string };
  /** Resolves once the recorder has stopped (signal, --duration, --max-requests, stop()) and the capture is closed. */
  readonly done: Promise<RecorderStats>;

  private readonly server: http.Server;
  private readonly writer: CaptureWriter;
  private readonly resolver: TenantResolver;
  private readonly maxBody: number;
  private readonly maxRequests: number;
  private readonly drainTimeoutMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly stats: RecorderStats;
  private readonly startLength: number;
  private readonly sink: CaptureSink;
  private admitted = 0;
  private stopping = false;
  private stopPromise: Promise<RecorderStats> | null = null;
  private resolveDone!: (s: RecorderStats) => void;
  private rejectDone!: (e: unknown) => void;
  private durationTimer: NodeJS.Timeout | undefined;
  private loggedErrors = new Set<string>();
  /** Sockets whose request the server closed for taking longer than the request timeout. */
  private readonly timedOutSockets = new WeakSet<object>();

  private constructor(server: http.Server, opts: RecorderOptions) {
    this.server = server;
    this.sink = opts.sink;
    this.startLength = opts.sink.length;
    this.maxBody = opts.maxBody ?? DEFAULT_MAX_BODY;
    this.maxRequests = opts.maxRequests ?? 0;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.resolver = createTenantResolver({ fallback: opts.tenant, pathPattern: opts.tenantFromPath });
    this.writer = new CaptureWriter(opts.sink, {
      fsync: opts.fsync ?? false,
      onBroken: (err) => this.log(`record: ${err.message}; answering 500 to every request from now on`),
    });
    this.stats = {
      requests: 0,
      bodyBytes: 0,
      captureBytes: 0,
      tenants: new Map(),
      rejected: new Map(),
      aborted: 0,
      timedOut: 0,
      requestTimeoutMs: server.requestTimeout,
      readerGone: null,
      stopReason: '',
    };
    const a = server.address() as AddressInfo;
    this.address = { host: a.address, port: a.port, family: a.family };
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    server.on('request', (req, res) => this.onRequest(req, res));
    server.on('clientError', (err, socket) => this.onClientError(err, socket));
    if (opts.durationMs) {
      this.durationTimer = setTimeout(() => void this.stop('--duration reached'), opts.durationMs);
    }
  }

  /** Validate options, listen, and start recording. Rejects when the address cannot be bound. */
  static async start(opts: RecorderOptions): Promise<Recorder> {
    // resolve the tenant pattern now so a bad one fails before listening
    createTenantResolver({ fallback: opts.tenant, pathPattern: opts.tenantFromPath });
    const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const server = http.createServer({
      keepAliveTimeout: 30_000,
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      // node checks the timeouts every connectionsCheckingInterval (30 s by default)
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(requestTimeout / 4))),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new Recorder(server, opts);
  }

  /** "http://HOST:PORT" with IPv6 hosts bracketed. */
  get url(): string {
    const h = this.address.family === 'IPv6' ? `[${this.address.host}]` : this.address.host;
    return `http://${h}:${this.address.port}`;
  }

  /** A copy of the statistics so far. */
  snapshot(): RecorderStats {
    return {
      ...this.stats,
      captureBytes: this.sink.length - this.startLength,
      tenants: new Map([...this.stats.tenants].map(([k, v]) => [k, { ...v }])),
      rejected: new Map(this.stats.rejected),
    };
  }

  /**
   * Stop accepting (new connections and new requests are refused), let requests in flight
   * finish and be written (connections still open after drainTimeoutMs are closed), close the
   * capture. Idempotent; resolves with the final statistics.
   */
  stop(reason = 'stopped'): Promise<RecorderStats> {
    if (!this.stopPromise) {
      this.stats.stopReason = reason;
      this.stopPromise = this.doStop();
      this.stopPromise.then(this.resolveDone, this.rejectDone);
    }
    return this.stopPromise;
  }

  /** Close every connection now (a second signal); the capture is still closed cleanly. */
  forceClose(): void {
    this.server.closeAllConnections();
    this.writer.abort();
  }

  private async doStop(): Promise<RecorderStats> {
    this.stopping = true;
    if (this.durationTimer) clearTimeout(this.durationTimer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), this.drainTimeoutMs);
    await closed;
    clearTimeout(timer);
    await this.writer.close();
    return this.snapshot();
  }

  /**
   * node's own errors on a connection. A request not complete within the request timeout is
   * answered 408 and its connection closed (what node does by default); it is counted as closed
   * by the recorder, not as aborted by the sender. Anything else (a malformed request) gets 400.
   */
  private onClientError(err: Error & { code?: string }, socket: import('node:stream').Duplex): void {
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timeout) {
      this.timedOutSockets.add(socket);
      this.stats.timedOut++;
    }
    const sock = socket as import('node:net').Socket;
    if (err.code === 'ECONNRESET' || !sock.writable || sock.bytesWritten > 0) {
      sock.destroy();
      return;
    }
    const status = timeout ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const text = timeout ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    this.count(status);
    sock.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  private count(status: number): void {
    this.stats.rejected.set(status, (this.stats.rejected.get(status) ?? 0) + 1);
  }

  private reply(res: http.ServerResponse, status: number, message: string, close = false): void {
    if (res.headersSent || res.destroyed) return;
    this.count(status);
    if (close || this.stopping) res.setHeader('Connection', 'close');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.writeHead(status);
    res.end(`${message}\n`);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.stopping) return this.reply(res, 503, 'recorder is shutting down', true);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.reply(res, 405, `method ${req.method} not allowed: remote-write is POST`);
    }
    const ct = classifyContentType(req.headers['content-type']);
    if (!ct.ok) return this.reply(res, 415, ct.reason, true);
    const enc = classifyContentEncoding(req.headers['content-encoding']);
    if (!enc.ok) return this.reply(res, 415, enc.reason, true);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxBody) {
      return this.reply(res, 413, `body of ${declared} bytes is over --max-body ${this.maxBody}`, true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > this.maxBody) {
        tooLarge = true;
        chunks.length = 0;
        this.reply(res, 413, `body is over --max-body ${this.maxBody} bytes`, true);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {});
    req.on('aborted', () => {
      if (!tooLarge && !this.timedOutSockets.has(req.socket)) this.stats.aborted++;
    });
    req.on('end', () => {
      if (tooLarge || !req.complete) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      this.store(req, res, body, ct.version, enc.encoding);
    });
  }

  private store(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, version: RemoteWriteVersion, encoding: '' | 'snappy'): void {
    const receivedAtMs = this.now();
    if (this.maxRequests > 0 && this.admitted >= this.maxRequests) {
      return this.reply(res, 503, `--max-requests ${this.maxRequests} reached; not recording`, true);
    }
    let rw2: Rw2Counts | undefined;
    let bodyError: string | undefined;
    try {
      if (version === 'rw2') rw2 = countRw2(body, encoding);
      else checkRw1(body, encoding);
    } catch (e) {
      bodyError = (e as Error).message;
    }
    const path = req.url ?? '';
    const { tenant, invalid } = this.resolver.resolve(headerValue(req.headers['x-scope-orgid']), path);
    if (invalid !== undefined) {
      return this.reply(res, 400, `tenant "${tenant}" taken from the path ${path} is one Cortex/Mimir refuse: ${invalid}; not recorded`);
    }
    const sock = req.socket;
    const remoteAddr = sock.remoteAddress
      ? sock.remoteFamily === 'IPv6'
        ? `[${sock.remoteAddress}]:${sock.remotePort}`
        : `${sock.remoteAddress}:${sock.remotePort}`
      : '';
    const rec: CapturedRequest = {
      receivedAtMs,
      tenant,
      contentType: headerValue(req.headers['content-type']) ?? '',
      contentEncoding: encoding,
      body,
      headers: keptHeaders(req.rawHeaders),
      remoteAddr,
      path,
      bodyCrc32: crc32(body),
    };
    const bytes = encodeCaptureRecord(rec);
    this.admitted++;
    this.writer.append(bytes).then(
      () => {
        this.stats.requests++;
        this.stats.bodyBytes += body.length;
        const t = this.stats.tenants.get(tenant) ?? { requests: 0, bodyBytes: 0 };
        t.requests++;
        t.bodyBytes += body.length;
        this.stats.tenants.set(tenant, t);
        if (bodyError !== undefined) {
          this.reply(res, 400, `written to the capture, but not a valid remote-write ${version === 'rw2' ? '2.0' : '1.0'} request: ${bodyError}`);
        } else if (!res.headersSent && !res.destroyed) {
          if (rw2) {
            res.setHeader('X-Prometheus-Remote-Write-Samples-Written', String(rw2.samples));
            res.setHeader('X-Prometheus-Remote-Write-Histograms-Written', String(rw2.histograms));
            res.setHeader('X-Prometheus-Remote-Write-Exemplars-Written', String(rw2.exemplars));
          }
          if (this.stopping) res.setHeader('Connection', 'close');
          res.writeHead(204);
          res.end();
        }
        if (this.maxRequests > 0 && this.stats.requests >= this.maxRequests) void this.stop('--max-requests reached');
      },
      (err: Error) => {
        this.admitted--;
        if (err instanceof SinkClosedError) return this.readerWentAway(res, err);
        const msg = `cannot write to the capture ${this.sink.name}: ${err.message}`;
        if (!this.loggedErrors.has(msg)) {
          this.loggedErrors.add(msg);
          this.log(`record: ${msg} (answering 500; the sender will retry)`);
        }
        this.reply(res, 500, msg);
      },
    );
  }

  /**
   * The capture's reader went away (`-o -`, stdout closed): this request's record did not reach
   * it. Answer 503 so the sender retries elsewhere, and stop recording.
   */
  private readerWentAway(res: http.ServerResponse, err: SinkClosedError): void {
    if (this.stats.readerGone === null) {
      this.stats.readerGone = err.message;
      this.log(`record: ${err.message}; answering 503 to every request not acknowledged and stopping`);
      void this.stop(`${this.sink.name} closed (${err.message})`);
    }
    this.reply(res, 503, `the capture's reader went away (${err.message}); not recorded, send it elsewhere`, true);
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
