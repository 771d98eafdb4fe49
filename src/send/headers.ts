// The headers send puts on a request (Remote-Write 1.0 / 2.0 specs, "reserved headers"), and
// which recorded headers --keep-headers may add to them.
import type { RemoteWriteVersion } from '../model/index.js';
import { invalidHeader } from './client.js';

const CONTENT_TYPE: Readonly<Record<RemoteWriteVersion, string>> = {
  // what Prometheus sends: the bare media type for 1.0 (the 1.0 spec's form), proto= for 2.0
  rw1: 'application/x-protobuf',
  rw2: 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
};

const REMOTE_WRITE_VERSION: Readonly<Record<RemoteWriteVersion, string>> = {
  rw1: '0.1.0',
  rw2: '2.0.0',
};

/** The response headers a 2.0 receiver must set (SPEC 10; Remote-Write 2.0 "Required Written Response Headers"). */
export const WRITTEN_HEADERS: readonly string[] = [
  'x-prometheus-remote-write-samples-written',
  'x-prometheus-remote-write-histograms-written',
  'x-prometheus-remote-write-exemplars-written',
];

/**
 * Never taken from a recording: credentials (never captured anyway, SPEC 4.1), the headers
 * the sender sets itself (a sender must not let users override reserved headers), and the
 * ones that describe the recorded connection rather than the request.
 */
const NEVER_KEPT: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'content-type',
  'content-encoding',
  'x-prometheus-remote-write-version',
  'user-agent',
  'x-scope-orgid',
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'accept-encoding',
]);

/** The recorded headers --keep-headers adds (lower-case names, filtered as above; invalid ones dropped). */
export function keptRecordedHeaders(recorded: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(recorded)) {
    const name = rawName.toLowerCase();
    if (NEVER_KEPT.has(name) || invalidHeader(name, value) !== null) continue;
    out[name] = value;
  }
  return out;
}

/** The headers of one request: reserved ones, tenant, credentials (already formed), kept ones. */
export function requestHeaders(
  protocol: RemoteWriteVersion,
  userAgent: string,
  tenant: string | null,
  authorization: string | null,
  kept: Readonly<Record<string, string>>,
  bodyLength: number,
): Record<string, string> {
  const h: Record<string, string> = { ...kept };
  h['content-type'] = CONTENT_TYPE[protocol];
  h['content-encoding'] = 'snappy';
  h['x-prometheus-remote-write-version'] = REMOTE_WRITE_VERSION[protocol];
  h['user-agent'] = userAgent;
  h['content-length'] = String(bodyLength);
  if (tenant !== null && tenant !== '') h['x-scope-orgid'] = tenant;
  if (authorization !== null) h['authorization'] = authorization;
  return h;
}
