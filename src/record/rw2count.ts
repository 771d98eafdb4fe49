// The counts a Remote-Write 2.0 receiver must answer with (SPEC 10): samples, histograms and
// exemplars in the request. A 2.0 sender treats a 2xx without X-Prometheus-Remote-Write-*-Written
// headers as a failure. This is a minimal pass over io.prometheus.write.v2.Request:
//   Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
//   TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2;
//                repeated Histogram histograms = 3; repeated Exemplar exemplars = 4;
//                Metadata metadata = 5; int64 created_timestamp = 6 (2.54 to 3.7); }
// It counts messages and checks framing only; it does not decode labels or values.
import { PbReader } from '../wire/pbreader.js';
import { snappyDecompress, DEFAULT_MAX_DECODED_SIZE } from '../wire/snappy.js';
import { WireError } from '../wire/errors.js';

export interface Rw2Counts {
  samples: number;
  histograms: number;
  exemplars: number;
}

/** Count a 2.0 body (`encoding` "snappy" or ""). Throws WireError with a reason when it is not valid. */
export function countRw2(body: Uint8Array, encoding: '' | 'snappy', maxDecodedSize = DEFAULT_MAX_DECODED_SIZE): Rw2Counts {
  const msg = encoding === 'snappy' ? snappyDecompress(body, maxDecodedSize) : body;
  const counts: Rw2Counts = { samples: 0, histograms: 0, exemplars: 0 };
  const r = new PbReader(msg);
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 5) {
      if (wt !== 2) throw new WireError(`protobuf: remote-write 2.0 timeseries field has wire type ${wt}`);
      const start = r.delimited();
      countSeries(new PbReader(msg, start, r.fieldEnd), counts);
      continue;
    }
    r.skip(wt);
  }
  return counts;
}

function countSeries(r: PbReader, counts: Rw2Counts): void {
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field >= 2 && field <= 4 && wt === 2) {
      r.delimited();
      if (field === 2) counts.samples++;
      else if (field === 3) counts.histograms++;
      else counts.exemplars++;
      continue;
    }
    r.skip(wt);
  }
}
