// `--expect EXPR` (SPEC 3): CI checks over the JSON report's totals, e.g. `elections<=2`,
// `lost_samples==0`, `max_gap_ms<45000`.
import type { TotalsReport } from './types.js';

export type ExpectOp = '<' | '<=' | '==' | '>=' | '>';

export interface Expectation {
  text: string;
  key: keyof TotalsReport;
  op: ExpectOp;
  value: number;
}

export interface ExpectResult {
  expectation: Expectation;
  actual: number;
  ok: boolean;
}

export const EXPECT_KEYS: readonly (keyof TotalsReport)[] = [
  'accepted_samples',
  'bad_records',
  'deduped_samples',
  'elections',
  'lost_samples',
  'max_gap_ms',
  'non_ha_samples',
  'overlap_samples',
  'passthrough_samples',
  'rejected_samples',
  'requests',
  'samples',
];

const RE = /^\s*([a-z_]+)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parse one expression; throws an Error whose message says what is wrong (the CLI makes it a usage error). */
export function parseExpectation(text: string): Expectation {
  const m = RE.exec(text);
  if (m === null) {
    throw new Error(`--expect ${JSON.stringify(text)}: not KEY OP NUMBER with OP one of <, <=, ==, >=, > (e.g. lost_samples==0)`);
  }
  const key = m[1]!;
  if (!(EXPECT_KEYS as readonly string[]).includes(key)) {
    throw new Error(`--expect ${JSON.stringify(text)}: unknown key "${key}"; known keys: ${EXPECT_KEYS.join(', ')}`);
  }
  return { text: text.trim(), key: key as keyof TotalsReport, op: m[2] as ExpectOp, value: Number(m[3]) };
}

export function checkExpectations(list: readonly Expectation[], totals: TotalsReport): ExpectResult[] {
  return list.map((e) => {
    const actual = totals[e.key];
    let ok: boolean;
    switch (e.op) {
      case '<': ok = actual < e.value; break;
      case '<=': ok = actual <= e.value; break;
      case '==': ok = actual === e.value; break;
      case '>=': ok = actual >= e.value; break;
      default: ok = actual > e.value;
    }
    return { expectation: e, actual, ok };
  });
}
