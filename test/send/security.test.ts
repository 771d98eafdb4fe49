// Credentials and TLS: bearer and basic credentials read from files reach the receiver and are
// never printed or written to a report (even when a receiver echoes them back); TLS with a CA
// file, without one (refused), with --insecure-skip-verify, and with a client certificate.
// Every command runs in process (test/cli/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { FIXTURE, tempDir } from '../record/helpers.js';
import { NO_CONTENT, TestReceiver } from './procs.js';
import { runCli, type RunResult } from '../cli/run.js';
import { onPath } from '../e2e/util.js';

const SECRET = 'tok-9f3Kq-very-secret';
const PASSWORD = 'pw-Zx81-also-secret';

/** Every place a secret could leak to: stdout, stderr, the report file. */
function assertNoLeak(run: RunResult<string>, report: string, secrets: string[]): void {
  const all = run.stdout + run.stderr + readFileSync(report, 'utf8');
  for (const s of secrets) assert.ok(!all.includes(s), `"${s}" leaked:\n${all}`);
}

test('--bearer-token-file: the token is sent, and never printed or reported, even echoed back by the receiver', async () => {
  const t = tempDir('send-bearer');
  // refuse every other request, quoting the credentials back (a receiver that leaks)
  const rcv = await TestReceiver.start((r, n) => (n % 2 === 1 ? { status: 401, body: `unauthorized: ${r.headers.authorization}` } : NO_CONTENT));
  try {
    const tokenFile = join(t.dir, 'token');
    writeFileSync(tokenFile, `${SECRET}\n`);
    const report = join(t.dir, 'r.json');
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--bearer-token-file', tokenFile, '--report', report]);
    assert.equal(run.status, 1);
    assert.ok(rcv.requests.every((r) => r.headers.authorization === `Bearer ${SECRET}`));
    assert.match(run.stderr, /refused: 401: unauthorized: Bearer <secret>/);
    assertNoLeak(run, report, [SECRET]);
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

test('--basic-auth-user with --basic-auth-password-file: neither the password nor the encoded pair is ever printed', async () => {
  const t = tempDir('send-basic');
  const rcv = await TestReceiver.start((r) => ({ status: 403, body: `forbidden for ${r.headers.authorization}` }));
  try {
    const pwFile = join(t.dir, 'pw');
    writeFileSync(pwFile, PASSWORD);
    const report = join(t.dir, 'r.json');
    const run = await runCli(['send', FIXTURE, '--url', rcv.url, '--basic-auth-user', 'alice', '--basic-auth-password-file', pwFile, '--report', report]);
    assert.equal(run.status, 1);
    const encoded = Buffer.from(`alice:${PASSWORD}`).toString('base64');
    assert.equal(rcv.requests[0]!.headers.authorization, `Basic ${encoded}`);
    assertNoLeak(run, report, [PASSWORD, encoded]);
    // --help and a usage error show no credential either
    const help = await runCli(['send', '--help']);
    assert.ok(!help.stdout.includes(PASSWORD));
    assert.doesNotMatch(help.stdout, /--bearer-token <|--basic-auth-password </, 'no option takes a secret itself');
  } finally {
    await rcv.close();
    t.cleanup();
  }
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCerts(dir: string): { ca: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string } {
  const sh = (cmd: string) => {
    const r = spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  };
  sh('openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=ha-dedup test CA"');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"');
  sh('openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext');
  sh('openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=sender"');
  sh('openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2');
  return { ca: join(dir, 'ca.pem'), serverKey: join(dir, 'server.key'), serverCert: join(dir, 'server.pem'), clientKey: join(dir, 'client.key'), clientCert: join(dir, 'client.pem') };
}

test('TLS: verified with --ca-file, refused without it, accepted with --insecure-skip-verify; client certificate', { skip: onPath('openssl') ? false : 'openssl is not on PATH (needed to make test certificates)' }, async () => {
  const t = tempDir('send-tls');
  const c = makeCerts(t.dir);
  const rcv = await TestReceiver.start(() => NO_CONTENT, { key: readFileSync(c.serverKey), cert: readFileSync(c.serverCert) });
  const mtls = await TestReceiver.start(() => NO_CONTENT, { key: readFileSync(c.serverKey), cert: readFileSync(c.serverCert), ca: readFileSync(c.ca), requestCert: true, rejectUnauthorized: true });
  try {
    assert.match(rcv.url, /^https:/);
    const ok = await runCli(['send', FIXTURE, '--url', rcv.url, '--ca-file', c.ca]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(rcv.requests.length, 146);
    const unverified = await runCli(['send', FIXTURE, '--url', rcv.url, '--retries', '0', '--report', '-']);
    assert.equal(unverified.status, 1);
    const r = JSON.parse(unverified.stdout);
    assert.equal(r.acknowledged_requests, 0);
    assert.equal(r.refused[0].status, null);
    assert.match(r.refused[0].message, /certificate/i);
    assert.equal(rcv.requests.length, 146, 'nothing reached the receiver without a verified certificate');
    const insecure = await runCli(['send', FIXTURE, '--url', rcv.url, '--insecure-skip-verify']);
    assert.equal(insecure.status, 0, insecure.stderr);
    // a receiver that wants a client certificate
    const withCert = await runCli(['send', FIXTURE, '--url', mtls.url, '--ca-file', c.ca, '--cert-file', c.clientCert, '--key-file', c.clientKey]);
    assert.equal(withCert.status, 0, withCert.stderr);
    assert.equal(mtls.requests.length, 146);
    const without = await runCli(['send', FIXTURE, '--url', mtls.url, '--ca-file', c.ca, '--retries', '0']);
    assert.equal(without.status, 1);
    assert.equal(mtls.requests.length, 146);
    // key material is never printed
    const key = readFileSync(c.clientKey, 'utf8').split('\n')[1]!;
    for (const run of [ok, unverified, insecure, withCert, without]) assert.ok(!(run.stdout + run.stderr).includes(key));
    const mismatched = await runCli(['send', FIXTURE, '--url', mtls.url, '--cert-file', c.clientCert, '--key-file', c.serverKey]);
    assert.equal(mismatched.status, 2);
    assert.match(mismatched.stderr, /--cert-file .* with --key-file .*: not usable for TLS/);
  } finally {
    await rcv.close();
    await mtls.close();
    t.cleanup();
  }
});
