// The HTTP/1.1 client of send against node's own server and raw sockets: answers framed by
// Content-Length, chunked or the end of the connection, 1xx skipped, kept-alive connections
// reused (and replaced when the server closes them), the message cut at 1024 bytes with the
// body still read through, timeouts, bad answers, abort, header injection refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpClient, MAX_MESSAGE_BYTES, NoAnswer, invalidHeader } from '../../src/send/index.js';

const BODY = new Uint8Array([1, 2, 3, 4, 5]);

async function httpServer(handler: http.RequestListener): Promise<{ url: URL; connections: () => number; close(): Promise<void> }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write?x=1`);
  return {
    url,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A raw TCP server: `respond(requestBytes)` writes whatever it likes to the socket. */
async function rawServer(respond: (sock: net.Socket, req: string) => void): Promise<{ url: URL; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(got)?.[1] ?? 0);
      if (got.length >= end + 4 + len) {
        const req = got;
        got = '';
        respond(sock, req);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/w`),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function client(url: URL, timeoutMs = 5000, concurrency = 1): HttpClient {
  return new HttpClient({ url, concurrency, timeoutMs, tls: { insecureSkipVerify: false } });
}

test('POSTs the body with the headers given, over one kept-alive connection', async () => {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const s = await httpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204, { 'X-Prometheus-Remote-Write-Samples-Written': '5' });
      res.end();
    });
  });
  const c = client(s.url);
  try {
    for (let i = 0; i < 5; i++) {
      const a = await c.post({ 'content-type': 'application/x-protobuf', 'content-length': '5', 'x-scope-orgid': 'team-a' }, BODY);
      assert.deepEqual(a, { status: 204, headers: { ...a.headers, 'x-prometheus-remote-write-samples-written': '5' }, message: '' });
    }
    assert.equal(s.connections(), 1, 'one connection for every request');
    assert.equal(seen.length, 5);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.url, '/api/v1/write?x=1');
    assert.equal(seen[0]!.headers.host, s.url.host);
    assert.equal(seen[0]!.headers['x-scope-orgid'], 'team-a');
    assert.deepEqual([...seen[0]!.body], [...BODY]);
  } finally {
    c.close();
    await s.close();
  }
});

test('answers with a Content-Length body, a chunked body, a large body (cut at 1024 bytes, read through)', async () => {
  const big = 'x'.repeat(300_000);
  const s = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.headers['x-case'] === 'length') {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end('out of bounds\n');
      } else if (req.headers['x-case'] === 'chunked') {
        res.writeHead(503, { 'Retry-After': '3' });
        res.write('first part, ');
        setTimeout(() => res.end('second part'), 20);
      } else {
        res.writeHead(413);
        res.end(big);
      }
    });
  });
  const c = client(s.url);
  try {
    const a = await c.post({ 'x-case': 'length', 'content-length': '5' }, BODY);
    assert.equal(a.status, 400);
    assert.equal(a.message, 'out of bounds');
    const b = await c.post({ 'x-case': 'chunked', 'content-length': '5' }, BODY);
    assert.equal(b.status, 503);
    assert.equal(b.headers['transfer-encoding'], 'chunked');
    assert.equal(b.headers['retry-after'], '3');
    assert.equal(b.message, 'first part, second part');
    const d = await c.post({ 'x-case': 'big', 'content-length': '5' }, BODY);
    assert.equal(d.status, 413);
    assert.equal(d.message.length, MAX_MESSAGE_BYTES);
    // the connection is still usable: the big body was read to its end
    assert.equal((await c.post({ 'x-case': 'length', 'content-length': '5' }, BODY)).status, 400);
    assert.equal(s.connections(), 1);
  } finally {
    c.close();
    await s.close();
  }
});

test('Connection: close and a close-delimited body: the answer is read, a new connection is opened next', async () => {
  let n = 0;
  const s = await rawServer((sock) => {
    n++;
    if (n === 1) sock.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
    else if (n === 2) sock.end('HTTP/1.0 500 Internal Server Error\r\n\r\nbroken until the end');
    else sock.write('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
  });
  const c = client(s.url);
  try {
    const a = await c.post({ 'content-length': '5' }, BODY);
    assert.deepEqual([a.status, a.message], [200, 'ok']);
    const b = await c.post({ 'content-length': '5' }, BODY);
    assert.deepEqual([b.status, b.message], [500, 'broken until the end']);
    const d = await c.post({ 'content-length': '5' }, BODY);
    assert.equal(d.status, 204, 'the 103 was skipped');
  } finally {
    c.close();
    await s.close();
  }
});

test('no answer: refused connection, a server that closes, a timeout, a bad status line, huge headers', async () => {
  const closed = await rawServer((sock) => sock.destroy());
  const silent = await rawServer(() => {});
  const garbage = await rawServer((sock) => sock.write('SPDY/3 200 what\r\n\r\n'));
  const huge = await rawServer((sock) => sock.write(`HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(70_000)}`));
  const port = (await new Promise<number>((r) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => r(p));
    });
  }));
  const cases: [URL, number, RegExp][] = [
    [new URL(`http://127.0.0.1:${port}/`), 5000, /ECONNREFUSED/],
    [closed.url, 5000, /closed before the answer was complete|ECONNRESET/],
    [silent.url, 150, /no answer within --timeout 150ms/],
    [garbage.url, 5000, /bad answer: status line "SPDY\/3 200 what"/],
    [huge.url, 5000, /bad answer: headers longer than 65536 bytes/],
  ];
  try {
    for (const [url, timeout, re] of cases) {
      const c = client(url, timeout);
      await assert.rejects(c.post({ 'content-length': '5' }, BODY), (e: unknown) => e instanceof NoAnswer && !e.final && re.test(e.message), String(re));
      c.close();
    }
  } finally {
    await Promise.all([closed.close(), silent.close(), garbage.close(), huge.close()]);
  }
});

test('abortAll() cuts the attempts in flight (final: not retried)', async () => {
  const silent = await rawServer(() => {});
  const c = client(silent.url, 10_000, 2);
  try {
    const a = c.post({ 'content-length': '5' }, BODY);
    const b = c.post({ 'content-length': '5' }, BODY);
    await new Promise((r) => setTimeout(r, 50));
    c.abortAll();
    for (const p of [a, b]) await assert.rejects(p, (e: unknown) => e instanceof NoAnswer && e.final && e.message === 'interrupted');
  } finally {
    c.close();
    await silent.close();
  }
});

test('a header that would break the request head is never written: CR/LF in a tenant, a bad name', async () => {
  assert.equal(invalidHeader('x-scope-orgid', 'team-a'), null);
  assert.match(invalidHeader('x-scope-orgid', 'a\r\nx-injected: 1')!, /holds characters HTTP does not allow/);
  assert.match(invalidHeader('bad name', 'v')!, /is not valid in HTTP/);
  let requests = 0;
  const s = await rawServer((sock) => {
    requests++;
    sock.write('HTTP/1.1 204 No Content\r\n\r\n');
  });
  const c = client(s.url);
  try {
    await assert.rejects(c.post({ 'x-scope-orgid': 'a\r\nx-injected: 1', 'content-length': '5' }, BODY), (e: unknown) => e instanceof NoAnswer && e.final && /not sent/.test(e.message));
    assert.equal((await c.post({ 'content-length': '5' }, BODY)).status, 204);
    assert.equal(requests, 1, 'the bad request never reached the server');
  } finally {
    c.close();
    await s.close();
  }
});
