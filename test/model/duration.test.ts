import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, formatDuration } from '../../src/model/index.js';

test('parseDuration accepts Prometheus durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('15s'), 15_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('0s'), 0);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('2d'), 172_800_000);
});

test('parseDuration rejects what Prometheus rejects', () => {
  for (const bad of ['', '15', '1.5s', '-1s', 's', '1s1m', 'abc', '1 s']) assert.equal(parseDuration(bad), undefined, bad);
});

test('formatDuration is the inverse on canonical forms', () => {
  for (const d of ['500ms', '15s', '1m30s', '1h', '1h0m1s'.replace('0m', ''), '0s']) assert.equal(formatDuration(parseDuration(d)!), d);
});
