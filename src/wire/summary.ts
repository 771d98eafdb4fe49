// What a capture holds (the data behind `ha-dedup inspect`): tenants, HA clusters and replicas,
// time span, requests, distinct series, samples, histograms, exemplars, metadata entries, bytes on
// the wire and decoded, bad records. Pure fold over decoded requests; no I/O.
import type { BadRecord, InputFormat, Label, Request } from '../model/index.js';
import { labelsKey } from '../model/index.js';

export interface SummaryOptions {
  defaultTenant: string;
  clusterLabel: string;
  replicaLabel: string;
}

interface ReplicaStats {
  requests: number;
  series: Set<string>;
  samples: number;
  histograms: number;
  firstSampleMs: number | null;
  lastSampleMs: number | null;
}

interface TenantStats {
  requests: number;
  series: Set<string>;
  samples: number;
  histograms: number;
  exemplars: number;
  metadata: number;
  nonHaSamples: number;
  clusters: Map<string, Map<string, ReplicaStats>>;
}

interface InputStats {
  path: string;
  format: InputFormat | null;
  records: number;
  badRecords: number;
}

interface SeriesInfo {
  key: string;
  cluster: string;
  replica: string;
}

const min = (a: number | null, b: number) => (a === null || b < a ? b : a);
const max = (a: number | null, b: number) => (a === null || b > a ? b : a);

export class CaptureSummary {
  private tenants = new Map<string, TenantStats>();
  private inputs: InputStats[] = [];
  private bad: BadRecord[] = [];
  private badCount = 0;
  private requests = 0;
  private wireBytes = 0;
  private decodedBytes = 0;
  private firstSampleMs: number | null = null;
  private lastSampleMs: number | null = null;
  private firstReceivedMs: number | null = null;
  private lastReceivedMs: number | null = null;

  /** Per distinct labels array (decoders share one per series): identity key and HA labels. */
  private readonly info = new WeakMap<readonly Label[], SeriesInfo>();

  constructor(private readonly opts: SummaryOptions) {}

  private seriesInfo(labels: readonly Label[]): SeriesInfo {
    let i = this.info.get(labels);
    if (i === undefined) {
      let cluster = '';
      let replica = '';
      for (const l of labels) {
        if (l.name === this.opts.clusterLabel) cluster = l.value;
        else if (l.name === this.opts.replicaLabel) replica = l.value;
      }
      i = { key: labelsKey(labels), cluster, replica };
      this.info.set(labels, i);
    }
    return i;
  }

  addInput(path: string): number {
    this.inputs.push({ path, format: null, records: 0, badRecords: 0 });
    return this.inputs.length - 1;
  }

  setFormat(inputIndex: number, format: InputFormat): void {
    this.inputs[inputIndex]!.format = format;
  }

  addBad(inputIndex: number, bad: BadRecord): void {
    this.badCount++;
    this.inputs[inputIndex]!.badRecords++;
    if (this.bad.length < 100) this.bad.push(bad);
  }

  addSizes(wireBytes: number, decodedBytes: number): void {
    this.wireBytes += wireBytes;
    this.decodedBytes += decodedBytes;
  }

  add(req: Request): void {
    this.requests++;
    this.inputs[req.inputIndex]!.records++;
    if (req.receivedAtMs !== null) {
      this.firstReceivedMs = min(this.firstReceivedMs, req.receivedAtMs);
      this.lastReceivedMs = max(this.lastReceivedMs, req.receivedAtMs);
    }
    const tenant = req.tenant ?? this.opts.defaultTenant;
    let t = this.tenants.get(tenant);
    if (t === undefined) {
      t = { requests: 0, series: new Set(), samples: 0, histograms: 0, exemplars: 0, metadata: 0, nonHaSamples: 0, clusters: new Map() };
      this.tenants.set(tenant, t);
    }
    t.requests++;
    t.metadata += req.write.metadata.length;
    const seenReplicas = new Set<ReplicaStats>();
    for (const ts of req.write.timeseries) {
      const info = this.seriesInfo(ts.labels);
      const key = info.key;
      t.series.add(key);
      const n = ts.samples.length + ts.histograms.length;
      t.samples += ts.samples.length;
      t.histograms += ts.histograms.length;
      t.exemplars += ts.exemplars.length;
      let lo = Infinity;
      let hi = -Infinity;
      const ss = ts.samples;
      for (let i = 0; i < ss.length; i++) {
        const t0 = ss[i]!.timestamp;
        if (t0 < lo) lo = t0;
        if (t0 > hi) hi = t0;
      }
      for (const h of ts.histograms) {
        if (h.timestamp < lo) lo = h.timestamp;
        if (h.timestamp > hi) hi = h.timestamp;
      }
      const has = n > 0;
      if (has) {
        this.firstSampleMs = min(this.firstSampleMs, lo);
        this.lastSampleMs = max(this.lastSampleMs, hi);
      }
      const { cluster, replica } = info;
      if (cluster === '' || replica === '') {
        t.nonHaSamples += n;
        continue;
      }
      let c = t.clusters.get(cluster);
      if (c === undefined) t.clusters.set(cluster, (c = new Map()));
      let r = c.get(replica);
      if (r === undefined) {
        r = { requests: 0, series: new Set(), samples: 0, histograms: 0, firstSampleMs: null, lastSampleMs: null };
        c.set(replica, r);
      }
      if (!seenReplicas.has(r)) {
        seenReplicas.add(r);
        r.requests++;
      }
      r.series.add(key);
      r.samples += ts.samples.length;
      r.histograms += ts.histograms.length;
      if (has) {
        r.firstSampleMs = min(r.firstSampleMs, lo);
        r.lastSampleMs = max(r.lastSampleMs, hi);
      }
    }
  }

  /** The JSON shape of `inspect --json` (version 1; rows sorted by tenant, cluster, replica). */
  toJSON(): InspectReport {
    let series = 0;
    let samples = 0;
    let histograms = 0;
    let exemplars = 0;
    let metadata = 0;
    const tenants: InspectTenant[] = [];
    for (const name of [...this.tenants.keys()].sort()) {
      const t = this.tenants.get(name)!;
      series += t.series.size;
      samples += t.samples;
      histograms += t.histograms;
      exemplars += t.exemplars;
      metadata += t.metadata;
      const clusters: InspectCluster[] = [];
      for (const cname of [...t.clusters.keys()].sort()) {
        const c = t.clusters.get(cname)!;
        clusters.push({
          cluster: cname,
          replicas: [...c.keys()].sort().map((rname) => {
            const r = c.get(rname)!;
            return {
              replica: rname,
              requests: r.requests,
              series: r.series.size,
              samples: r.samples,
              histograms: r.histograms,
              first_sample_ms: r.firstSampleMs,
              last_sample_ms: r.lastSampleMs,
            };
          }),
        });
      }
      tenants.push({
        tenant: name,
        requests: t.requests,
        series: t.series.size,
        samples: t.samples,
        histograms: t.histograms,
        exemplars: t.exemplars,
        metadata: t.metadata,
        non_ha_samples: t.nonHaSamples,
        clusters,
      });
    }
    return {
      version: 1,
      ha_labels: { cluster: this.opts.clusterLabel, replica: this.opts.replicaLabel },
      inputs: this.inputs.map((i) => ({ path: i.path, format: i.format, records: i.records, bad_records: i.badRecords })),
      totals: {
        requests: this.requests,
        series,
        samples,
        histograms,
        exemplars,
        metadata,
        bytes_wire: this.wireBytes,
        bytes_decoded: this.decodedBytes,
        bad_records: this.badCount,
      },
      time_span: {
        first_sample_ms: this.firstSampleMs,
        last_sample_ms: this.lastSampleMs,
        first_received_ms: this.firstReceivedMs,
        last_received_ms: this.lastReceivedMs,
      },
      tenants,
      bad_records: this.bad.map((b) => ({ input: b.input, index: b.index, offset: b.offset, reason: b.reason })),
    };
  }
}

export interface InspectReplica {
  replica: string;
  requests: number;
  series: number;
  samples: number;
  histograms: number;
  first_sample_ms: number | null;
  last_sample_ms: number | null;
}
export interface InspectCluster {
  cluster: string;
  replicas: InspectReplica[];
}
export interface InspectTenant {
  tenant: string;
  requests: number;
  series: number;
  samples: number;
  histograms: number;
  exemplars: number;
  metadata: number;
  non_ha_samples: number;
  clusters: InspectCluster[];
}
export interface InspectReport {
  version: 1;
  ha_labels: { cluster: string; replica: string };
  inputs: { path: string; format: InputFormat | null; records: number; bad_records: number }[];
  totals: {
    requests: number;
    series: number;
    samples: number;
    histograms: number;
    exemplars: number;
    metadata: number;
    bytes_wire: number;
    bytes_decoded: number;
    bad_records: number;
  };
  time_span: { first_sample_ms: number | null; last_sample_ms: number | null; first_received_ms: number | null; last_received_ms: number | null };
  tenants: InspectTenant[];
  bad_records: BadRecord[];
}
