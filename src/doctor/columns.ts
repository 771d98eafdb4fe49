// Growable typed columns: per-slot, per-series or per-pair state of a check, indexed by a dense
// id, in one typed array instead of one object per entry (memory bounded by series, not samples).

type Typed = Float64Array | Int32Array | Uint8Array;

/** `a` itself when it holds index n - 1, else a copy at least twice as long, the rest set to `fill`. */
function grown<T extends Typed>(a: T, n: number, fill: number, make: (capacity: number) => T): T {
  if (n <= a.length) return a;
  let cap = Math.max(1, a.length * 2);
  while (cap < n) cap *= 2;
  const b = make(cap);
  b.set(a as never);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export class F64Column {
  a: Float64Array;
  constructor(
    private readonly fill: number,
    capacity = 256,
  ) {
    this.a = new Float64Array(capacity).fill(fill);
  }
  /** Make index n - 1 addressable (new entries hold the fill value). */
  ensure(n: number): void {
    this.a = grown(this.a, n, this.fill, (c) => new Float64Array(c));
  }
}

export class I32Column {
  a: Int32Array;
  constructor(
    private readonly fill: number,
    capacity = 256,
  ) {
    this.a = new Int32Array(capacity).fill(fill);
  }
  ensure(n: number): void {
    this.a = grown(this.a, n, this.fill, (c) => new Int32Array(c));
  }
}

export class U8Column {
  a = new Uint8Array(256);
  ensure(n: number): void {
    this.a = grown(this.a, n, 0, (c) => new Uint8Array(c));
  }
}
