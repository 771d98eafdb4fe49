// Reads the bundled capture for tracker tests: the rwcap framing here, the wire layer's decoders
// for the rest. Written before the pipeline's reader (src/pipeline/inputs.ts) existed and kept so
// the tracker tests depend on as little as possible; fixture.test.ts checks that both agree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WriteRequest } from '../../src/model/index.js';
import { decodeCapturedRequest, RWCAP_MAGIC } from '../../src/wire/rwcap.js';
import { snappyDecompress } from '../../src/wire/snappy.js';
import { decodeWriteRequest } from '../../src/wire/prompb.js';

export const FIXTURE = fileURLToPath(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));

export interface FixtureRequest {
  receivedAtMs: number;
  tenant: string;
  write: WriteRequest;
}

let cache: FixtureRequest[] | null = null;

/** Every request of fixtures/prom-ha-dev.rwcap, decoded, in file order. */
export function fixtureRequests(): FixtureRequest[] {
  if (cache) return cache;
  const bytes = new Uint8Array(readFileSync(FIXTURE));
  for (let i = 0; i < RWCAP_MAGIC.length; i++) if (bytes[i] !== RWCAP_MAGIC[i]) throw new Error('fixture is not an rwcap file');
  const out: FixtureRequest[] = [];
  let pos = RWCAP_MAGIC.length;
  while (pos < bytes.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    const req = decodeCapturedRequest(bytes.subarray(pos, pos + len));
    pos += len;
    const body = req.contentEncoding === 'snappy' ? snappyDecompress(req.body) : req.body;
    out.push({ receivedAtMs: req.receivedAtMs, tenant: req.tenant, write: decodeWriteRequest(body) });
  }
  cache = out;
  return out;
}
