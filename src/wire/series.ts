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
import type { Label, SeriesCatalog, SeriesId } from '../model/index.js';
import { PbWriter } from './pbwriter.js';
import { StringInterner } from './utf8.js';

const EMPTY = 0;

export interface RegistryMark {
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
  /** The arena as a Buffer (latin1 slices for twinKey), remade when the arena grows. */
  private arenaBuf: Buffer | null = null;
  /** The id that followed this one last time (-1 = none): the decoders' first guess. */
  private follow = new Int32Array(1024);
  private ids = 0;
  private readonly sets: (readonly Label[] | undefined)[] = [];
  private readonly interner = new StringInterner(Infinity, 256);
  private readonly scratch = new PbWriter(1024);
  private readonly nameBytes = new Map<string, Uint8Array>();
  private readonly cursor: Cursor = { v: 0 };

  get size(): number {
    return this.ids;
  }

  /** Bytes of the arena and table (for the bench's per-series figures). */
  get byteSize(): number {
    return this.arena.length + this.slots.length * 4 + this.eStart.length * 16 + this.idEntry.length * 8;
  }

  // ---- lookup by bytes ----

  private static hash(v: DataView, b: Uint8Array, start: number, end: number): number {
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

  /** Whether entry e holds exactly b[start, end). */
  private same(e: number, v: DataView, b: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.eLen[e] !== n) return false;
    const av = this.arenaView;
    let a = this.eStart[e]!;
    let p = start;
    const stop = end - 4;
    for (; p <= stop; p += 4, a += 4) if (av.getInt32(a, true) !== v.getInt32(p, true)) return false;
    const ar = this.arena;
    for (; p < end; p++, a++) if (ar[a] !== b[p]) return false;
    return true;
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
        if (eq) value = valS < 0 ? '' : this.interner.decode(a, valS, valE, 'label value'); // the last occurrence wins
      }
    }
    return value;
  }

  /**
   * A string that is the same for two ids exactly when their label sets are the same but for
   * label `drop` (the twins of a series sent by two replicas): the canonical key's bytes without
   * that label, as latin1. For the report's per-series state (no label object built).
   */
  twinKey(id: SeriesId, drop: string): string {
    if (!(id >= 0 && id < this.ids)) throw new RangeError(`series id ${id} is not in the catalog (size ${this.ids})`);
    let nb = this.nameBytes.get(drop);
    if (nb === undefined) {
      nb = new TextEncoder().encode(drop);
      this.nameBytes.set(drop, nb);
    }
    const e = this.idCanon[id]!;
    const a = this.arena;
    const c = this.cursor;
    const start = this.eStart[e]!;
    const end = start + this.eLen[e]!;
    const ab = (this.arenaBuf ??= Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    // canonical keys hold Label fields of tag 10, each a name (10) then a value (18) field
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
          if (eq) return ab.toString('latin1', start, at) + ab.toString('latin1', lend, end);
        }
      }
      p = lend;
    }
    return ab.toString('latin1', start, end);
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
      this.arenaBuf = null;
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
          if (tag === 10) name = this.interner.decode(a, p, p + l, 'label name');
          else if (tag === 18) value = this.interner.decode(a, p, p + l, 'label value');
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
