// The counts a Remote-Write 2.0 receiver must answer with (SPEC 10): samples, histograms and
// exemplars in the request. A 2.0 sender treats a 2xx without X-Prometheus-Remote-Write-*-Written
// headers as a failure. The body is decoded with the wire layer's 2.0 decoder (the one replay
// uses), so a body answered with counts is one replay can read.
import { decodeContentEncoding } from '../wire/body.js';
import { decodeWriteRequestV2 } from '../wire/rw2.js';
import { decodeWriteRequest } from '../wire/prompb.js';
import { DEFAULT_MAX_DECODED_SIZE } from '../wire/snappy.js';

export interface Rw2Counts {
  samples: number;
  histograms: number;
  exemplars: number;
}

/** Count a 2.0 body (`encoding` "snappy" or ""). Throws WireError with a reason when it is not valid. */
export function countRw2(body: Uint8Array, encoding: '' | 'snappy', maxDecodedSize = DEFAULT_MAX_DECODED_SIZE): Rw2Counts {
  const write = decodeWriteRequestV2(decodeContentEncoding(body, encoding, maxDecodedSize));
  const counts: Rw2Counts = { samples: 0, histograms: 0, exemplars: 0 };
  for (const ts of write.timeseries) {
    counts.samples += ts.samples.length;
    counts.histograms += ts.histograms.length;
    counts.exemplars += ts.exemplars.length;
  }
  return counts;
}

/**
 * Check a 1.0 body the way a receiver does before it answers (Prometheus and Mimir answer 400 to
 * a body that does not unmarshal: nested groups never closed, wrong wire types, ...). Throws
 * WireError with a reason when it is not valid.
 */
export function checkRw1(body: Uint8Array, encoding: '' | 'snappy', maxDecodedSize = DEFAULT_MAX_DECODED_SIZE): void {
  decodeWriteRequest(decodeContentEncoding(body, encoding, maxDecodedSize, true));
}
