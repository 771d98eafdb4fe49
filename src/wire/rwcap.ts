// The rwcap capture format (SPEC 4.1): the 7 bytes "RWCAP1\n", then records, each a protobuf
// varint length followed by that many bytes of a CapturedRequest message:
//
//   int64  received_at_ms   = 1;  string tenant = 2; string content_type = 3;
//   string content_encoding = 4;  bytes body = 5;   map<string,string> headers = 6;
//   string remote_addr      = 7;  string path = 8;  fixed32 body_crc32 = 9;
//
// Unknown fields are skipped. The reader verifies body_crc32 when it is not 0.
import type { CapturedRequest } from '../model/index.js';
import { crc32 } from './crc32.js';
import { WireError } from './errors.js';
import { PbReader, fieldBits, skipUnknown } from './pbreader.js';
import { PbWriter } from './pbwriter.js';
import { decodeUtf8 } from './utf8.js';

/** The 7-byte file header of a capture: "RWCAP1\n". */
export const RWCAP_MAGIC: Uint8Array = new Uint8Array([0x52, 0x57, 0x43, 0x41, 0x50, 0x31, 0x0a]);

/** Header names that are never written to a capture (credentials, SPEC 4.1). */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie'];

/** The CapturedRequest message bytes, without the length prefix. Fields equal to their default are omitted; headers in insertion order. */
export function encodeCapturedRequest(req: CapturedRequest): Uint8Array {
  const w = new PbWriter(req.body.length + 256);
  writeCapturedRequest(w, req);
  return w.finish();
}

function writeCapturedRequest(w: PbWriter, req: CapturedRequest): void {
  if (req.receivedAtMs !== 0) {
    w.tag(1, 0);
    w.int64(req.receivedAtMs);
  }
  if (req.tenant !== '') {
    w.tag(2, 2);
    w.string(req.tenant);
  }
  if (req.contentType !== '') {
    w.tag(3, 2);
    w.string(req.contentType);
  }
  if (req.contentEncoding !== '') {
    w.tag(4, 2);
    w.string(req.contentEncoding);
  }
  if (req.body.length > 0) {
    w.tag(5, 2);
    w.bytes(req.body);
  }
  const names = Object.keys(req.headers); // insertion order: a decoded record re-encodes to the same bytes
  for (const name of names) {
    if (CREDENTIAL_HEADERS.includes(name.toLowerCase())) continue;
    w.tag(6, 2);
    const m = w.beginMessage();
    w.tag(1, 2);
    w.string(name);
    w.tag(2, 2);
    w.string(req.headers[name]!);
    w.endMessage(m);
  }
  if (req.remoteAddr !== '') {
    w.tag(7, 2);
    w.string(req.remoteAddr);
  }
  if (req.path !== '') {
    w.tag(8, 2);
    w.string(req.path);
  }
  if (req.bodyCrc32 !== 0) {
    w.tag(9, 5);
    w.fixed32(req.bodyCrc32);
  }
}

/**
 * One framed record: varint length + CapturedRequest bytes, ready to append after RWCAP_MAGIC.
 * `bodyCrc32` is written as given (set it with crc32(body) from ./crc32.js; 0 = not set).
 */
export function encodeCaptureRecord(req: CapturedRequest): Uint8Array {
  return encodeRecordInto(new PbWriter(req.body.length + 266), req).finish();
}

const recordWriter = new PbWriter(1 << 16);

/**
 * encodeCaptureRecord into a buffer shared by every call, for a writer that copies the bytes at
 * once: the result is valid until the next call (no allocation per record).
 */
export function encodeCaptureRecordTransient(req: CapturedRequest): Uint8Array {
  recordWriter.reset();
  encodeRecordInto(recordWriter, req);
  return recordWriter.buf.subarray(0, recordWriter.pos);
}

/** One framed record (as encodeCaptureRecord) appended to `w`, a writer the caller owns. */
export function encodeRecordInto(w: PbWriter, req: CapturedRequest): PbWriter {
  const m = w.beginMessage();
  writeCapturedRequest(w, req);
  w.endMessage(m);
  return w;
}

/** A record with its CRC set from its body: convenience for writers. */
export function withCrc(req: CapturedRequest): CapturedRequest {
  return { ...req, bodyCrc32: crc32(req.body) };
}

/**
 * Decode one CapturedRequest message (no length prefix). The body is a view into `msg`.
 * Throws WireError for malformed protobuf, invalid UTF-8 or a CRC mismatch. `info.knownEnd`: where
 * the first field this version does not know starts (msg.length when none): a length prefix
 * damaged to a larger value can swallow the next record's prefix as such a field (and the first
 * bytes of that record after it).
 */
export function decodeCapturedRequest(msg: Uint8Array, info?: { knownEnd: number }): CapturedRequest {
  const r = new PbReader(msg);
  const out: CapturedRequest = {
    receivedAtMs: 0,
    tenant: '',
    contentType: '',
    contentEncoding: '',
    body: new Uint8Array(0),
    headers: {},
    remoteAddr: '',
    path: '',
    bodyCrc32: 0,
  };
  let tail = -1; // where the first unknown field starts (-1: none)
  while (r.pos < r.end) {
    const fieldStart = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        if (wt !== 0) throw wrongType(field, wt);
        out.receivedAtMs = r.time('received_at_ms');
        continue;
      case 2:
      case 3:
      case 4:
      case 7:
      case 8: {
        if (wt !== 2) throw wrongType(field, wt);
        const s = r.delimited();
        const v = decodeUtf8(msg, s, r.fieldEnd, 'capture record');
        if (field === 2) out.tenant = v;
        else if (field === 3) out.contentType = v;
        else if (field === 4) out.contentEncoding = v;
        else if (field === 7) out.remoteAddr = v;
        else out.path = v;
        continue;
      }
      case 5:
        if (wt !== 2) throw wrongType(field, wt);
        out.body = r.bytes();
        continue;
      case 6: {
        if (wt !== 2) throw wrongType(field, wt);
        const s = r.delimited();
        const e = r.fieldEnd;
        const sub = new PbReader(msg, s, e);
        let k = '';
        let v = '';
        while (sub.pos < sub.end) {
          const t = sub.uint32();
          if (t === 10) {
            const ks = sub.delimited();
            k = decodeUtf8(msg, ks, sub.fieldEnd, 'header name');
          } else if (t === 18) {
            const vs = sub.delimited();
            v = decodeUtf8(msg, vs, sub.fieldEnd, 'header value');
          } else skipUnknown(sub, t, HEADER_FIELDS, 'capture record header');
        }
        out.headers[k] = v;
        continue;
      }
      case 9:
        if (wt !== 5) throw wrongType(field, wt);
        out.bodyCrc32 = r.fixed32();
        continue;
      default:
        if (field === 0) throw new WireError('protobuf: field number 0 in a capture record');
        break;
    }
    if (tail < 0) tail = fieldStart;
    r.skip(wt); // a field this version does not know (the format can grow)
  }
  if (info !== undefined) info.knownEnd = tail < 0 ? msg.length : tail;
  if (out.bodyCrc32 !== 0) {
    const got = crc32(out.body);
    if (got !== out.bodyCrc32) {
      throw new WireError(`body CRC-32 mismatch (record says ${hex8(out.bodyCrc32)}, body has ${hex8(got)})`);
    }
  }
  return out;
}

const HEADER_FIELDS = fieldBits(1, 2);

/** A known CapturedRequest field with another wire type than its own: damage, not an unknown field. */
function wrongType(field: number, wt: number): WireError {
  return new WireError(`protobuf: capture record field ${field} has wrong wire type ${wt}`);
}

function hex8(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
