// A compact append-only log of (timestamp, kind) pairs: the report keeps one per (series,
// replica) instead of an object per sample. Each entry is the difference to the previous
// timestamp (zigzag) with the 2-bit kind, as a varint; a repeat of the previous (difference,
// kind) pair, the normal case for a regular scrape interval, only bumps a run counter.
// Token: even u -> entry w = u/2 (kind = w % 4, zigzag delta = floor(w / 4));
//        odd u  -> the previous entry repeated (u - 1) / 2 times.
// Arithmetic (not 32-bit bit operations) keeps timestamps up to 2^53 exact.

export const KIND_ACCEPTED = 0;
export const KIND_DEDUPED = 1;
export const KIND_REJECTED = 2;

export class TsLog {
  private buf: Uint8Array = new Uint8Array(8);
  private len = 0;
  private lastTs = 0;
  private prevDelta = NaN;
  private prevKind = -1;
  private run = 0;
  count = 0;

  append(ts: number, kind: number): void {
    const delta = ts - this.lastTs;
    this.lastTs = ts;
    this.count++;
    if (delta === this.prevDelta && kind === this.prevKind) {
      this.run++;
      return;
    }
    if (this.run > 0) this.flushRun();
    this.prevDelta = delta;
    this.prevKind = kind;
    const zz = delta >= 0 ? delta * 2 : -delta * 2 - 1;
    this.writeVarint((zz * 4 + kind) * 2);
  }

  private flushRun(): void {
    this.writeVarint(this.run * 2 + 1);
    this.run = 0;
  }

  private writeVarint(v: number): void {
    if (this.len + 10 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    const b = this.buf;
    let p = this.len;
    while (v >= 128) {
      b[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.len = p;
  }

  /** Bytes held (for memory accounting in tests). */
  get byteLength(): number {
    return this.buf.length;
  }

  /**
   * Decode every entry in append order into `ts`/`kinds` (which must hold `count` entries);
   * returns the count.
   */
  decode(ts: Float64Array, kinds: Uint8Array): number {
    const b = this.buf;
    const end = this.len;
    let p = 0;
    let n = 0;
    let last = 0;
    let delta = 0;
    let kind = 0;
    while (p < end) {
      let v = 0;
      let mul = 1;
      let byte: number;
      do {
        byte = b[p++]!;
        v += (byte & 127) * mul;
        mul *= 128;
      } while (byte >= 128);
      if (v % 2 === 0) {
        const w = v / 2;
        kind = w % 4;
        const zz = (w - kind) / 4;
        delta = zz % 2 === 0 ? zz / 2 : -(zz + 1) / 2;
        last += delta;
        ts[n] = last;
        kinds[n] = kind;
        n++;
      } else {
        for (let r = (v - 1) / 2; r > 0; r--) {
          last += delta;
          ts[n] = last;
          kinds[n] = kind;
          n++;
        }
      }
    }
    for (let r = this.run; r > 0; r--) {
      last += delta;
      ts[n] = last;
      kinds[n] = kind;
      n++;
    }
    return n;
  }
}
