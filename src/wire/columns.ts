// A decoded round-1 Request (TimeSeries objects) as the pipeline's DecodedRequest (series as
// SeriesIds, samples as columns; src/model/decoded.ts). Every request gets arrays of its own.
import type { DecodedRequest, Exemplar, Histogram, RemoteWriteVersion, Request } from '../model/index.js';
import type { SeriesRegistry } from './series.js';

export interface EnvelopeFacts {
  protocol: RemoteWriteVersion | null;
  wireBytes: number;
  decodedBytes: number;
}

export function toDecoded(req: Request, registry: SeriesRegistry, facts: EnvelopeFacts): DecodedRequest {
  const series = req.write.timeseries;
  const n = series.length;
  const ids = new Int32Array(n);
  const sampleStart = new Int32Array(n + 1);
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    samples += s.samples.length;
    histograms += s.histograms.length;
    exemplars += s.exemplars.length;
  }
  const timestamps = new Float64Array(samples);
  const values = new Float64Array(samples);
  const histogramStart = histograms > 0 ? new Int32Array(n + 1) : null;
  const hs: Histogram[] = histograms > 0 ? new Array<Histogram>(histograms) : [];
  const exemplarStart = exemplars > 0 ? new Int32Array(n + 1) : null;
  const es: Exemplar[] = exemplars > 0 ? new Array<Exemplar>(exemplars) : [];
  let k = 0;
  let h = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    ids[i] = registry.idOf(s.labels);
    sampleStart[i] = k;
    const ss = s.samples;
    for (let j = 0; j < ss.length; j++, k++) {
      const x = ss[j]!;
      timestamps[k] = x.timestamp;
      values[k] = x.value;
    }
    if (histogramStart !== null) {
      histogramStart[i] = h;
      for (const x of s.histograms) hs[h++] = x;
    }
    if (exemplarStart !== null) {
      exemplarStart[i] = e;
      for (const x of s.exemplars) es[e++] = x;
    }
  }
  sampleStart[n] = k;
  if (histogramStart !== null) histogramStart[n] = h;
  if (exemplarStart !== null) exemplarStart[n] = e;
  return {
    inputIndex: req.inputIndex,
    recordIndex: req.recordIndex,
    offset: req.offset,
    tenant: req.tenant,
    receivedAtMs: req.receivedAtMs,
    protocol: facts.protocol,
    captured: req.captured ?? null,
    wireBytes: facts.wireBytes,
    decodedBytes: facts.decodedBytes,
    seriesCount: n,
    ids,
    sampleStart,
    timestamps,
    values,
    histogramStart,
    histograms: hs,
    exemplarStart,
    exemplars: es,
    metadata: req.write.metadata,
  };
}
