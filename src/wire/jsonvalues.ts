// JSON spellings of sample values and labels shared by the line formats.
import type { Label } from '../model/index.js';
import { STALE_NAN, isStaleNaN, isValidTimeMs, timeRangeReason } from '../model/index.js';
import { WireError } from './errors.js';

/**
 * A finite number as String(x) spells it, through JSON.stringify, which spells finite numbers
 * the same way but does not go through V8's number-to-string cache. That cache is a root for
 * the young-generation GC, so one String(x) per sample value kept every recent value's string
 * alive across scavenges: they were promoted and piled up as old-generation garbage (on a
 * 10^7-sample replay to ndjson, tens of MB between full GCs; docs/perf.md). It is faster too.
 */
export function numberText(x: number): string {
  return JSON.stringify(x);
}

/** A float as ndjson writes it (SPEC 4.4): a JSON number when finite, else "NaN", "+Inf", "-Inf", "stale". -0 keeps its sign. */
export function valueJSON(x: number): string {
  if (x - x === 0) return x === 0 && 1 / x < 0 ? '-0' : numberText(x);
  if (x !== x) return isStaleNaN(x) ? '"stale"' : '"NaN"';
  return x > 0 ? '"+Inf"' : '"-Inf"';
}

const SPECIAL: Record<string, number> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

/** Parse an ndjson value: a number, or "NaN", "+Inf", "-Inf", "stale" (case-insensitive; "Inf"/"Infinity" too). */
export function parseValue(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const k = v.trim().toLowerCase();
    if (k === 'stale') return STALE_NAN;
    const s = SPECIAL[k];
    if (s !== undefined) return s;
    if (k !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(k)) return Number(k);
  }
  throw new WireError(`${what} is not a number or one of "NaN", "+Inf", "-Inf", "stale"`);
}

/** Parse an integer field (timestamps, counts, offsets). */
export function parseInt64(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  throw new WireError(`${what} is not an integer`);
}

/** Parse a time in ms (timestamps, received_at_ms): an integer within ±MAX_TIME_MS (model/timerange.ts). */
export function parseTime(v: unknown, what: string): number {
  const t = parseInt64(v, what);
  if (!isValidTimeMs(t)) throw new WireError(timeRangeReason(what, typeof v === 'string' ? v.trim() : t));
  return t;
}

/** A JSON object of label name → string value to Labels (order kept), rejecting empty names and non-string values. */
export function parseLabels(obj: unknown, what: string): Label[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new WireError(`${what} is not an object`);
  const labels: Label[] = [];
  for (const name in obj) {
    const value = (obj as Record<string, unknown>)[name];
    if (name === '') throw new WireError(`empty label name in ${what}`);
    if (typeof value !== 'string') throw new WireError(`label "${name}" in ${what} is not a string`);
    labels.push({ name, value });
  }
  return labels;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/**
 * JSON string literal. Not cached: the writers build a series' label text once per series id
 * (their own per-run caches), so a string is quoted about once per series.
 */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** Labels as a JSON object sorted by name. */
export function labelsJSON(labels: readonly Label[]): string {
  let sorted = true;
  for (let i = 1; i < labels.length; i++) {
    if (!(labels[i - 1]!.name < labels[i]!.name)) {
      sorted = false;
      break;
    }
  }
  const ls = sorted ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = '{';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ',';
    out += quote(l.name) + ':' + quote(l.value);
  }
  return out + '}';
}

/**
 * The first repeated key inside an object held under one of `parents` (e.g. "labels",
 * "metric"), scanning the raw JSON text: JSON.parse keeps only the last of repeated keys, so a
 * duplicate label name is otherwise invisible. Returns null when there is none. Assumes `text`
 * is valid JSON (call after JSON.parse succeeded).
 */
export function duplicateLabelKey(text: string, parents: readonly string[]): string | null {
  // per nesting level: the keys seen (objects under a watched parent only), whether a key is
  // expected next, and the last key read (the parent of a nested value)
  const keys: (Set<string> | null)[] = [];
  const isObj: boolean[] = [];
  const expectKey: boolean[] = [];
  const lastKey: (string | null)[] = [];
  let depth = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      let escaped = false;
      i++;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      if (depth >= 0 && isObj[depth] && expectKey[depth]) {
        const raw = text.slice(start, i);
        const key = escaped ? (JSON.parse('"' + raw + '"') as string) : raw;
        const seen = keys[depth];
        if (seen) {
          if (seen.has(key)) return key;
          seen.add(key);
        }
        lastKey[depth] = key;
        expectKey[depth] = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = depth >= 0 ? lastKey[depth]! : null;
      depth++;
      isObj[depth] = c === 0x7b;
      expectKey[depth] = c === 0x7b;
      lastKey[depth] = null;
      keys[depth] = c === 0x7b && parent !== null && parents.includes(parent) ? new Set() : null;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */) {
      if (depth >= 0 && isObj[depth]) expectKey[depth] = true;
    }
  }
  return null;
}
