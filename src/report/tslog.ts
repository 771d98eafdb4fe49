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

/**
 * One growable byte store shared by many logs (the ~30,000 logs of a 10^7-sample capture):
 * a Uint8Array of its own per log cost ~250 bytes of typed-array and buffer objects each,
 * several times the bytes it held. A log owns a region; a full region moves to a fresh one of
 * twice the size at the end (the old one is left unused: the store is at most ~2x the data).
 */
export class LogArena {
  bytes = new Uint8Array(64 * 1024);
  private used = 0;

  /** A region of n bytes; its offset stays valid when the store grows. */
  alloc(n: number): number {
    if (this.used + n > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.used + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  /** Bytes reserved (for memory accounting). */
  get byteLength(): number {
    return this.bytes.length;
  }
}

const FIRST_REGION = 16;

export class TsLog {
  /** This log's region of the arena: [start, start + cap), of which len bytes are written. */
  private start: number;
  private cap = FIRST_REGION;
  private len = 0;
  private lastTs = 0;
  private prevDelta = NaN;
  private prevKind = -1;
  private run = 0;
  count = 0;

  constructor(private readonly arena: LogArena = new LogArena()) {
    this.start = arena.alloc(FIRST_REGION);
  }

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
    if (this.len + 10 > this.cap) {
      const cap = this.cap * 2;
      const at = this.arena.alloc(cap);
      const b = this.arena.bytes;
      b.copyWithin(at, this.start, this.start + this.len);
      this.start = at;
      this.cap = cap;
    }
    const b = this.arena.bytes;
    let p = this.start + this.len;
    while (v >= 128) {
      b[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.len = p - this.start;
  }

  /** Bytes of the region held (for memory accounting in tests). */
  get byteLength(): number {
    return this.cap;
  }

  /**
   * Decode every entry in append order into `ts`/`kinds` (which must hold `count` entries);
   * returns the count.
   */
  decode(ts: Float64Array, kinds: Uint8Array): number {
    const b = this.arena.bytes;
    const end = this.start + this.len;
    let p = this.start;
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
