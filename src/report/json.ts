// The versioned JSON report: keys sorted at every level, two-space indent, trailing newline.
import type { Report } from './types.js';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function renderJson(report: Report): string {
  return JSON.stringify(sortKeys(report), null, 2) + '\n';
}
