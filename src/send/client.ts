// The HTTP side of send: a small HTTP/1.1 client for exactly what a remote-write sender does —
// POST a body with a Content-Length over kept-alive connections (at most --concurrency of
// them), read the answer's status, headers and the start of its message — with TLS from
// files and a time limit per attempt. I/O only; what an answer means is policy.ts's job.
//
// Why not node:http: on a capture of ~7 KiB requests posted to `ha-dedup record` on loopback,
// node's ClientRequest/IncomingMessage machinery took ~135 µs of CPU per request, more than the
// sender's whole remaining work (decoding included); this client takes a fraction of that
// (docs/send.md, "Memory and throughput"). It speaks only what it needs and refuses the rest:
// responses framed by Content-Length, chunked transfer coding, or the end of the connection;
// 1xx answers skipped; headers at most 64 KiB; a body read to its end (so the connection can be
// reused) but only its first MAX_MESSAGE_BYTES kept.
import * as net from 'node:net';
import * as tls from 'node:tls';

/** Prometheus reads this much of an error answer's body (maxErrMsgLen). */
export const MAX_MESSAGE_BYTES = 1024;
/** Largest header block of an answer accepted. */
const MAX_HEADER_BYTES = 64 * 1024;

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipVerify: boolean;
}

interface ClientOptions {
  url: URL;
  /** Connections at most. */
  concurrency: number;
  /** Time limit of one attempt, from sending to the end of the answer (--timeout). */
  timeoutMs: number;
  tls: TlsFiles;
}

export interface Answer {
  status: number;
  /** Lower-case names; a header sent more than once has its values joined with ", ". */
  headers: Record<string, string>;
  /** The first MAX_MESSAGE_BYTES of the body, as text, trimmed. */
  message: string;
}

/**
 * An attempt that got no HTTP answer (connection refused or reset, TLS failure, timeout, a bad
 * answer): retried. `final`: one that must not be retried (aborted, or a request that cannot be
 * sent at all).
 */
export class NoAnswer extends Error {
  constructor(
    message: string,
    readonly final = false,
  ) {
    super(message);
    this.name = 'NoAnswer';
  }
}

// what may go into the request head (RFC 9110 token and field-value; never CR, LF or NUL)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Why a header cannot be sent as it is (a name that is not a token, a value with CR, LF or NUL), or null. */
export function invalidHeader(name: string, value: string): string | null {
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not valid in HTTP`;
  if (!FIELD_VALUE.test(value)) return `the value of ${name} holds characters HTTP does not allow (${JSON.stringify(value.slice(0, 80))})`;
  return null;
}

interface Pending {
  resolve(a: Answer): void;
  reject(e: NoAnswer): void;
}

/** One kept-alive connection: at most one request at a time. */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private timer: NodeJS.Timeout | undefined;
  // the answer being read
  private status = 0;
  private headers: Record<string, string> = {};
  private framing: 'length' | 'chunked' | 'close' = 'length';
  private remaining = 0;
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailers' = 'size';
  private phase: 'head' | 'body' = 'head';
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private keepAlive = true;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly onFree: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(noAnswer(e)));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onEnd());
  }

  send(head: Buffer, body: Uint8Array, timeoutMs: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.status = 0;
      this.headers = {};
      this.phase = 'head';
      this.kept = [];
      this.keptBytes = 0;
      this.timer = setTimeout(() => this.fail(new NoAnswer(`no answer within --timeout ${timeoutMs}ms`)), timeoutMs);
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(body);
      this.socket.uncork();
    });
  }

  abort(): void {
    this.fail(new NoAnswer('interrupted', true));
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(e: NoAnswer): void {
    const p = this.pending;
    this.pending = null;
    clearTimeout(this.timer);
    this.destroy();
    this.onGone(this);
    p?.reject(e);
  }

  private onEnd(): void {
    if (this.pending !== null && this.phase === 'body' && this.framing === 'close') return this.finish();
    if (this.pending !== null) return this.fail(new NoAnswer('the connection was closed before the answer was complete'));
    if (!this.closed) {
      this.destroy();
      this.onGone(this);
    }
  }

  private onData(d: Buffer): void {
    if (this.pending === null) {
      // bytes nobody asked for: this connection cannot be trusted with the next request
      this.destroy();
      this.onGone(this);
      return;
    }
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    try {
      this.parse();
    } catch (e) {
      this.fail(e instanceof NoAnswer ? e : new NoAnswer(`bad answer: ${(e as Error).message}`));
    }
  }

  private parse(): void {
    for (;;) {
      if (this.pending === null) return;
      if (this.phase === 'head') {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new NoAnswer(`bad answer: headers longer than ${MAX_HEADER_BYTES} bytes`);
          return;
        }
        const head = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        if (!this.readHead(head)) continue; // a 1xx: the real answer follows
        this.phase = 'body';
      }
      if (!this.readBody()) return;
      return this.finish();
    }
  }

  /** Status line and headers; false for an interim (1xx) answer. */
  private readHead(head: string): boolean {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
    if (!m) throw new NoAnswer(`bad answer: status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return false;
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new NoAnswer(`bad answer: header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    this.status = status;
    this.headers = headers;
    const connection = (headers['connection'] ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const te = headers['transfer-encoding'];
    if (te !== undefined && /\bchunked\b/i.test(te)) {
      this.framing = 'chunked';
      this.chunkState = 'size';
    } else if (headers['content-length'] !== undefined) {
      const cl = headers['content-length'].split(',')[0]!.trim();
      if (!/^\d+$/.test(cl)) throw new NoAnswer(`bad answer: Content-Length ${JSON.stringify(cl)}`);
      this.framing = 'length';
      this.remaining = Number(cl);
    } else if (status === 204 || status === 304) {
      this.framing = 'length';
      this.remaining = 0;
    } else {
      this.framing = 'close';
      this.keepAlive = false;
    }
    return true;
  }

  private keep(b: Buffer): void {
    if (this.keptBytes < MAX_MESSAGE_BYTES && b.length > 0) {
      const part = b.subarray(0, MAX_MESSAGE_BYTES - this.keptBytes);
      this.kept.push(part);
      this.keptBytes += part.length;
    }
  }

  /** Consume body bytes; true once the body is complete. */
  private readBody(): boolean {
    if (this.framing === 'close') {
      this.keep(this.buf);
      this.buf = Buffer.alloc(0);
      return false; // complete at the end of the connection
    }
    if (this.framing === 'length') {
      const take = Math.min(this.remaining, this.buf.length);
      this.keep(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      this.remaining -= take;
      return this.remaining === 0;
    }
    for (;;) {
      if (this.chunkState === 'size') {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > 1024) throw new NoAnswer('bad answer: chunk size line too long');
          return false;
        }
        const sizeText = this.buf.subarray(0, eol).toString('latin1').split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw new NoAnswer(`bad answer: chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
        this.buf = this.buf.subarray(eol + 2);
        this.remaining = parseInt(sizeText, 16);
        this.chunkState = this.remaining === 0 ? 'trailers' : 'data';
      } else if (this.chunkState === 'data') {
        const take = Math.min(this.remaining, this.buf.length);
        this.keep(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        this.remaining -= take;
        if (this.remaining > 0) return false;
        this.chunkState = 'data-crlf';
      } else if (this.chunkState === 'data-crlf') {
        if (this.buf.length < 2) return false;
        if (this.buf[0] !== 13 || this.buf[1] !== 10) throw new NoAnswer('bad answer: chunk not followed by CRLF');
        this.buf = this.buf.subarray(2);
        this.chunkState = 'size';
      } else {
        // trailers: lines up to an empty one
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new NoAnswer('bad answer: trailers too long');
          return false;
        }
        this.buf = this.buf.subarray(eol + 2);
        if (eol === 0) return true;
      }
    }
  }

  private finish(): void {
    const p = this.pending!;
    this.pending = null;
    clearTimeout(this.timer);
    const answer: Answer = { status: this.status, headers: this.headers, message: Buffer.concat(this.kept).toString('utf8').trim() };
    if (!this.keepAlive || this.buf.length > 0 || this.closed) {
      this.destroy();
      this.onGone(this);
    } else {
      this.onFree(this);
    }
    p.resolve(answer);
  }
}

export class HttpClient {
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private readonly headPrefix: string;
  private readonly connect: () => net.Socket;

  constructor(private readonly opts: ClientOptions) {
    const u = opts.url;
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const secure = u.protocol === 'https:';
    const port = u.port === '' ? (secure ? 443 : 80) : Number(u.port);
    this.headPrefix = `POST ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n`;
    this.connect = secure
      ? () =>
          tls.connect({
            host,
            port,
            servername: net.isIP(host) === 0 ? host : undefined,
            ca: opts.tls.ca,
            cert: opts.tls.cert,
            key: opts.tls.key,
            rejectUnauthorized: !opts.tls.insecureSkipVerify,
            ALPNProtocols: ['http/1.1'],
          })
      : () => net.connect({ host, port });
  }

  /**
   * POST `body` with `headers` (checked: a header that cannot be sent is a NoAnswer, nothing is
   * written); resolves with the answer, rejects with NoAnswer.
   */
  async post(headers: Record<string, string>, body: Uint8Array): Promise<Answer> {
    let head = this.headPrefix;
    for (const name in headers) {
      const value = headers[name]!;
      const bad = invalidHeader(name, value);
      if (bad !== null) throw new NoAnswer(`not sent: ${bad}`, true);
      head += `${name}: ${value}\r\n`;
    }
    head += '\r\n';
    const conn = this.idle.pop() ?? this.open();
    this.busy.add(conn);
    return conn.send(Buffer.from(head, 'latin1'), body, this.opts.timeoutMs);
  }

  private open(): Connection {
    return new Connection(
      this.connect(),
      (c) => {
        this.busy.delete(c);
        this.idle.push(c);
      },
      (c) => {
        this.busy.delete(c);
        const i = this.idle.indexOf(c);
        if (i >= 0) this.idle.splice(i, 1);
      },
    );
  }

  /** Abort every attempt in flight (a second SIGINT): each rejects with a final NoAnswer. */
  abortAll(): void {
    for (const c of [...this.busy]) c.abort();
  }

  /** Close every connection. */
  close(): void {
    for (const c of [...this.idle, ...this.busy]) c.destroy();
    this.idle.length = 0;
    this.busy.clear();
  }
}

function noAnswer(e: unknown): NoAnswer {
  if (e instanceof NoAnswer) return e;
  const err = e as NodeJS.ErrnoException;
  const msg = err.message ?? String(e);
  return new NoAnswer(err.code && !msg.includes(err.code) ? `${err.code}: ${msg}` : msg);
}
