// Turning an HTTP remote-write body into a WriteRequest: content type and encoding (SPEC 4.3).
import type { RemoteWriteVersion, WriteRequest } from '../model/index.js';
import { WireError } from './errors.js';
import { decodeWriteRequest } from './prompb.js';
import { decodeWriteRequestV2 } from './rw2.js';
import { snappyDecompress, snappyDecompressTransient } from './snappy.js';

/**
 * Which message a content type names, parsed leniently as receivers do: case-insensitive, spaces
 * around ";" and "=" ignored, quotes around the value allowed. Empty, "application/x-protobuf"
 * with no proto= or proto=prometheus.WriteRequest → 1.0; proto=io.prometheus.write.v2.Request
 * → 2.0. Throws WireError for another media type or proto.
 */
export function remoteWriteVersion(contentType: string): RemoteWriteVersion {
  // a capture repeats one content type on every record, in practice one of the two Prometheus
  // sends: those are answered without parsing (~15 ms of a 10^6-sample replay went to parsing
  // the same string again), with no state kept between calls
  if (contentType === RW1_CONTENT_TYPE) return 'rw1';
  if (contentType === RW2_CONTENT_TYPE) return 'rw2';
  return parseContentType(contentType);
}

/** The content types Prometheus's remote-write client sends (storage/remote/client.go). */
const RW1_CONTENT_TYPE = 'application/x-protobuf';
const RW2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

function parseContentType(contentType: string): RemoteWriteVersion {
  const ct = contentType.trim().toLowerCase();
  if (ct === '') return 'rw1';
  const parts = ct.split(';');
  const media = parts[0]!.trim();
  if (media !== 'application/x-protobuf' && media !== 'application/protobuf') {
    throw new WireError(`unsupported content type "${contentType}"`);
  }
  let proto = '';
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim();
    let value = p.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).trim();
    if (key === 'proto') proto = value;
  }
  if (proto === '' || proto === 'prometheus.writerequest') return 'rw1';
  if (proto === 'io.prometheus.write.v2.request') return 'rw2';
  throw new WireError(`unsupported content type "${contentType}" (unknown proto=)`);
}

/**
 * Decompress a body per its content encoding: "snappy" or "" (also "identity"); anything else is
 * refused by name. `transient`: decompress into a shared scratch buffer, valid until the next call.
 */
export function decodeContentEncoding(body: Uint8Array, contentEncoding: string, maxDecodedSize: number, transient = false): Uint8Array {
  const enc = contentEncoding.trim().toLowerCase();
  if (enc === 'snappy') return transient ? snappyDecompressTransient(body, maxDecodedSize) : snappyDecompress(body, maxDecodedSize);
  if (enc === '' || enc === 'identity') {
    if (body.length > maxDecodedSize) {
      throw new WireError(`body of ${body.length} bytes is over --max-decoded-size ${maxDecodedSize}`);
    }
    return body;
  }
  throw new WireError(`unsupported content encoding "${contentEncoding}"`);
}

/** Decode an uncompressed protobuf body of the given version. */
export function decodeProto(bytes: Uint8Array, version: RemoteWriteVersion): WriteRequest {
  return version === 'rw2' ? decodeWriteRequestV2(bytes) : decodeWriteRequest(bytes);
}

/** A captured HTTP body → WriteRequest, with its decompressed size. */
export function decodeCapturedBody(
  body: Uint8Array,
  contentType: string,
  contentEncoding: string,
  maxDecodedSize: number,
): { write: WriteRequest; decodedBytes: number; version: RemoteWriteVersion } {
  const version = remoteWriteVersion(contentType);
  const raw = decodeContentEncoding(body, contentEncoding, maxDecodedSize, true);
  return { write: decodeProto(raw, version), decodedBytes: raw.length, version };
}

/**
 * A bare remote-write file (SPEC 4.3): a snappy block, or — when it is not valid snappy but is
 * valid protobuf — an uncompressed body. The snappy error is reported when neither works.
 */
export function decodeRawBody(
  body: Uint8Array,
  version: RemoteWriteVersion,
  maxDecodedSize: number,
): { write: WriteRequest; decodedBytes: number } {
  let raw: Uint8Array;
  try {
    raw = snappyDecompressTransient(body, maxDecodedSize);
  } catch (snappyErr) {
    if (body.length <= maxDecodedSize) {
      try {
        return { write: decodeProto(body, version), decodedBytes: body.length };
      } catch {
        // fall through: report the snappy error
      }
    }
    throw snappyErr;
  }
  try {
    return { write: decodeProto(raw, version), decodedBytes: raw.length };
  } catch (protoErr) {
    // valid snappy framing by accident, but the uncompressed bytes may be the message itself
    try {
      return { write: decodeProto(body, version), decodedBytes: body.length };
    } catch {
      throw protoErr;
    }
  }
}
