// The remote-write rules as data: what each answer means, Retry-After, the backoff, pacing, and
// the headers of a request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueWallMs, judge, keptRecordedHeaders, parseRetryAfter, requestHeaders, retryWait } from '../../src/send/index.js';
import { parsePace } from '../../src/cli/sendoptions.js';

const WRITTEN = { 'x-prometheus-remote-write-samples-written': '3', 'x-prometheus-remote-write-histograms-written': '0', 'x-prometheus-remote-write-exemplars-written': '0' };

test('2xx acknowledges; 5xx and 429 are retried; every other status is refused', () => {
  for (const s of [200, 202, 204]) assert.deepEqual(judge('rw1', s, {}, 0), { kind: 'ack' }, String(s));
  for (const s of [500, 502, 503, 504, 599, 429]) assert.equal(judge('rw1', s, {}, 0).kind, 'retry', String(s));
  for (const s of [400, 401, 403, 404, 409, 413, 415, 422, 301, 302, 100, 600]) assert.equal(judge('rw1', s, {}, 0).kind, 'refuse', String(s));
});

test('a redirect is refused with where it points (remote-write is never redirected)', () => {
  assert.deepEqual(judge('rw1', 308, { location: 'https://x/api/v1/push' }, 0), {
    kind: 'refuse',
    reason: 'redirected to https://x/api/v1/push: send does not follow redirects (give the final URL to --url)',
  });
});

test('a 2.0 request answered 2xx without any -Written header fails as a whole; one header is enough', () => {
  const v = judge('rw2', 204, {}, 0);
  assert.equal(v.kind, 'refuse');
  assert.match((v as { reason: string }).reason, /without the X-Prometheus-Remote-Write-\*-Written headers/);
  assert.deepEqual(judge('rw2', 204, WRITTEN, 0), { kind: 'ack' });
  assert.deepEqual(judge('rw2', 200, { 'x-prometheus-remote-write-samples-written': '0' }, 0), { kind: 'ack' });
  // a 1.0 receiver never sets them, and must not need to
  assert.deepEqual(judge('rw1', 204, {}, 0), { kind: 'ack' });
});

test('Retry-After: seconds or an HTTP date, in the future only', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter(' 2 ', now), 2000);
  assert.equal(parseRetryAfter(new Date(now + 3000).toUTCString(), now), 3000);
  for (const v of [undefined, '', '0', '-5', '1.5', 'soon', new Date(now - 1000).toUTCString()]) assert.equal(parseRetryAfter(v, now), null, String(v));
  assert.deepEqual(judge('rw1', 429, { 'retry-after': '4' }, now), { kind: 'retry', retryAfterMs: 4000 });
  assert.deepEqual(judge('rw1', 503, {}, now), { kind: 'retry', retryAfterMs: null });
});

test('the backoff doubles from --min-backoff up to --max-backoff; Retry-After replaces one wait', () => {
  let b = 30;
  const waits: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = retryWait(b, null, 5000);
    waits.push(r.waitMs);
    b = r.nextBackoffMs;
  }
  assert.deepEqual(waits, [30, 60, 120, 240, 480, 960, 1920, 3840, 5000, 5000]);
  assert.deepEqual(retryWait(60, 10_000, 5000), { waitMs: 10_000, nextBackoffMs: 5000 });
  assert.deepEqual(retryWait(60, 100, 5000), { waitMs: 100, nextBackoffMs: 200 });
});

test('--pace: max or a speed; a post is due at its clock offset divided by the speed', () => {
  assert.equal(parsePace('max'), null);
  assert.equal(parsePace('1x'), 1);
  assert.equal(parsePace('10X'), 10);
  assert.equal(parsePace('0.5x'), 0.5);
  for (const bad of ['', 'x', '0x', '10', 'fast', '-1x', '1.x']) assert.equal(parsePace(bad), undefined, bad);
  assert.equal(dueWallMs(1000, 50_000, 60_000, 1), 11_000);
  assert.equal(dueWallMs(1000, 50_000, 60_000, 10), 2000);
  assert.equal(dueWallMs(1000, 50_000, 40_000, 1), 1000, 'a clock regression is due at once');
});

test('a request carries the headers Prometheus sends, the tenant and the credentials', () => {
  const h1 = requestHeaders('rw1', 'ha-dedup/0.1.0', 'team-a', null, {}, 12);
  assert.deepEqual(h1, {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    'user-agent': 'ha-dedup/0.1.0',
    'content-length': '12',
    'x-scope-orgid': 'team-a',
  });
  const h2 = requestHeaders('rw2', 'ha-dedup/0.1.0', null, 'Bearer t', { 'retry-attempt': '1' }, 3);
  assert.equal(h2['content-type'], 'application/x-protobuf;proto=io.prometheus.write.v2.Request');
  assert.equal(h2['x-prometheus-remote-write-version'], '2.0.0');
  assert.equal(h2['authorization'], 'Bearer t');
  assert.equal(h2['retry-attempt'], '1');
  assert.ok(!('x-scope-orgid' in h2));
});

test('--keep-headers never keeps credentials, reserved headers, connection headers or invalid ones', () => {
  const kept = keptRecordedHeaders({
    authorization: 'Bearer x',
    'proxy-authorization': 'x',
    cookie: 'a=b',
    'user-agent': 'Prometheus/2.42.0',
    'x-prometheus-remote-write-version': '0.1.0',
    'content-type': 'x',
    'content-encoding': 'x',
    'x-scope-orgid': 'x',
    host: 'h',
    'content-length': '5',
    connection: 'keep-alive',
    'transfer-encoding': 'chunked',
    'accept-encoding': 'gzip',
    'bad name': 'x',
    'x-bad-value': 'a\nb',
    'Retry-Attempt': '2',
    'x-forwarded-for': '10.0.0.1',
  });
  assert.deepEqual(kept, { 'retry-attempt': '2', 'x-forwarded-for': '10.0.0.1' });
});
