// The HTTP side of send: one keep-alive agent (at most --concurrency connections), TLS from
// files, a time limit per attempt, and the receiver's answer (status, headers, the start of its
// message). I/O only; what an answer means is policy.ts's job.
import * as http from 'node:http';
import * as https from 'node:https';

/** Prometheus reads this much of an error answer's body (maxErrMsgLen). */
export const MAX_MESSAGE_BYTES = 1024;

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipVerify: boolean;
}

export interface ClientOptions {
  url: URL;
  /** Connections at most (the agent's maxSockets). */
  concurrency: number;
  /** Time limit of one attempt, from sending to the end of the answer (--timeout). */
  timeoutMs: number;
  tls: TlsFiles;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The first MAX_MESSAGE_BYTES of the body, as text, trimmed. */
  message: string;
}

/** An attempt that got no HTTP answer (connection refused or reset, TLS failure, timeout, abort). */
export class NoAnswer extends Error {
  constructor(
    message: string,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'NoAnswer';
  }
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly host: string;

  constructor(private readonly opts: ClientOptions) {
    const common = { keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency, noDelay: true };
    this.host = opts.url.host;
    if (opts.url.protocol === 'https:') {
      this.agent = new https.Agent({
        ...common,
        ca: opts.tls.ca,
        cert: opts.tls.cert,
        key: opts.tls.key,
        rejectUnauthorized: !opts.tls.insecureSkipVerify,
      });
      this.request = https.request;
    } else {
      this.agent = new http.Agent(common);
      this.request = http.request;
    }
  }

  /** POST `body` with `headers` (valid names and values); resolves with the answer, rejects with NoAnswer. */
  post(headers: Record<string, string>, body: Uint8Array): Promise<Answer> {
    const u = this.opts.url;
    // headers as a raw list: node then skips validating them one by one (they are checked where
    // they are made, headers.ts), and sets no Host header of its own
    const raw: string[] = ['host', this.host];
    for (const name in headers) raw.push(name, headers[name]!);
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const done = (err: NoAnswer | null, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(req);
        if (err) reject(err);
        else resolve(answer!);
      };
      const req = this.request(
        {
          protocol: u.protocol,
          hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
          port: u.port === '' ? undefined : Number(u.port),
          path: `${u.pathname}${u.search}`,
          method: 'POST',
          headers: raw as unknown as http.OutgoingHttpHeaders,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < MAX_MESSAGE_BYTES) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).subarray(0, MAX_MESSAGE_BYTES).toString('utf8').trim();
            done(null, { status: res.statusCode ?? 0, headers: res.headers, message: text });
          });
          res.on('error', (e) => done(noAnswer(e)));
          res.on('aborted', () => done(new NoAnswer('the connection was closed before the answer was complete')));
        },
      );
      const timer = setTimeout(() => req.destroy(new NoAnswer(`no answer within --timeout ${this.opts.timeoutMs}ms`)), this.opts.timeoutMs);
      this.inFlight.add(req);
      req.on('error', (e) => done(noAnswer(e)));
      req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
  }

  /** Abort every attempt in flight (a second SIGINT): each rejects with NoAnswer(aborted). */
  abortAll(): void {
    for (const req of [...this.inFlight]) req.destroy(new NoAnswer('interrupted', true));
  }

  /** Close the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function noAnswer(e: unknown): NoAnswer {
  if (e instanceof NoAnswer) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ? `${err.code}: ` : '';
  return new NoAnswer(`${code}${err.message}`);
}
