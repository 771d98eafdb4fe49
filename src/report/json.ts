// The versioned JSON report: keys sorted at every level, two-space indent, trailing newline.
import { stableJson } from '../model/index.js';
import type { Report } from './types.js';

export function renderJson(report: Report): string {
  return stableJson(report);
}
