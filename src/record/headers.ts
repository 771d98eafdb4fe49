// Which request headers go into a capture record's `headers` map (SPEC 4.1): every header,
// lower-case, except the ones stored in fields of their own and credentials.

/** Stored in their own CapturedRequest fields (content_type, content_encoding, tenant). */
const OWN_FIELD_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-encoding', 'x-scope-orgid']);

/** Never written to a capture. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The kept headers from node's `rawHeaders` ([name, value, name, value, ...]): names
 * lower-cased; a header sent more than once keeps every value, joined with ", " in the order
 * sent (the HTTP list form).
 */
export function keptHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (OWN_FIELD_HEADERS.has(name) || CREDENTIAL_HEADERS.has(name)) continue;
    const value = rawHeaders[i + 1]!;
    const prev = out[name];
    out[name] = prev === undefined ? value : `${prev}, ${value}`;
  }
  return out;
}
