// The Sender with a fake HTTP client and a fake clock: order and concurrency, retries and their
// waits, refusals, 2.0 answers, pacing, stop and abort, secrets, the report's figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoAnswer, Sender, type Post, type SenderOptions } from '../../src/send/index.js';
import { FakeClient, FakeClock, OK, answer } from './helpers.js';

function post(index: number, opts: Partial<Post> = {}): Post {
  return {
    index,
    tenant: 't',
    protocol: 'rw1',
    body: new Uint8Array(10 + index),
    asRecorded: true,
    counts: { samples: 5, histograms: 1, exemplars: 2 },
    timeMs: 1000 * index,
    headers: {},
    origin: { input: 'cap.rwcap', unit: 'record', first: index, last: index },
    ...opts,
  };
}

function sender(client: FakeClient, clock: FakeClock, opts: Partial<SenderOptions> = {}): Sender {
  return new Sender({
    client,
    userAgent: 'ha-dedup/test',
    authorization: null,
    secrets: [],
    retries: 10,
    minBackoffMs: 30,
    maxBackoffMs: 5000,
    concurrency: 1,
    speed: null,
    clock,
    ...opts,
  });
}

async function sendAll(s: Sender, posts: Post[]) {
  for (const p of posts) await s.submit(p);
  return s.finish();
}

test('every post acknowledged: the report counts requests, samples, bytes; in order with concurrency 1', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => OK, clock);
  const posts = [0, 1, 2, 3].map((i) => post(i));
  const r = await sendAll(sender(client, clock), posts);
  assert.deepEqual(r, { version: 1, requests: 4, samples: 24, acknowledged_requests: 4, retried_requests: 0, refused_requests: 0, refused: [], bytes: 10 + 11 + 12 + 13, wall_ms: 0 });
  assert.deepEqual(client.calls.map((c) => c.body.length), [10, 11, 12, 13]);
  assert.equal(client.maxInFlight, 1);
  assert.equal(client.closed, true);
  assert.equal(client.calls[0]!.headers['x-scope-orgid'], 't');
  assert.equal(client.calls[0]!.headers['user-agent'], 'ha-dedup/test');
});

test('--concurrency N keeps at most N in flight, dispatched in order', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => OK, clock, true);
  const s = sender(client, clock, { concurrency: 3 });
  const feeding = (async () => {
    for (let i = 0; i < 7; i++) await s.submit(post(i));
  })();
  for (let round = 0; round < 10; round++) {
    await new Promise((r) => setImmediate(r));
    assert.ok(client.inFlight <= 3);
    client.release();
  }
  await feeding;
  client.hold = false;
  client.release();
  const r = await s.finish();
  assert.equal(r.acknowledged_requests, 7);
  assert.equal(client.maxInFlight, 3);
  assert.deepEqual(client.calls.map((c) => c.body.length - 10), [0, 1, 2, 3, 4, 5, 6]);
});

test('5xx, 429 and no answer are retried with the doubling backoff; the request is acknowledged once', async () => {
  const clock = new FakeClock();
  const seq = [answer(500, 'boom'), answer(503), new NoAnswer('ECONNRESET: socket hang up'), answer(429), OK];
  const client = new FakeClient((n) => seq[n] ?? OK, clock);
  const r = await sendAll(sender(client, clock), [post(0), post(1)]);
  assert.equal(client.calls.length, 6, 'five attempts for the first, one for the second');
  assert.deepEqual(clock.waits, [30, 60, 120, 240]);
  assert.equal(r.acknowledged_requests, 2);
  assert.equal(r.retried_requests, 1);
  assert.equal(r.refused_requests, 0);
  assert.equal(r.bytes, 5 * 10 + 11, 'every attempt counts on the wire');
  assert.equal(r.wall_ms, 450);
});

test('Retry-After is honoured as given; the backoff goes on from it, capped at --max-backoff', async () => {
  const clock = new FakeClock();
  const seq = [answer(429, '', { 'retry-after': '8' }), answer(503), answer(503), OK];
  const client = new FakeClient((n) => seq[n]!, clock);
  await sendAll(sender(client, clock, { maxBackoffMs: 1000 }), [post(0)]);
  assert.deepEqual(clock.waits, [8000, 1000, 1000]);
});

test('other 4xx are never retried: refused with the receiver\'s message and the index', async () => {
  const clock = new FakeClock();
  const client = new FakeClient((n) => (n === 1 ? answer(400, 'out of bounds') : OK), clock);
  const seen: string[] = [];
  const r = await sendAll(sender(client, clock, { onRefused: (ref, p, k) => seen.push(`${k}:${p.index}:${ref.status}`) }), [post(0), post(1), post(2)]);
  assert.equal(client.calls.length, 3);
  assert.deepEqual(clock.waits, []);
  assert.equal(r.acknowledged_requests, 2);
  assert.equal(r.refused_requests, 1);
  assert.deepEqual(r.refused, [{ status: 400, message: 'out of bounds', index: 1 }]);
  assert.deepEqual(seen, ['1:1:400']);
});

test('a 2.0 request answered 204 without -Written headers is refused, not retried', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => OK, clock);
  const r = await sendAll(sender(client, clock), [post(0, { protocol: 'rw2' })]);
  assert.equal(client.calls.length, 1);
  assert.equal(r.acknowledged_requests, 0);
  assert.equal(r.refused[0]!.status, 204);
  assert.match(r.refused[0]!.message, /Written headers/);
});

test('--retries bounds the attempts: then the request is refused with its last answer', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => answer(503, 'overloaded'), clock);
  const r = await sendAll(sender(client, clock, { retries: 2 }), [post(0)]);
  assert.equal(client.calls.length, 3);
  assert.deepEqual(r.refused, [{ status: 503, message: 'overloaded (gave up after 2 retries, --retries 2)', index: 0 }]);
  const none = new FakeClient(() => new NoAnswer('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9'), clock);
  const r0 = await sendAll(sender(none, clock, { retries: 0 }), [post(0)]);
  assert.equal(none.calls.length, 1);
  assert.equal(r0.refused[0]!.status, null);
  assert.match(r0.refused[0]!.message, /ECONNREFUSED.*gave up after 0 retries/);
});

test('only the first 100 refusals are listed; all are counted', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => answer(400, 'no'), clock);
  const posts = Array.from({ length: 130 }, (_, i) => post(i));
  const r = await sendAll(sender(client, clock), posts);
  assert.equal(r.refused_requests, 130);
  assert.equal(r.refused.length, 100);
  assert.deepEqual(r.refused.map((x) => x.index), Array.from({ length: 100 }, (_, i) => i));
});

test('--pace 10x waits for each post\'s clock time at ten times the speed', async () => {
  const clock = new FakeClock(0);
  const client = new FakeClient(() => OK, clock);
  await sendAll(sender(client, clock, { speed: 10 }), [post(1, { timeMs: 60_000 }), post(2, { timeMs: 70_000 }), post(3, { timeMs: 90_000 }), post(4, { timeMs: 80_000 })]);
  assert.deepEqual(client.calls.map((c) => c.at), [0, 1000, 3000, 3000]);
  // --pace max waits for nothing
  const c2 = new FakeClock(0);
  const fast = new FakeClient(() => OK, c2);
  await sendAll(sender(fast, c2), [post(1, { timeMs: 60_000 }), post(2, { timeMs: 90_000 })]);
  assert.deepEqual(c2.waits, []);
});

test('stop(): nothing more is dispatched, the attempt in flight ends, a retry is not made', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => answer(503, 'busy'), clock, true);
  const s = sender(client, clock);
  await s.submit(post(0));
  const second = s.submit(post(1)); // waits for the slot
  await new Promise((r) => setImmediate(r));
  s.stop();
  await second;
  assert.equal(s.isStopping, true);
  await s.submit(post(2));
  client.release();
  const r = await s.finish();
  assert.equal(client.calls.length, 1, 'only the request in flight was sent');
  assert.equal(r.requests, 1);
  assert.equal(r.refused_requests, 1);
  assert.match(r.refused[0]!.message, /^interrupted before it was acknowledged \(last attempt: 503: busy\)/);
});

test('abort(): the attempts in flight are cut and counted as refused (no answer)', async () => {
  const clock = new FakeClock();
  const client = new FakeClient(() => new NoAnswer('interrupted', true), clock, true);
  const s = sender(client, clock, { concurrency: 2 });
  await s.submit(post(0));
  await s.submit(post(1));
  s.abort();
  assert.equal(client.aborted, 1);
  client.release();
  const r = await s.finish();
  assert.equal(r.refused_requests, 2);
  assert.deepEqual(r.refused.map((x) => [x.status, x.message]), [[null, 'interrupted'], [null, 'interrupted']]);
});

test('credentials go in the Authorization header and are blanked out of every message kept', async () => {
  const clock = new FakeClock();
  const client = new FakeClient((_n, call) => answer(401, `bad credentials: ${call.headers['authorization']}`), clock);
  const r = await sendAll(sender(client, clock, { authorization: 'Bearer s3cr3t', secrets: ['s3cr3t'] }), [post(0)]);
  assert.equal(client.calls[0]!.headers['authorization'], 'Bearer s3cr3t');
  assert.equal(r.refused[0]!.message, 'bad credentials: Bearer <secret>');
  assert.ok(!JSON.stringify(r).includes('s3cr3t'));
});
