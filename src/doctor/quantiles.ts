// A bounded histogram of non-negative durations (ms) for p50 / p99: exact to the millisecond
// below 2,048 ms, then 1,024 buckets per power of two (values within 0.1%, as their bucket's
// lower bound). Sparse: memory is the number of distinct buckets hit, not the number of values.

const LINEAR = 2048;
const SUB = 1024;

function bucket(v: number): number {
  if (v < LINEAR) return v;
  const e = 31 - Math.clz32(v); // >= 11
  const sub = (v >>> (e - 10)) - SUB;
  return LINEAR + (e - 11) * SUB + sub;
}

function lowerBound(b: number): number {
  if (b < LINEAR) return b;
  const e = Math.floor((b - LINEAR) / SUB) + 11;
  const sub = (b - LINEAR) % SUB;
  return (SUB + sub) * 2 ** (e - 10);
}

export class DurationHistogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  max = -Infinity;
  min = Infinity;

  add(ms: number): void {
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
    this.count++;
    const v = ms <= 0 ? 0 : ms >= 2 ** 31 - 1 ? 2 ** 31 - 1 : Math.round(ms);
    const b = bucket(v);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
  }

  /** The q-quantile by nearest rank (the value at rank ceil(q x n)), as its bucket's lower bound; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const k of keys) {
      seen += this.counts.get(k)!;
      if (seen >= rank) return lowerBound(k);
    }
    return lowerBound(keys[keys.length - 1]!);
  }
}
