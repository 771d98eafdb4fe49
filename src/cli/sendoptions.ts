// Option values of `ha-dedup send` -> a checked configuration (usage errors name the option),
// and the credentials read from their files (never from the command line; never printed). The
// configuration's shape is the sender's (src/send/config.ts); the parsing is the CLI's.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { parseDuration, usageError } from '../model/index.js';
import { inputFormatOption, maxDecodedSizeOption } from './options.js';
import type { Credentials, SendConfig } from '../send/config.js';
import type { TlsFiles } from '../send/client.js';

/** The option values as commander gives them (strings, flags). */
export interface SendOptionValues {
  url?: string;
  protocol?: string;
  tenant?: string;
  keepHeaders?: boolean;
  maxSamplesPerSend: string;
  pace: string;
  concurrency: string;
  shiftToNow?: boolean;
  retries: string;
  minBackoff: string;
  maxBackoff: string;
  timeout: string;
  report?: string;
  bearerTokenFile?: string;
  basicAuthUser?: string;
  basicAuthPasswordFile?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify?: boolean;
  format: string;
  strict?: boolean;
  maxDecodedSize: string;
}

/** --pace: "max" (null: as fast as the receiver takes) or a speed "1x", "10x", "0.5x". Undefined when not one. */
export function parsePace(text: string): number | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'max') return null;
  const m = /^(\d+(?:\.\d+)?)x$/.exec(t);
  if (!m) return undefined;
  const speed = Number(m[1]);
  return speed > 0 && Number.isFinite(speed) ? speed : undefined;
}

export const SEND_DEFAULTS = {
  maxSamplesPerSend: '2000',
  pace: 'max',
  concurrency: '1',
  retries: '10',
  minBackoff: '30ms',
  maxBackoff: '5s',
  timeout: '30s',
} as const;

function count(text: string, option: string, min: number): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || !Number.isSafeInteger(Number(t))) {
    throw usageError(`${option}: "${text}" is not a whole number${min > 0 ? ` of at least ${min}` : ''}`);
  }
  return Number(t);
}

function duration(text: string, option: string): number {
  const d = parseDuration(text);
  if (d === undefined || d <= 0) throw usageError(`${option}: "${text}" is not a positive duration (e.g. 30ms, 5s, 1m30s)`);
  return d;
}

export function parseSendOptions(v: SendOptionValues): SendConfig {
  if (v.url === undefined || v.url === '') throw usageError('--url is required: the remote-write endpoint, e.g. --url http://127.0.0.1:9090/api/v1/write');
  let url: URL;
  try {
    url = new URL(v.url);
  } catch {
    throw usageError(`--url: "${v.url}" is not a URL (e.g. http://127.0.0.1:9090/api/v1/write)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--url: "${v.url}" is not an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') {
    throw usageError('--url: credentials in the URL are not accepted (they would show in the process list); use --basic-auth-user with --basic-auth-password-file');
  }
  let protocol: SendConfig['protocol'] = 'recorded';
  if (v.protocol !== undefined) {
    const p = v.protocol.trim();
    if (p === '1' || p === '1.0') protocol = 'rw1';
    else if (p === '2' || p === '2.0') protocol = 'rw2';
    else throw usageError(`--protocol: "${v.protocol}" is not 1 or 2`);
  }
  if (v.tenant !== undefined && v.tenant === '') throw usageError('--tenant: must not be empty');
  const speed = parsePace(v.pace);
  if (speed === undefined) throw usageError(`--pace: "${v.pace}" is not max or a speed such as 1x, 10x, 0.5x`);
  const minBackoffMs = duration(v.minBackoff, '--min-backoff');
  const maxBackoffMs = duration(v.maxBackoff, '--max-backoff');
  if (minBackoffMs > maxBackoffMs) throw usageError(`--min-backoff ${v.minBackoff} is more than --max-backoff ${v.maxBackoff}`);
  const format = inputFormatOption(v.format);
  const maxDecodedSize = maxDecodedSizeOption(v.maxDecodedSize);

  if (v.bearerTokenFile !== undefined && (v.basicAuthUser !== undefined || v.basicAuthPasswordFile !== undefined)) {
    throw usageError('--bearer-token-file and --basic-auth-user cannot be used together');
  }
  if ((v.basicAuthUser === undefined) !== (v.basicAuthPasswordFile === undefined)) {
    throw usageError('--basic-auth-user and --basic-auth-password-file go together');
  }
  if ((v.certFile === undefined) !== (v.keyFile === undefined)) throw usageError('--cert-file and --key-file go together');
  const tlsOption = v.caFile !== undefined ? '--ca-file' : v.certFile !== undefined ? '--cert-file' : v.insecureSkipVerify ? '--insecure-skip-verify' : null;
  if (tlsOption !== null && url.protocol !== 'https:') throw usageError(`${tlsOption} needs an https:// --url`);

  return {
    url,
    protocol,
    tenant: v.tenant ?? null,
    keepHeaders: v.keepHeaders === true,
    maxSamplesPerSend: count(v.maxSamplesPerSend, '--max-samples-per-send', 1),
    speed,
    concurrency: count(v.concurrency, '--concurrency', 1),
    shiftToNow: v.shiftToNow === true,
    retries: count(v.retries, '--retries', 0),
    minBackoffMs,
    maxBackoffMs,
    timeoutMs: duration(v.timeout, '--timeout'),
    report: v.report ?? null,
    format,
    strict: v.strict === true,
    maxDecodedSize,
    credentialFiles: {
      bearerTokenFile: v.bearerTokenFile ?? null,
      basicAuthUser: v.basicAuthUser ?? null,
      basicAuthPasswordFile: v.basicAuthPasswordFile ?? null,
      caFile: v.caFile ?? null,
      certFile: v.certFile ?? null,
      keyFile: v.keyFile ?? null,
      insecureSkipVerify: v.insecureSkipVerify === true,
    },
  };
}

function readOptionFile(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw usageError(`${option} ${path}: ${why}`);
  }
}

/** A secret from a file: its text without surrounding whitespace (as Prometheus reads it). */
function readSecret(path: string, option: string): string {
  const s = readOptionFile(path, option).toString('utf8').trim();
  if (s === '') throw usageError(`${option} ${path}: the file is empty`);
  if (/[\r\n]/.test(s)) throw usageError(`${option} ${path}: the file holds more than one line`);
  return s;
}

/** Read the credential and TLS files of `cfg` (usage errors name the option and the file, never its content). */
export function readCredentials(cfg: SendConfig): Credentials {
  const f = cfg.credentialFiles;
  let authorization: string | null = null;
  const secrets: string[] = [];
  if (f.bearerTokenFile !== null) {
    const token = readSecret(f.bearerTokenFile, '--bearer-token-file');
    authorization = `Bearer ${token}`;
    secrets.push(token);
  } else if (f.basicAuthUser !== null && f.basicAuthPasswordFile !== null) {
    const password = readSecret(f.basicAuthPasswordFile, '--basic-auth-password-file');
    const encoded = Buffer.from(`${f.basicAuthUser}:${password}`, 'utf8').toString('base64');
    authorization = `Basic ${encoded}`;
    secrets.push(password, encoded);
  }
  const tls: TlsFiles = { insecureSkipVerify: f.insecureSkipVerify };
  if (f.caFile !== null) tls.ca = readOptionFile(f.caFile, '--ca-file');
  if (f.certFile !== null) tls.cert = readOptionFile(f.certFile, '--cert-file');
  if (f.keyFile !== null) tls.key = readOptionFile(f.keyFile, '--key-file');
  // a file that is not PEM, or a key that does not match its certificate, fails here and not on every request
  if (tls.ca !== undefined) checkCa(tls.ca, `--ca-file ${f.caFile}`);
  if (tls.cert !== undefined) checkTls({ cert: tls.cert, key: tls.key }, `--cert-file ${f.certFile} with --key-file ${f.keyFile}`);
  return { authorization, secrets, tls };
}

function checkTls(opts: { ca?: Buffer; cert?: Buffer; key?: Buffer }, what: string): void {
  try {
    createSecureContext(opts);
  } catch (e) {
    throw usageError(`${what}: not usable for TLS: ${(e as Error).message}`);
  }
}

/** node ignores a CA file without a certificate in it: say so instead. */
function checkCa(ca: Buffer, what: string): void {
  const pem = ca.toString('latin1');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw usageError(`${what}: not usable for TLS: no PEM certificate in it`);
  try {
    new X509Certificate(ca);
  } catch (e) {
    throw usageError(`${what}: not usable for TLS: ${(e as Error).message}`);
  }
  checkTls({ ca }, what);
}
