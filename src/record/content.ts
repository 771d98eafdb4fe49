// What `record` can store as remote-write (SPEC 4.1, 4.3, 10): the Content-Type and
// Content-Encoding of a request. The content type is classified by the wire layer's own lenient
// parser (the one replay uses), so every stored record is one replay can read. Anything else is
// answered 415 so the sender can fall back (vmagent retries a zstd request with snappy).
import type { RemoteWriteVersion } from '../model/index.js';
import { remoteWriteVersion } from '../wire/body.js';

type ContentTypeVerdict = { ok: true; version: RemoteWriteVersion } | { ok: false; reason: string };

/**
 * Classify a Content-Type header. Case-insensitive, spaces around `;` and `=` ignored, quoted
 * parameter values accepted. `application/x-protobuf` with no `proto=` or with
 * `proto=prometheus.WriteRequest` is Remote-Write 1.0; `proto=io.prometheus.write.v2.Request`
 * is 2.0. A missing header is 1.0, as Prometheus's own receiver assumes.
 */
export function classifyContentType(header: string | undefined): ContentTypeVerdict {
  try {
    return { ok: true, version: remoteWriteVersion(header ?? '') };
  } catch {
    return {
      ok: false,
      reason: `unsupported content type "${header}": expected application/x-protobuf with proto=prometheus.WriteRequest (1.0) or proto=io.prometheus.write.v2.Request (2.0)`,
    };
  }
}

type EncodingVerdict = { ok: true; encoding: '' | 'snappy' } | { ok: false; reason: string };

/** Classify a Content-Encoding header: snappy, or none (absent, empty or `identity`). */
export function classifyContentEncoding(header: string | undefined): EncodingVerdict {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return { ok: true, encoding: '' };
  if (v === 'snappy') return { ok: true, encoding: 'snappy' };
  return { ok: false, reason: `unsupported content encoding "${header}": only snappy (or none) can be stored as remote-write` };
}
