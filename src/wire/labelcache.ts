// Cache of decoded label sets keyed by the exact bytes of a series' label fields. Repeated series
// (the same series in every scrape) decode and validate once. Lookup hashes the bytes four at a
// time and confirms a hit with a full byte comparison, so a hit is always exact.
// The cached Label[] arrays are shared between decoded requests: treat labels as immutable.
import type { Label } from '../model/index.js';

interface Entry {
  bytes: Uint8Array;
  view: DataView;
  labels: Label[];
  next: Entry | undefined;
}

export class LabelSetCache {
  private table: (Entry | undefined)[];
  private mask: number;
  private size = 0;

  constructor(private readonly maxEntries = 50_000) {
    let cap = 1;
    while (cap < maxEntries * 2) cap <<= 1;
    this.table = new Array(cap).fill(undefined);
    this.mask = cap - 1;
  }

  static hash(view: DataView, start: number, end: number): number {
    let h = (end - start) ^ 0x811c9dc5;
    let p = start;
    const stop = end - 3;
    for (; p < stop; p += 4) h = Math.imul(h ^ view.getInt32(p, true), 0x01000193) ^ (h >>> 15);
    for (; p < end; p++) h = Math.imul(h ^ view.getUint8(p), 0x01000193);
    return (h ^ (h >>> 16)) >>> 0;
  }

  get(view: DataView, start: number, end: number, hash: number): Label[] | undefined {
    const n = end - start;
    for (let e = this.table[hash & this.mask]; e !== undefined; e = e.next) {
      if (e.bytes.length !== n) continue;
      const ev = e.view;
      let i = 0;
      for (; i + 4 <= n; i += 4) if (ev.getInt32(i, true) !== view.getInt32(start + i, true)) break;
      if (i + 4 <= n) continue;
      for (; i < n; i++) if (ev.getUint8(i) !== view.getUint8(start + i)) break;
      if (i === n) return e.labels;
    }
    return undefined;
  }

  set(buf: Uint8Array, start: number, end: number, hash: number, labels: Label[]): void {
    if (this.size >= this.maxEntries) {
      this.table.fill(undefined);
      this.size = 0;
    }
    const bytes = buf.slice(start, end);
    const slot = hash & this.mask;
    this.table[slot] = { bytes, view: new DataView(bytes.buffer), labels, next: this.table[slot] };
    this.size++;
  }
}

const stripped = new WeakMap<readonly Label[], { name: string; labels: Label[] }>();

/**
 * `labels` without the label `name`, memoised per labels array: the decoders share one Label[]
 * per distinct series, so stripping the replica label through this function also yields one
 * array per distinct output series, which lets writers cache the series' JSON. Returns the same
 * array when the label is absent. Never mutate the result.
 */
export function withoutLabelShared(labels: readonly Label[], name: string): Label[] {
  const hit = stripped.get(labels);
  if (hit !== undefined && hit.name === name) return hit.labels;
  let idx = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i]!.name === name) idx = i;
  const out = idx < 0 ? (labels as Label[]) : labels.filter((l) => l.name !== name);
  stripped.set(labels, { name, labels: out });
  return out;
}
