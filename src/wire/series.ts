// The run's series registry: every distinct label set gets a dense per-run SeriesId (0, 1, 2, ...
// in order of first appearance), the SeriesCatalog every consumer reads labels through
// (src/model/decoded.ts). One registry per run, shared by every lane; nothing module-level.
//
// Identity: two label sets are the same series when they hold the same (name, value) pairs, in
// any order. The key of a set is its canonical encoding: the Remote-Write 1.0 label fields
// (`TimeSeries.labels`, field 1) of the pairs sorted by name, as Prometheus itself sends them.
// Keys live as bytes in one growing arena, found through an open-addressing hash table (the
// table doubles at half load, the arena when full: both grow with the working set, nothing is
// ever cleared). A Remote-Write 1.0 decoder looks a series up by its label bytes as they are on
// the wire (lookupWire), so a series seen before costs a hash and a byte comparison, or only the
// comparison when it follows the series that followed the same one last time (senders keep their
// series order): no label is decoded, no string is built. A wire form that is not the canonical
// one (labels out of order, an unknown field in a Label) is kept as an alias of its id.
//
// Labels are decoded from the key bytes when a consumer first asks for them (labels(id)), then
// kept; labelValue() reads one value without building the set.
import { isUtf8 } from 'node:buffer';
import type { Label, SeriesCatalog, SeriesId } from '../model/index.js';
import { PbWriter } from './pbwriter.js';
import { StringInterner } from './utf8.js';

const EMPTY = 0;

interface RegistryMark {
  ids: number;
  entries: number;
}

export class SeriesRegistry implements SeriesCatalog {
  // entries: one byte string each (a canonical key or an alias), pointing at an id
  private arena = new Uint8Array(1 << 16);
  private arenaView = new DataView(this.arena.buffer);
  private arenaLen = 0;
  private eStart = new Int32Array(1024);
  private eLen = new Int32Array(1024);
  private eHash = new Int32Array(1024);
  private eId = new Int32Array(1024);
  private entries = 0;
  /** Hash table: entry index + 1 per slot, EMPTY = 0. */
  private slots = new Int32Array(2048);
  private mask = 2047;
  // per id
  private idEntry = new Int32Array(1024);
  /** The canonical key's entry of each id (idEntry's unless the set was first seen in another form). */
  private idCanon = new Int32Array(1024);
  /** The id that followed this one last time (-1 = none): the decoders' first guess. */
  private follow = new Int32Array(1024);
  private ids = 0;
  private readonly sets: (readonly Label[] | undefined)[] = [];
  /** Label names and values of the run (never cleared: they grow with the distinct strings seen). */
  readonly strings = new StringInterner(Infinity, 256);
  private readonly scratch = new PbWriter(1024);
  private readonly nameBytes = new Map<string, Uint8Array>();
  private readonly cursor: Cursor = { v: 0 };
  /** twinId's tables, by the label name left out. */
  private readonly twins = new Map<string, TwinTable>();

  get size(): number {
    return this.ids;
  }

  /** Bytes of the arena and table (for the bench's per-series figures). */
  get byteSize(): number {
    return this.arena.length + this.slots.length * 4 + this.eStart.length * 16 + this.idEntry.length * 8;
  }

  // ---- lookup by bytes ----

  private static hash(v: DataView, b: Uint8Array, start: number, end: number): number {
    return hashBytes(v, b, start, end);
  }

  /** Whether entry e holds exactly b[start, end). */
  private same(e: number, v: DataView, b: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    return this.eLen[e] === n && sameBytes(this.arenaView, this.eStart[e]!, v, start, n);
  }

  private find(h: number, v: DataView, b: Uint8Array, start: number, end: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === EMPTY) return -1;
      const e = s - 1;
      if (this.eHash[e] === h && this.same(e, v, b, start, end)) return this.eId[e]!;
    }
  }

  /**
   * The id of a series whose label fields are b[start, end) on the wire (a run of TimeSeries
   * field-1 Labels), or -1 when these bytes were never registered. `prev` is the id of the
   * series before it in the same request (-1 for the first).
   */
  lookupWire(v: DataView, b: Uint8Array, start: number, end: number, prev: number): SeriesId {
    if (prev >= 0) {
      const g = this.follow[prev]!;
      if (g >= 0 && this.same(this.idEntry[g]!, v, b, start, end)) return g;
      const id = this.find(SeriesRegistry.hash(v, b, start, end), v, b, start, end);
      if (id >= 0) this.follow[prev] = id;
      return id;
    }
    return this.find(SeriesRegistry.hash(v, b, start, end), v, b, start, end);
  }

  /**
   * Before scanning a run of label fields at b[start...] (in a TimeSeries ending at `end`): the
   * id that followed `prev` last time, when its exact key bytes are at `start` and the run ends
   * right after them (the end of the series, or a next byte that is not a label field's tag 10),
   * else -1. Bytes equal to a registered run parse exactly as it did, so this equals scanning the
   * run and calling lookupWire, without the scan. guessedLength is then the run's length.
   */
  guessRun(v: DataView, b: Uint8Array, start: number, end: number, prev: SeriesId): SeriesId {
    if (prev < 0) return -1;
    const g = this.follow[prev]!;
    if (g < 0) return -1;
    const e = this.idEntry[g]!;
    const n = this.eLen[e]!;
    const stop = start + n;
    if (stop > end || (stop < end && b[stop] === 10)) return -1;
    if (!sameBytes(this.arenaView, this.eStart[e]!, v, start, n)) return -1;
    this.guessedLength = n;
    return g;
  }

  /** Byte length of the run matched by the last successful guessRun(). */
  guessedLength = 0;

  /** Note that `id` followed `prev` in a request (the next lookupWire's guess). */
  followed(prev: SeriesId, id: SeriesId): void {
    if (prev >= 0) this.follow[prev] = id;
  }

  /**
   * Register the series whose wire label bytes are b[start, end) and decode to `labels` (already
   * checked: names non-empty and distinct). Returns its id (a new one unless the same set was
   * seen in another form).
   */
  addWire(v: DataView, b: Uint8Array, start: number, end: number, labels: readonly Label[]): SeriesId {
    const w = this.canonical(labels);
    const cv = w.view;
    const cb = w.buf;
    const cn = w.pos;
    const wireIsCanonical = cn === end - start && this.sameBytes(cb, 0, b, start, cn);
    const ch = SeriesRegistry.hash(cv, cb, 0, cn);
    let id = this.find(ch, cv, cb, 0, cn);
    if (id < 0) {
      id = this.newId();
      const ce = this.addEntry(ch, cb, 0, cn, id);
      this.idCanon[id] = ce;
      this.idEntry[id] = wireIsCanonical ? ce : this.addEntry(SeriesRegistry.hash(v, b, start, end), b, start, end, id);
    } else if (!wireIsCanonical) {
      this.addEntry(SeriesRegistry.hash(v, b, start, end), b, start, end, id);
    }
    return id;
  }

  /**
   * Register a series by its wire label bytes b[start, end) when they are already its canonical
   * key and obviously valid, without decoding a string: every Label is exactly a non-empty
   * ASCII name (field 1) and an optional non-empty value (field 2) with minimal lengths, the
   * names strictly increasing, every value valid UTF-8. That is how Prometheus encodes them.
   * Returns the new id, or -1 when the bytes are not of that form (the caller decodes and
   * checks the labels, then calls addWire).
   */
  addCanonicalWire(v: DataView, b: Uint8Array, start: number, end: number): SeriesId {
    let p = start;
    let prevS = -1;
    let prevE = -1;
    while (p < end) {
      // b[p] is 10 (the run was found by its tags)
      p++;
      const lq = readLen(b, p, end);
      if (lq < 0) return -1;
      const len = lenOf(b, p, lq);
      p = lq;
      const lend = p + len;
      if (lend > end || p >= lend || b[p] !== 10) return -1;
      const nq = readLen(b, p + 1, lend);
      if (nq < 0) return -1;
      const nl = lenOf(b, p + 1, nq);
      const ns = nq;
      const ne = ns + nl;
      if (nl === 0 || ne > lend) return -1;
      for (let i = ns; i < ne; i++) if (b[i]! >= 0x80) return -1;
      // strictly after the previous name
      if (prevS >= 0) {
        let i = 0;
        const pl = prevE - prevS;
        for (; i < pl && i < nl; i++) if (b[prevS + i] !== b[ns + i]) break;
        if (i < pl && i < nl) {
          if (b[prevS + i]! > b[ns + i]!) return -1;
        } else if (pl >= nl) return -1;
      }
      prevS = ns;
      prevE = ne;
      p = ne;
      if (p < lend) {
        if (b[p] !== 18) return -1;
        const vq = readLen(b, p + 1, lend);
        if (vq < 0) return -1;
        const vl = lenOf(b, p + 1, vq);
        if (vl === 0 || vq + vl !== lend) return -1;
        let ascii = true;
        for (let i = vq; i < lend; i++)
          if (b[i]! >= 0x80) {
            ascii = false;
            break;
          }
        if (!ascii && !isUtf8(b.subarray(vq, lend))) return -1;
      }
      p = lend;
    }
    const id = this.newId();
    const e = this.addEntry(SeriesRegistry.hash(v, b, start, end), b, start, end, id);
    this.idCanon[id] = e;
    this.idEntry[id] = e;
    return id;
  }

  /** The id of a label set given as objects (any input format), handing out the next one for a set not seen before. */
  idOf(labels: readonly Label[]): SeriesId {
    // the set in its own order first (the usual case: sorted, so that is the canonical key)
    const w = this.scratch;
    w.reset();
    writeLabelFields(w, labels);
    const n = w.pos;
    let h = SeriesRegistry.hash(w.view, w.buf, 0, n);
    let id = this.find(h, w.view, w.buf, 0, n);
    if (id >= 0) return id;
    const given = w.buf.slice(0, n);
    const gh = h;
    const c = this.canonical(labels);
    const cn = c.pos;
    const isCanonical = cn === n && this.sameBytes(c.buf, 0, given, 0, n);
    h = SeriesRegistry.hash(c.view, c.buf, 0, cn);
    id = this.find(h, c.view, c.buf, 0, cn);
    if (id < 0) {
      id = this.newId();
      const ce = this.addEntry(h, c.buf, 0, cn, id);
      this.idCanon[id] = ce;
      this.idEntry[id] = isCanonical ? ce : this.addEntry(gh, given, 0, n, id);
    } else if (!isCanonical) {
      this.addEntry(gh, given, 0, n, id);
    }
    return id;
  }

  /** A point to roll back to (a request that turns out bad leaves no series behind). */
  mark(): RegistryMark {
    return { ids: this.ids, entries: this.entries };
  }

  /** Forget every id and entry added since `m` (ids, their entries and key bytes). */
  rollback(m: RegistryMark): void {
    if (m.entries >= this.entries) return;
    const mark = m.ids;
    const e = m.entries;
    this.entries = e;
    this.arenaLen = e === 0 ? 0 : this.eStart[e - 1]! + this.eLen[e - 1]!;
    this.ids = mark;
    this.sets.length = Math.min(this.sets.length, mark);
    for (let i = 0; i < mark; i++) if (this.follow[i]! >= mark) this.follow[i] = -1;
    this.rehash(this.slots.length);
  }

  // ---- the catalog ----

  labels(id: SeriesId): readonly Label[] {
    let s = this.sets[id];
    if (s === undefined) {
      if (!(id >= 0 && id < this.ids)) throw new RangeError(`series id ${id} is not in the catalog (size ${this.ids})`);
      s = this.decodeEntry(this.idEntry[id]!);
      this.sets[id] = s;
    }
    return s;
  }

  labelValue(id: SeriesId, name: string): string {
    const s = this.sets[id];
    if (s !== undefined) {
      for (let i = 0; i < s.length; i++) if (s[i]!.name === name) return s[i]!.value;
      return '';
    }
    if (!(id >= 0 && id < this.ids)) throw new RangeError(`series id ${id} is not in the catalog (size ${this.ids})`);
    let nb = this.nameBytes.get(name);
    if (nb === undefined) {
      nb = new TextEncoder().encode(name);
      this.nameBytes.set(name, nb);
    }
    const e = this.idEntry[id]!;
    const a = this.arena;
    const c = this.cursor;
    let p = this.eStart[e]!;
    const end = p + this.eLen[e]!;
    let value = '';
    while (p < end) {
      // Label field: tag 10, length, then name (10) / value (18) fields (entries hold bytes a
      // decoder already checked, so only the two known fields and well-formed lengths occur in
      // canonical keys; an alias may hold unknown fields, read past by their wire type)
      p = varintAt(a, p, c); // the tag (10)
      p = varintAt(a, p, c);
      const lend = p + c.v;
      let nameS = -1;
      let nameE = -1;
      let valS = -1;
      let valE = -1;
      while (p < lend) {
        p = varintAt(a, p, c);
        const tag = c.v;
        const wt = tag & 7;
        if (wt === 2) {
          p = varintAt(a, p, c);
          const l = c.v;
          if (tag === 10) {
            nameS = p;
            nameE = p + l;
          } else if (tag === 18) {
            valS = p;
            valE = p + l;
          }
          p += l;
        } else p = skipField(a, p, wt, c);
      }
      p = lend;
      const nl = nameS < 0 ? 0 : nameE - nameS;
      if (nl === nb.length) {
        let eq = true;
        for (let i = 0; i < nl; i++)
          if (a[nameS + i] !== nb[i]) {
            eq = false;
            break;
          }
        if (eq) value = valS < 0 ? '' : this.strings.decode(a, valS, valE, 'label value'); // the last occurrence wins
      }
    }
    return value;
  }

  /**
   * A dense number (0, 1, 2, ... per `drop`) that is the same for two ids exactly when their
   * label sets are the same but for label `drop` (twinKey's equality, without a string): the
   * canonical key's bytes without that label, hash-consed in a table of their own.
   */
  twinId(id: SeriesId, drop: string): number {
    if (!(id >= 0 && id < this.ids)) throw new RangeError(`series id ${id} is not in the catalog (size ${this.ids})`);
    let t = this.twins.get(drop);
    if (t === undefined) {
      t = new TwinTable(new TextEncoder().encode(drop));
      this.twins.set(drop, t);
    }
    return t.idOf(id, this.idCanon[id]!, this.arena, this.arenaView, this.eStart, this.eLen, this.cursor, this.idCanon);
  }

  // ---- internals ----

  private sameBytes(a: Uint8Array, as: number, b: Uint8Array, bs: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (a[as + i] !== b[bs + i]) return false;
    return true;
  }

  /** The canonical key of `labels` in this.scratch (sorted by name). */
  private canonical(labels: readonly Label[]): PbWriter {
    let sorted = true;
    for (let i = 1; i < labels.length; i++) {
      if (labels[i - 1]!.name > labels[i]!.name) {
        sorted = false;
        break;
      }
    }
    const ls = sorted ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const w = this.scratch;
    w.reset();
    writeLabelFields(w, ls);
    return w;
  }

  private newId(): SeriesId {
    const id = this.ids;
    if (id === this.idEntry.length) {
      this.idEntry = growI32(this.idEntry, id * 2);
      this.idCanon = growI32(this.idCanon, id * 2);
      const f = new Int32Array(id * 2).fill(-1);
      f.set(this.follow);
      this.follow = f;
    } else if (id === 0) this.follow.fill(-1);
    this.follow[id] = -1;
    this.ids = id + 1;
    return id;
  }

  private addEntry(h: number, b: Uint8Array, start: number, end: number, id: SeriesId): number {
    const n = end - start;
    if (this.arenaLen + n > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < this.arenaLen + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.arena.subarray(0, this.arenaLen));
      this.arena = next;
      this.arenaView = new DataView(next.buffer);
    }
    this.arena.set(b.subarray(start, end), this.arenaLen);
    const e = this.entries;
    if (e === this.eStart.length) {
      this.eStart = growI32(this.eStart, e * 2);
      this.eLen = growI32(this.eLen, e * 2);
      this.eHash = growI32(this.eHash, e * 2);
      this.eId = growI32(this.eId, e * 2);
    }
    this.eStart[e] = this.arenaLen;
    this.eLen[e] = n;
    this.eHash[e] = h;
    this.eId[e] = id;
    this.arenaLen += n;
    this.entries = e + 1;
    if ((e + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(e);
    return e;
  }

  private place(e: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = this.eHash[e]! & mask;
    while (slots[i] !== EMPTY) i = (i + 1) & mask;
    slots[i] = e + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let e = 0; e < this.entries; e++) this.place(e);
  }

  private decodeEntry(e: number): Label[] {
    const a = this.arena;
    const c = this.cursor;
    let p = this.eStart[e]!;
    const end = p + this.eLen[e]!;
    const out: Label[] = [];
    while (p < end) {
      p = varintAt(a, p, c); // the tag (10)
      p = varintAt(a, p, c);
      const lend = p + c.v;
      let name = '';
      let value = '';
      while (p < lend) {
        p = varintAt(a, p, c);
        const tag = c.v;
        const wt = tag & 7;
        if (wt === 2) {
          p = varintAt(a, p, c);
          const l = c.v;
          if (tag === 10) name = this.strings.decode(a, p, p + l, 'label name');
          else if (tag === 18) value = this.strings.decode(a, p, p + l, 'label value');
          p += l;
        } else p = skipField(a, p, wt, c);
      }
      p = lend;
      out.push({ name, value });
    }
    return out;
  }
}

/** The label fields of a TimeSeries (field 1), as writeLabels in prompb.ts writes them. */
function writeLabelFields(w: PbWriter, labels: readonly Label[]): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    w.uvarint(10);
    const m = w.beginMessage();
    if (l.name !== '') {
      w.buf[w.pos++] = 10;
      w.string(l.name);
    }
    if (l.value !== '') {
      w.ensure(1);
      w.buf[w.pos++] = 18;
      w.string(l.value);
    }
    w.endMessage(m);
  }
}

/**
 * Label sets without one label, hash-consed: each twin is stored as a representative id and
 * where, in that id's canonical key, the left-out label's field lies (nothing copied).
 */
class TwinTable {
  private byId = new Int32Array(1024); // twin + 1, 0 = not asked yet
  private rep = new Int32Array(1024);
  private skipAt = new Int32Array(1024); // offset of the left-out field in rep's key (-1: none)
  private skipLen = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private count = 0;
  private slots = new Int32Array(2048);
  private mask = 2047;
  private scratch = new Uint8Array(1024);
  private scratchView = new DataView(this.scratch.buffer);

  constructor(private readonly name: Uint8Array) {}

  idOf(id: number, e: number, a: Uint8Array, av: DataView, eStart: Int32Array, eLen: Int32Array, c: Cursor, idCanon: Int32Array): number {
    if (id >= this.byId.length) {
      let size = this.byId.length * 2;
      while (size <= id) size *= 2;
      this.byId = growI32(this.byId, size);
    }
    const known = this.byId[id]!;
    if (known > 0) return known - 1;
    const start = eStart[e]!;
    const end = start + eLen[e]!;
    const [at, len] = this.findField(a, start, end, c);
    // the key without the field, contiguous, in scratch
    const n = end - start - len;
    if (n > this.scratch.length) {
      let size = this.scratch.length * 2;
      while (size < n) size *= 2;
      this.scratch = new Uint8Array(size);
      this.scratchView = new DataView(this.scratch.buffer);
    }
    const sc = this.scratch;
    if (at < 0) sc.set(a.subarray(start, end), 0);
    else {
      sc.set(a.subarray(start, at), 0);
      sc.set(a.subarray(at + len, end), at - start);
    }
    const h = hashBytes(this.scratchView, sc, 0, n);
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) break;
      const t = s - 1;
      if (this.hashes[t] === h && this.sameAs(t, sc, n, a, eStart, eLen, idCanon)) {
        this.byId[id] = t + 1;
        return t;
      }
    }
    const t = this.count++;
    if (t === this.rep.length) {
      this.rep = growI32(this.rep, t * 2);
      this.skipAt = growI32(this.skipAt, t * 2);
      this.skipLen = growI32(this.skipLen, t * 2);
      this.hashes = growI32(this.hashes, t * 2);
    }
    this.rep[t] = id;
    this.skipAt[t] = at < 0 ? -1 : at - start;
    this.skipLen[t] = len;
    this.hashes[t] = h;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(t);
    this.byId[id] = t + 1;
    return t;
  }

  /** Whether twin t's bytes (its representative's key without the field) are sc[0, n). */
  private sameAs(t: number, sc: Uint8Array, n: number, a: Uint8Array, eStart: Int32Array, eLen: Int32Array, idCanon: Int32Array): boolean {
    const e = idCanon[this.rep[t]!]!;
    const start = eStart[e]!;
    const len = eLen[e]!;
    const skip = this.skipAt[t]!;
    const sl = skip < 0 ? 0 : this.skipLen[t]!;
    if (len - sl !== n) return false;
    const first = skip < 0 ? n : skip;
    for (let i = 0; i < first; i++) if (a[start + i] !== sc[i]) return false;
    for (let i = first, j = start + first + sl; i < n; i++, j++) if (a[j] !== sc[i]) return false;
    return true;
  }

  /** The Label field named this.name in a canonical key: [its offset, its length], or [-1, 0]. */
  private findField(a: Uint8Array, start: number, end: number, c: Cursor): [number, number] {
    const nb = this.name;
    let p = start;
    while (p < end) {
      const at = p;
      p = varintAt(a, p + 1, c);
      const lend = p + c.v;
      if (a[p] === 10) {
        const q = varintAt(a, p + 1, c);
        if (c.v === nb.length) {
          let eq = true;
          for (let i = 0; i < c.v; i++)
            if (a[q + i] !== nb[i]) {
              eq = false;
              break;
            }
          if (eq) return [at, lend - at];
        }
      }
      p = lend;
    }
    return [-1, 0];
  }

  private place(t: number): void {
    const mask = this.mask;
    let i = this.hashes[t]! & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = t + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let t = 0; t < this.count; t++) this.place(t);
  }
}

/** a[ao, ao + n) === b[bo, bo + n), eight bytes a step. */
function sameBytes(a: DataView, ao: number, b: DataView, bo: number, n: number): boolean {
  let i = 0;
  for (const stop = n - 7; i < stop; i += 8) {
    if (a.getInt32(ao + i, true) !== b.getInt32(bo + i, true) || a.getInt32(ao + i + 4, true) !== b.getInt32(bo + i + 4, true)) return false;
  }
  for (; i < n; i++) if (a.getUint8(ao + i) !== b.getUint8(bo + i)) return false;
  return true;
}

function hashBytes(v: DataView, b: Uint8Array, start: number, end: number): number {
  let h = (end - start) * 0x9e3779b1;
  let p = start;
  for (; p + 4 <= end; p += 4) {
    h = Math.imul(h ^ v.getInt32(p, true), 0x85ebca6b);
    h ^= h >>> 13;
  }
  for (; p < end; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  h ^= h >>> 16;
  return h | 0;
}

/** Past a minimal varint length at b[p] (below 2^28, within end), or -1. */
function readLen(b: Uint8Array, p: number, end: number): number {
  for (let i = 0; i < 4; i++) {
    if (p + i >= end) return -1;
    const c = b[p + i]!;
    if (c < 0x80) return i > 0 && c === 0 ? -1 : p + i + 1;
  }
  return -1;
}

/** The value of the varint b[p, q) (readLen's). */
function lenOf(b: Uint8Array, p: number, q: number): number {
  let v = 0;
  for (let i = q - 1; i >= p; i--) v = (v << 7) | (b[i]! & 0x7f);
  return v;
}

function growI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(a);
  return next;
}

/** Where varintAt leaves its value (one per registry: no module-level state). */
interface Cursor {
  v: number;
}

/** A varint of bytes a decoder already checked (no bounds to check), as uint32 (tags, lengths): its value in c.v, the next position returned. */
function varintAt(b: Uint8Array, p: number, c: Cursor): number {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[p++]!;
    if (shift < 32) v |= (x & 0x7f) << shift;
    if (x < 0x80) {
      c.v = v >>> 0;
      return p;
    }
    shift += 7;
  }
}

/** Past one field of wire type wt whose tag was read (bytes a decoder already checked). */
function skipField(b: Uint8Array, p: number, wt: number, c: Cursor): number {
  switch (wt) {
    case 0:
      while (b[p++]! >= 0x80);
      return p;
    case 1:
      return p + 8;
    case 5:
      return p + 4;
    case 3: {
      let depth = 1;
      for (;;) {
        p = varintAt(b, p, c);
        const t = c.v & 7;
        if (t === 3) depth++;
        else if (t === 4) {
          if (--depth === 0) return p;
        } else if (t === 2) {
          p = varintAt(b, p, c);
          p += c.v;
        } else p = skipField(b, p, t, c);
      }
    }
    default:
      return p;
  }
}
