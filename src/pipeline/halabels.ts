// HA labels of a request's series (SPEC 6.2), read with one pair of label names: a series is HA
// when both its cluster and replica labels are present and non-empty. The values are cached per
// SeriesId (a series' labels never change within a run), so each series is scanned once per
// pair of label names, however many requests and lanes carry it.
import { MISSING_CLUSTER, MISSING_REPLICA, type DecodedRequest, type HALabels, type HAPair, type SeriesCatalog } from '../model/index.js';

export class HALabeller {
  /** Per SeriesId: the cluster and replica values ("" = missing); undefined = not read yet. */
  private readonly cluster: string[] = [];
  private readonly replica: string[] = [];

  constructor(
    private readonly catalog: SeriesCatalog,
    readonly clusterLabel: string,
    readonly replicaLabel: string,
  ) {}

  private read(id: number): void {
    // labelValue reads one label without building the set (decoders refuse duplicate names)
    const c = this.catalog.labelValue(id, this.clusterLabel);
    this.cluster[id] = c;
    this.replica[id] = this.replicaLabel === this.clusterLabel ? '' : this.catalog.labelValue(id, this.replicaLabel);
  }

  /** The HA labels of `r` (fresh arrays: valid as long as the caller keeps them). */
  label(r: DecodedRequest): HALabels {
    const n = r.seriesCount;
    const seriesPair = new Int32Array(n);
    const missing = new Uint8Array(n);
    const pairs: HAPair[] = [];
    let lastC = '';
    let lastR = '';
    let lastK = -1;
    let index: Map<string, number> | null = null;
    for (let i = 0; i < n; i++) {
      const id = r.ids[i]!;
      if (this.cluster[id] === undefined) this.read(id);
      const c = this.cluster[id]!;
      const rep = this.replica[id]!;
      if (c === '' || rep === '') {
        missing[i] = (c === '' ? MISSING_CLUSTER : 0) | (rep === '' ? MISSING_REPLICA : 0);
        seriesPair[i] = -1;
        continue;
      }
      if (lastK >= 0 && c === lastC && rep === lastR) {
        seriesPair[i] = lastK;
        continue;
      }
      let k: number | undefined;
      if (pairs.length === 0) k = undefined;
      else {
        if (index === null) {
          index = new Map();
          for (let j = 0; j < pairs.length; j++) index.set(pairKey(pairs[j]!.cluster, pairs[j]!.replica), j);
        }
        k = index.get(pairKey(c, rep));
      }
      if (k === undefined) {
        k = pairs.length;
        pairs.push({ cluster: c, replica: rep });
        index?.set(pairKey(c, rep), k);
      }
      seriesPair[i] = k;
      lastC = c;
      lastR = rep;
      lastK = k;
    }
    return { seriesPair, pairs, missing };
  }
}

function pairKey(cluster: string, replica: string): string {
  return `${cluster.length}:${cluster}${replica}`;
}
