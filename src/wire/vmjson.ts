// VictoriaMetrics /api/v1/export lines (SPEC 4.5): {"metric":{...},"values":[...],"timestamps":[...]}.
// Input accepts numbers, null (NaN), the strings NaN/nan/Inf/inf/Infinity/infinity with an
// optional sign, and the bare tokens NaN, +Inf, -Inf (and Inf) that older versions export, which
// are not valid JSON. Output writes ±Inf as "Infinity"/"-Infinity" and leaves NaN (stale markers
// included) out: this is the one format where a stale marker cannot survive.
import type { Label, Sample, TimeSeries } from '../model/index.js';
import { WireError } from './errors.js';
import { labelsJSON, numberText, parseLabels, parseTime, parseValue } from './jsonvalues.js';

const BARE_TOKEN = /([[,]\s*)([+-]?(?:NaN|nan|Inf|inf|Infinity|infinity))(?=\s*[,\]])/g;

/** JSON.parse, retried once with bare NaN/Inf tokens quoted (older VictoriaMetrics exports). */
export function parseVmJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Inf|nan|inf/.test(text)) throw err;
    return JSON.parse(text.replace(BARE_TOKEN, '$1"$2"'));
  }
}

/** One parsed vm-json line → one series. */
export function parseVmJsonLine(v: unknown): TimeSeries {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireError('line is not an object');
  const o = v as Record<string, unknown>;
  const labels = parseLabels(o.metric, 'metric');
  if (!Array.isArray(o.values) || !Array.isArray(o.timestamps)) throw new WireError('line needs "values" and "timestamps" arrays');
  if (o.values.length !== o.timestamps.length) {
    throw new WireError(`"values" has ${o.values.length} entries but "timestamps" has ${o.timestamps.length}`);
  }
  const samples: Sample[] = new Array(o.values.length);
  for (let i = 0; i < o.values.length; i++) {
    const raw = o.values[i];
    samples[i] = { value: raw === null ? NaN : parseValue(raw, `values[${i}]`), timestamp: parseTime(o.timestamps[i], `timestamps[${i}]`) };
  }
  return { labels, samples, exemplars: [], histograms: [] };
}

/** A vm-json value: finite numbers as numbers, ±Inf as "Infinity"/"-Infinity". NaN must be filtered by the caller. */
export function vmValue(x: number): string {
  if (x - x === 0) return x === 0 && 1 / x < 0 ? '-0' : numberText(x);
  return x > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * One export line for a series (without "\n"), or null when every value is NaN. Counts dropped
 * NaNs into `dropped`. `metricCache`: the caller's own `{"metric":{...},"values":[` per labels
 * array (decoders share one array per distinct series), kept for the caller's run.
 */
export function encodeVmJsonSeries(ts: TimeSeries, dropped: { nan: number }, metricCache: WeakMap<readonly Label[], string>): string | null {
  let values = '';
  let stamps = '';
  let n = 0;
  for (const s of ts.samples) {
    if (s.value !== s.value) {
      dropped.nan++;
      continue;
    }
    if (n > 0) {
      values += ',';
      stamps += ',';
    }
    values += vmValue(s.value);
    stamps += numberText(s.timestamp);
    n++;
  }
  if (n === 0) return null;
  let metric = metricCache.get(ts.labels);
  if (metric === undefined) {
    metric = '{"metric":' + labelsJSON(ts.labels) + ',"values":[';
    metricCache.set(ts.labels, metric);
  }
  return metric + values + '],"timestamps":[' + stamps + ']}';
}
