// The run's series registry: every distinct label set gets a dense per-run SeriesId (0, 1, 2, ...
// in order of first appearance), the SeriesCatalog every consumer reads labels through
// (src/model/decoded.ts). One registry per run, shared by every lane; nothing module-level.
//
// Identity: two label sets are the same series when they hold the same (name, value) pairs, in
// any order. The key is the pairs sorted by name, each part length-prefixed (no separator can be
// confused with a label's text). A decoder that hands out the same label array for the same
// bytes (src/wire/labelcache.ts) hits the identity cache and never builds the key again.
import type { Label, SeriesCatalog, SeriesId } from '../model/index.js';

export class SeriesRegistry implements SeriesCatalog {
  private readonly byKey = new Map<string, SeriesId>();
  /** Label arrays already seen (decoders share one array per distinct byte string). */
  private readonly byArray = new WeakMap<readonly Label[], SeriesId>();
  private readonly sets: (readonly Label[])[] = [];

  get size(): number {
    return this.sets.length;
  }

  /** The id of a label set, handing out the next one for a set not seen before. */
  idOf(labels: readonly Label[]): SeriesId {
    const known = this.byArray.get(labels);
    if (known !== undefined) return known;
    const key = SeriesRegistry.key(labels);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(labels);
      this.byKey.set(key, id);
    }
    this.byArray.set(labels, id);
    return id;
  }

  labels(id: SeriesId): readonly Label[] {
    const s = this.sets[id];
    if (s === undefined) throw new RangeError(`series id ${id} is not in the catalog (size ${this.sets.length})`);
    return s;
  }

  labelValue(id: SeriesId, name: string): string {
    const ls = this.labels(id);
    for (let i = 0; i < ls.length; i++) if (ls[i]!.name === name) return ls[i]!.value;
    return '';
  }

  private static key(labels: readonly Label[]): string {
    let sorted = true;
    for (let i = 1; i < labels.length; i++) {
      if (labels[i - 1]!.name > labels[i]!.name) {
        sorted = false;
        break;
      }
    }
    const ls = sorted ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    let key = '';
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      key += `${l.name.length}:${l.name}${l.value.length}:${l.value}`;
    }
    return key;
  }
}
