// Option values -> configuration: defaults, every usage error names its option, credentials
// read from files (and never from the command line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSendOptions, readCredentials, SEND_DEFAULTS, type SendOptionValues } from '../../src/cli/sendoptions.js';
import { HaDedupError } from '../../src/model/index.js';

const base: SendOptionValues = { url: 'http://127.0.0.1:9090/api/v1/write', format: 'auto', maxDecodedSize: '64MiB', ...SEND_DEFAULTS };

function usage(v: Partial<SendOptionValues>, re: RegExp): void {
  assert.throws(
    () => readCredentials(parseSendOptions({ ...base, ...v })),
    (e: unknown) => e instanceof HaDedupError && e.exitCode === 2 && re.test(e.message),
    `${JSON.stringify(v)} should be a usage error matching ${re}`,
  );
}

test('defaults: as recorded, Prometheus\'s batch size and backoff, one in flight, 10 retries, 30s timeout', () => {
  const c = parseSendOptions(base);
  assert.equal(c.protocol, 'recorded');
  assert.equal(c.maxSamplesPerSend, 2000);
  assert.equal(c.speed, null);
  assert.equal(c.concurrency, 1);
  assert.equal(c.retries, 10);
  assert.equal(c.minBackoffMs, 30);
  assert.equal(c.maxBackoffMs, 5000);
  assert.equal(c.timeoutMs, 30_000);
  assert.equal(c.tenant, null);
  assert.equal(c.shiftToNow, false);
  assert.equal(parseSendOptions({ ...base, protocol: '2' }).protocol, 'rw2');
  assert.equal(parseSendOptions({ ...base, protocol: '1.0' }).protocol, 'rw1');
  assert.equal(parseSendOptions({ ...base, pace: '10x' }).speed, 10);
});

test('usage errors name the option', () => {
  usage({ url: undefined }, /--url is required/);
  usage({ url: 'not a url' }, /--url: "not a url" is not a URL/);
  usage({ url: 'ftp://x/' }, /--url: .* is not an http:\/\/ or https:\/\/ URL/);
  usage({ url: 'http://user:pw@x/' }, /--url: credentials in the URL are not accepted/);
  usage({ protocol: '3' }, /--protocol: "3" is not 1 or 2/);
  usage({ pace: 'fast' }, /--pace: "fast"/);
  usage({ concurrency: '0' }, /--concurrency: "0" is not a whole number of at least 1/);
  usage({ maxSamplesPerSend: '1.5' }, /--max-samples-per-send/);
  usage({ retries: '-1' }, /--retries/);
  usage({ minBackoff: '1x' }, /--min-backoff: "1x" is not a positive duration/);
  usage({ minBackoff: '10s', maxBackoff: '1s' }, /--min-backoff 10s is more than --max-backoff 1s/);
  usage({ timeout: '0s' }, /--timeout/);
  usage({ tenant: '' }, /--tenant: must not be empty/);
  usage({ format: 'csv' }, /--format: "csv"/);
  usage({ maxDecodedSize: 'lots' }, /--max-decoded-size/);
  usage({ bearerTokenFile: '/x', basicAuthUser: 'u', basicAuthPasswordFile: '/y' }, /cannot be used together/);
  usage({ basicAuthUser: 'u' }, /--basic-auth-user and --basic-auth-password-file go together/);
  usage({ certFile: '/c' }, /--cert-file and --key-file go together/);
  usage({ caFile: '/ca' }, /--ca-file needs an https:\/\/ --url/);
  usage({ insecureSkipVerify: true }, /--insecure-skip-verify needs an https:\/\/ --url/);
});

test('credentials come from files: trimmed, a missing or empty file is a usage error that shows no content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-send-opt-'));
  try {
    const token = join(dir, 'token');
    writeFileSync(token, '  tok-123\n');
    const c = readCredentials(parseSendOptions({ ...base, bearerTokenFile: token }));
    assert.equal(c.authorization, 'Bearer tok-123');
    assert.deepEqual(c.secrets, ['tok-123']);
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'pa:ss\n');
    const b = readCredentials(parseSendOptions({ ...base, basicAuthUser: 'alice', basicAuthPasswordFile: pw }));
    const encoded = Buffer.from('alice:pa:ss').toString('base64');
    assert.equal(b.authorization, `Basic ${encoded}`);
    assert.deepEqual(b.secrets, ['pa:ss', encoded]);
    usage({ bearerTokenFile: join(dir, 'missing') }, /--bearer-token-file .*missing: no such file/);
    writeFileSync(join(dir, 'empty'), '\n');
    usage({ bearerTokenFile: join(dir, 'empty') }, /the file is empty/);
    writeFileSync(join(dir, 'two'), 'a\nb\n');
    usage({ bearerTokenFile: join(dir, 'two') }, /more than one line/);
    writeFileSync(join(dir, 'notpem'), 'secret-not-a-cert');
    assert.throws(
      () => readCredentials(parseSendOptions({ ...base, url: 'https://x/', caFile: join(dir, 'notpem') })),
      (e: unknown) => e instanceof HaDedupError && e.exitCode === 2 && /--ca-file .*notpem: not usable for TLS/.test(e.message) && !e.message.includes('secret-not-a-cert'),
    );
    assert.equal(readCredentials(parseSendOptions(base)).authorization, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
