// rwcap-json (SPEC 4.2): NDJSON, one capture record per line, the rwcap field names with
// `body_base64` instead of `body`:
//   {"received_at_ms":..,"tenant":"..","content_type":"..","content_encoding":"snappy",
//    "body_base64":"..","headers":{..},"remote_addr":"..","path":"..","body_crc32":..}
import type { CapturedRequest } from '../model/index.js';
import { crc32 } from './crc32.js';
import { WireError } from './errors.js';
import { parseInt64, parseTime, quote } from './jsonvalues.js';
import { CREDENTIAL_HEADERS } from './rwcap.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new WireError(`${k} is not a string`);
  return v;
}

/** Parse one rwcap-json line (already JSON-parsed); verifies body_crc32 when set. */
export function parseRwcapJsonLine(v: unknown): CapturedRequest {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireError('line is not an object');
  const o = v as Record<string, unknown>;
  const b64 = str(o, 'body_base64').replace(/\s+/g, '');
  if (!BASE64.test(b64) || b64.length % 4 === 1) throw new WireError('body_base64 is not valid base64');
  const body = Buffer.from(b64, 'base64');
  const headers: Record<string, string> = {};
  if (o.headers !== undefined && o.headers !== null) {
    if (typeof o.headers !== 'object' || Array.isArray(o.headers)) throw new WireError('headers is not an object');
    for (const [k, hv] of Object.entries(o.headers as Record<string, unknown>)) {
      if (typeof hv !== 'string') throw new WireError(`header "${k}" is not a string`);
      headers[k] = hv;
    }
  }
  const rec: CapturedRequest = {
    receivedAtMs: o.received_at_ms === undefined || o.received_at_ms === null ? 0 : parseTime(o.received_at_ms, 'received_at_ms'),
    tenant: str(o, 'tenant'),
    contentType: str(o, 'content_type'),
    contentEncoding: str(o, 'content_encoding'),
    body,
    headers,
    remoteAddr: str(o, 'remote_addr'),
    path: str(o, 'path'),
    bodyCrc32: o.body_crc32 === undefined || o.body_crc32 === null ? 0 : parseInt64(o.body_crc32, 'body_crc32') >>> 0,
  };
  if (rec.bodyCrc32 !== 0 && crc32(body) !== rec.bodyCrc32) {
    throw new WireError(`body CRC-32 mismatch (record says 0x${rec.bodyCrc32.toString(16).padStart(8, '0')}, body has 0x${crc32(body).toString(16).padStart(8, '0')})`);
  }
  return rec;
}

/** One rwcap-json line (without "\n"); fields in rwcap field-number order, headers in their order. */
export function encodeRwcapJsonLine(rec: CapturedRequest): string {
  let h = '{';
  let first = true;
  for (const k of Object.keys(rec.headers)) {
    if (CREDENTIAL_HEADERS.includes(k.toLowerCase())) continue;
    h += (first ? '' : ',') + quote(k) + ':' + quote(rec.headers[k]!);
    first = false;
  }
  h += '}';
  return (
    '{"received_at_ms":' + rec.receivedAtMs +
    ',"tenant":' + quote(rec.tenant) +
    ',"content_type":' + quote(rec.contentType) +
    ',"content_encoding":' + quote(rec.contentEncoding) +
    ',"body_base64":"' + Buffer.from(rec.body.buffer, rec.body.byteOffset, rec.body.byteLength).toString('base64') + '"' +
    ',"headers":' + h +
    ',"remote_addr":' + quote(rec.remoteAddr) +
    ',"path":' + quote(rec.path) +
    ',"body_crc32":' + rec.bodyCrc32 + '}'
  );
}
