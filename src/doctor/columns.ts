// Growable typed columns: per-slot, per-series or per-pair state of a check, indexed by a dense
// id, in one typed array instead of one object per entry (memory bounded by series, not samples).

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
    if (n <= this.a.length) return;
    let cap = this.a.length * 2;
    while (cap < n) cap *= 2;
    const b = new Float64Array(cap).fill(this.fill);
    b.set(this.a);
    this.a = b;
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
    if (n <= this.a.length) return;
    let cap = this.a.length * 2;
    while (cap < n) cap *= 2;
    const b = new Int32Array(cap).fill(this.fill);
    b.set(this.a);
    this.a = b;
  }
}

export class U8Column {
  a: Uint8Array;
  constructor(capacity = 256) {
    this.a = new Uint8Array(capacity);
  }
  ensure(n: number): void {
    if (n <= this.a.length) return;
    let cap = this.a.length * 2;
    while (cap < n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.a);
    this.a = b;
  }
}
