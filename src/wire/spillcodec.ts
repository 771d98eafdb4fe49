// A decoded request as bytes and back, for the pipeline's on-disk spill (src/store/spill.ts:
// `--sort`, and records without a time at the start of an input). A request from a capture is
// kept as its CapturedRequest message (the body untouched, so an rwcap output still copies it
// byte for byte) and its body decoded again when read back; any other as an uncompressed
// Remote-Write 1.0 message, which holds everything the model holds (stale NaN bits included).
import type { Request, WriteRequest } from '../model/index.js';
import { decodeCapturedBody } from './body.js';
import { decodeWriteRequest, encodeWriteRequest } from './prompb.js';
import { decodeCapturedRequest, encodeCapturedRequest } from './rwcap.js';

export const SPILL_CAPTURED = 1;
export const SPILL_WRITE = 2;

/** The bytes of a request and how they encode it (SPILL_CAPTURED or SPILL_WRITE). */
export function encodeSpilled(req: Request): { kind: number; data: Uint8Array } {
  if (req.captured !== undefined) return { kind: SPILL_CAPTURED, data: encodeCapturedRequest(req.captured) };
  return { kind: SPILL_WRITE, data: encodeWriteRequest(req.write) };
}

/** A write request from a spill record of kind SPILL_WRITE (one series of one line, say). */
export function decodeSpilledWrite(data: Uint8Array): WriteRequest {
  return decodeWriteRequest(data);
}

/** The request a spill record holds; `base` gives the fields kept beside the bytes. */
export function decodeSpilled(kind: number, data: Uint8Array, base: Omit<Request, 'write' | 'captured'>, maxDecodedSize: number): Request {
  if (kind === SPILL_WRITE) return { ...base, write: decodeWriteRequest(data) };
  const captured = decodeCapturedRequest(data);
  const { write } = decodeCapturedBody(captured.body, captured.contentType, captured.contentEncoding, maxDecodedSize);
  return { ...base, write, captured };
}
