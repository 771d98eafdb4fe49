// `--expect EXPR` (SPEC 3): CI checks over the JSON report's totals, e.g. `elections<=2`,
// `lost_samples==0`, `max_gap_ms<4.5e4`, `bad_records!=0`.
import type { TotalsReport } from './types.js';

type ExpectOp = '<' | '<=' | '==' | '!=' | '>=' | '>';

/** The operators, as --help and the error messages list them. */
export const EXPECT_OPS: readonly ExpectOp[] = ['<', '<=', '==', '!=', '>=', '>'];

export interface Expectation {
  text: string;
  key: keyof TotalsReport;
  op: ExpectOp;
  value: number;
}

interface ExpectResult {
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

// KEY OP NUMBER; NUMBER as JSON writes one, with an optional leading + (4.5e4, -1, 0.25, 1E3)
const RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** What an expression is, as the error messages and --help say it. */
function expectSyntax(): string {
  return `KEY OP NUMBER with OP one of ${EXPECT_OPS.join(' ')} and KEY one of ${EXPECT_KEYS.join(', ')}`;
}

/** Parse one expression; throws an Error whose message says what is wrong (the CLI makes it a usage error). */
export function parseExpectation(text: string): Expectation {
  const m = RE.exec(text);
  if (m === null) {
    const op = /(===|=>|=<|<>|!==|(?<![<>=!])=(?!=))/.exec(text);
    const hint = op ? ` ("${op[1]}" is not an operator)` : '';
    throw new Error(`--expect ${JSON.stringify(text)}: not ${expectSyntax()} (e.g. lost_samples==0)${hint}`);
  }
  const key = m[1]!;
  if (!(EXPECT_KEYS as readonly string[]).includes(key)) {
    throw new Error(`--expect ${JSON.stringify(text)}: unknown key "${key}"; an expression is ${expectSyntax()}`);
  }
  const value = Number(m[3]);
  if (!Number.isFinite(value)) throw new Error(`--expect ${JSON.stringify(text)}: ${m[3]} is not a finite number`);
  return { text: text.trim(), key: key as keyof TotalsReport, op: m[2] as ExpectOp, value };
}

export function checkExpectations(list: readonly Expectation[], totals: TotalsReport): ExpectResult[] {
  return list.map((e) => {
    const actual = totals[e.key];
    let ok: boolean;
    switch (e.op) {
      case '<': ok = actual < e.value; break;
      case '<=': ok = actual <= e.value; break;
      case '==': ok = actual === e.value; break;
      case '!=': ok = actual !== e.value; break;
      case '>=': ok = actual >= e.value; break;
      default: ok = actual > e.value;
    }
    return { expectation: e, actual, ok };
  });
}
