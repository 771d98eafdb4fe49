// The option parsers of src/cli/options.ts, and argv -> options in process: the one byte-size
// parser behind --max-decoded-size (replay, doctor, inspect, convert, send) and record's
// --max-body, each usage error one line naming its option (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HaDedupError } from '../../src/model/index.js';
import { parseByteSize, parseCount, parseSize } from '../../src/cli/options.js';
import { runCli } from './run.js';

const FIXTURE = 'fixtures/prom-ha-dev.rwcap';

test('byte sizes: plain bytes, binary and decimal units, any case, spaces around; 0 and words are not sizes', () => {
  assert.equal(parseByteSize('67108864'), 67108864);
  assert.equal(parseByteSize('64MiB'), 64 * 1024 ** 2);
  assert.equal(parseByteSize('64mib'), 64 * 1024 ** 2);
  assert.equal(parseByteSize(' 512 KiB '), 512 * 1024);
  assert.equal(parseByteSize('10MB'), 10_000_000);
  assert.equal(parseByteSize('1.5k'), 1500);
  assert.equal(parseByteSize('1GiB'), 1024 ** 3);
  for (const bad of ['0', '0MiB', 'lots', '-1', '1 parsec', '', 'MiB']) assert.equal(parseByteSize(bad), undefined, bad);
  assert.equal(parseSize('32MiB', '--max-body'), 32 * 1024 ** 2);
  assert.throws(() => parseSize('0', '--max-body'), (e: unknown) => e instanceof HaDedupError && e.exitCode === 2 && e.message === '--max-body: must be more than 0 bytes, got "0"');
  assert.throws(() => parseSize('lots', '--max-body'), (e: unknown) => e instanceof HaDedupError && e.message === '--max-body: "lots" is not a size (e.g. 33554432, 32MiB, 512KiB, 10MB)');
  assert.equal(parseCount(' 7 ', '--max-requests'), 7);
  assert.throws(() => parseCount('1.5', '--max-requests'), /--max-requests: "1.5" is not a whole number/);
});

test('argv -> options in process: a bad --max-decoded-size is one line naming it, in every command that takes it', async () => {
  const cases: string[][] = [
    ['replay', FIXTURE],
    ['inspect', FIXTURE],
    ['convert', FIXTURE, '--to', 'ndjson', '-o', '/dev/null'],
    ['send', FIXTURE, '--url', 'http://127.0.0.1:1/'],
  ];
  for (const args of cases) {
    const r = await runCli([...args, '--max-decoded-size', 'lots']);
    assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stderr, 'ha-dedup: --max-decoded-size: "lots" is not a size (e.g. 67108864, 64MiB)\n', args[0]);
    assert.equal(r.stdout, '');
  }
  const rec = await runCli(['record', '--listen', '127.0.0.1:0', '-o', '/dev/null', '--max-body', '0']);
  assert.equal(rec.status, 2);
  assert.equal(rec.stderr, 'ha-dedup: --max-body: must be more than 0 bytes, got "0"\n');
});
