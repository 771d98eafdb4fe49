// What `record` can store as remote-write (SPEC 4.1, 4.3, 10): the Content-Type and
// Content-Encoding of a request, parsed leniently as receivers do. Anything else is answered
// 415 so the sender can fall back (vmagent retries a zstd request with snappy).

export type RemoteWriteVersion = '1.0' | '2.0';

export type ContentTypeVerdict =
  | { ok: true; version: RemoteWriteVersion }
  | { ok: false; reason: string };

const RW1_PROTO = 'prometheus.writerequest';
const RW2_PROTO = 'io.prometheus.write.v2.request';

/**
 * Classify a Content-Type header. Case-insensitive, spaces around `;` and `=` ignored, quoted
 * parameter values accepted. `application/x-protobuf` with no `proto=` or with
 * `proto=prometheus.WriteRequest` is Remote-Write 1.0; `proto=io.prometheus.write.v2.Request`
 * is 2.0. A missing header is 1.0, as Prometheus's own receiver assumes.
 */
export function classifyContentType(header: string | undefined): ContentTypeVerdict {
  if (header === undefined || header.trim() === '') return { ok: true, version: '1.0' };
  const parts = header.split(';');
  const media = parts[0]!.trim().toLowerCase();
  if (media !== 'application/x-protobuf') {
    return { ok: false, reason: `unsupported content type "${header}": expected application/x-protobuf (Remote-Write 1.0 or 2.0)` };
  }
  let version: RemoteWriteVersion = '1.0';
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    if (key !== 'proto') continue;
    let value = p.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    const v = value.toLowerCase();
    if (v === RW1_PROTO) version = '1.0';
    else if (v === RW2_PROTO) version = '2.0';
    else {
      return {
        ok: false,
        reason: `unsupported content type "${header}": proto must be prometheus.WriteRequest or io.prometheus.write.v2.Request`,
      };
    }
  }
  return { ok: true, version };
}

export type EncodingVerdict = { ok: true; encoding: '' | 'snappy' } | { ok: false; reason: string };

/** Classify a Content-Encoding header: snappy, or none (absent, empty or `identity`). */
export function classifyContentEncoding(header: string | undefined): EncodingVerdict {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return { ok: true, encoding: '' };
  if (v === 'snappy') return { ok: true, encoding: 'snappy' };
  return { ok: false, reason: `unsupported content encoding "${header}": only snappy (or none) can be stored as remote-write` };
}
