// unconfigured-ha-pair (error, SPEC 12.1): among series that lack the configured replica label
// (in any tenant, whether or not it also has HA traffic), a label L and two values v1 != v2 such
// that at least 10 series arrive with L=v1 and again, otherwise identical, with L=v2 (>= 90% of
// the smaller side matched): an HA pair the tracker does not see, so both copies are kept.
//
// "Arrive ... and again" is read as two senders: L must be a sender's label, one value across
// each request (an external label is). A label that takes two values within one request
// (instance, job, ...) is dropped as a candidate the first time it does, with what it gathered,
// so two targets of one Prometheus (same series but for `instance`) are not taken for an HA pair.
// Each distinct series is looked at once, when first seen: per label L still a candidate, a hash
// of its other labels finds its twin. Memory: one map entry per (candidate label, series).
import { MISSING_REPLICA } from '../../model/index.js';
import type { Label, RequestEvent } from '../../model/index.js';
import type { Check } from '../check.js';
import { OPT, int, plural } from '../options.js';
import type { DoctorRun, TenantInfo } from '../run.js';
import { labelsRecord } from '../run.js';
import type { Example, Finding } from '../types.js';
import { MAX_EXAMPLES } from '../types.js';

/** SPEC 12.1's thresholds. */
const MIN_MATCHED = 10;
const MATCHED_SHARE = 0.9;
/** Values of one label remembered per twin key (a pair has 2; more are not an HA pair's). */
const MAX_VALUES = 8;

interface Twin {
  value: string;
  slot: number;
}

interface Candidate {
  /**
   * Hash of the other labels -> the slot first seen with them (a number: the usual case, one
   * entry per series, kept small), or the twins with their values once a second value came.
   */
  keys: Map<number, number | Twin[]>;
  /** Series seen with each value. */
  valueCount: Map<string, number>;
}

interface Match {
  label: string;
  v1: string;
  v2: string;
  matched: number;
  /** Labels (name -> value) all matched series share, besides L; null before the first. */
  common: Map<string, string> | null;
  /** Matched series that carry the configured cluster label, and its values (first few). */
  withCluster: number;
  clusterValues: Set<string>;
  examples: Example[];
}

interface TenantState {
  disqualified: Set<string>;
  candidates: Map<string, Candidate>;
  matches: Map<string, Match>;
}

/** 32-bit FNV-1a of a label, with a seed (two seeds give two independent hashes). */
function labelHash(l: Label, seed: number): number {
  let h = seed;
  const s = l.name;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h = Math.imul(h ^ 0xff, 16777619);
  const v = l.value;
  for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 16777619);
  return h >>> 0;
}
const SEED_A = 0x811c9dc5;
const SEED_B = 0x01000193 ^ 0x5bd1e995;

export class UnconfiguredHaPair implements Check {
  readonly code = 'unconfigured-ha-pair' as const;
  readonly haOffTenants = true;
  private readonly tenants: (TenantState | undefined)[] = [];
  private readonly fresh: { slot: number; labels: readonly Label[] }[] = [];
  private readonly firstValue = new Map<string, string>();

  constructor(private readonly run: DoctorRun) {}

  private state(t: TenantInfo): TenantState {
    let s = this.tenants[t.idx];
    if (s === undefined) {
      s = { disqualified: new Set(['__name__']), candidates: new Map(), matches: new Map() };
      this.tenants[t.idx] = s;
    }
    return s;
  }

  request(ev: RequestEvent): void {
    const run = this.run;
    const n = ev.request.seriesCount;
    let i = run.firstNotHa(ev);
    if (i === n) return; // every series has both HA labels: none lacks the replica label
    const slots = run.slotsOf(ev);
    if (run.slotCount === run.firstNewSlot) return; // no new series: nothing to look at
    const missing = ev.ha.missing;
    const fresh = this.fresh;
    fresh.length = 0;
    for (; i < n; i++) {
      const slot = slots[i]!;
      if (slot < run.firstNewSlot || !(missing[i]! & MISSING_REPLICA)) continue;
      fresh.push({ slot, labels: run.catalog.labels(ev.request.ids[i]!) });
    }
    if (fresh.length === 0) return;
    const st = this.state(run.tenant);
    // a sender's label has one value across a request: drop labels that take two
    if (fresh.length > 1) {
      const first = this.firstValue;
      first.clear();
      for (const f of fresh) {
        for (const l of f.labels) {
          if (st.disqualified.has(l.name)) continue;
          const v = first.get(l.name);
          if (v === undefined) first.set(l.name, l.value);
          else if (v !== l.value) {
            st.disqualified.add(l.name);
            st.candidates.delete(l.name);
            for (const [k, m] of st.matches) if (m.label === l.name) st.matches.delete(k);
          }
        }
      }
    }
    const replicaLabel = run.tenant.config.replicaLabel;
    for (const f of fresh) this.series(st, f.slot, f.labels, replicaLabel, ev.nowMs);
  }

  private series(st: TenantState, slot: number, labels: readonly Label[], replicaLabel: string, now: number): void {
    let sumA = 0;
    let sumB = 0;
    const ha: number[] = [];
    const hb: number[] = [];
    for (const l of labels) {
      // an empty replica label counts as lacking it: leave it out of the identity
      if (l.name === replicaLabel) {
        ha.push(0);
        hb.push(0);
        continue;
      }
      const a = labelHash(l, SEED_A);
      const b = labelHash(l, SEED_B);
      ha.push(a);
      hb.push(b);
      sumA = (sumA + a) >>> 0;
      sumB = (sumB + b) >>> 0;
    }
    for (let k = 0; k < labels.length; k++) {
      const l = labels[k]!;
      if (l.name === replicaLabel || st.disqualified.has(l.name)) continue;
      let cand = st.candidates.get(l.name);
      if (cand === undefined) {
        cand = { keys: new Map(), valueCount: new Map() };
        st.candidates.set(l.name, cand);
      }
      cand.valueCount.set(l.value, (cand.valueCount.get(l.value) ?? 0) + 1);
      const key = ((sumA - ha[k]!) >>> 0) * 2097152 + (((sumB - hb[k]!) >>> 0) >>> 11);
      const known = cand.keys.get(key);
      if (known === undefined) {
        cand.keys.set(key, slot);
        continue;
      }
      let twins: Twin[];
      if (typeof known === 'number') {
        twins = [{ value: this.run.catalog.labelValue(this.run.slotId.a[known]!, l.name), slot: known }];
        cand.keys.set(key, twins);
      } else twins = known;
      let present = false;
      for (const tw of twins) {
        if (tw.value === l.value) {
          present = true;
          continue;
        }
        this.match(st, l.name, tw, { value: l.value, slot }, labels, now);
      }
      if (!present && twins.length < MAX_VALUES) twins.push({ value: l.value, slot });
    }
  }

  private match(st: TenantState, label: string, a: Twin, b: Twin, labels: readonly Label[], now: number): void {
    const [v1, v2] = a.value < b.value ? [a.value, b.value] : [b.value, a.value];
    const key = label + '\xff' + v1 + '\xff' + v2;
    let m = st.matches.get(key);
    if (m === undefined) {
      m = { label, v1, v2, matched: 0, common: null, withCluster: 0, clusterValues: new Set(), examples: [] };
      st.matches.set(key, m);
    }
    m.matched++;
    const clusterLabel = this.run.tenant.config.clusterLabel;
    let cluster: string | undefined;
    if (m.common === null) {
      m.common = new Map();
      for (const l of labels) if (l.name !== label && l.name !== '__name__') m.common.set(l.name, l.value);
    } else if (m.common.size > 0) {
      const here = new Map<string, string>();
      for (const l of labels) here.set(l.name, l.value);
      for (const [k, v] of m.common) if (here.get(k) !== v) m.common.delete(k);
    }
    for (const l of labels) if (l.name === clusterLabel && l.value !== '') cluster = l.value;
    if (cluster !== undefined && label !== clusterLabel) {
      m.withCluster++;
      if (m.clusterValues.size < 10) m.clusterValues.add(cluster);
    }
    if (m.examples.length < MAX_EXAMPLES) {
      const other = this.run.slotLabels(a.slot);
      m.examples.push({ labels: labelsRecord(labels), at_ms: now, note: `the same series as ${JSON.stringify(other)} but for \`${label}\` (${a.value} / ${b.value})` });
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const t of this.run.tenantList) {
      const st = this.tenants[t.idx];
      if (st === undefined) continue;
      const byLabel = new Map<string, Match[]>();
      for (const m of st.matches.values()) {
        const cand = st.candidates.get(m.label);
        if (cand === undefined) continue;
        const smaller = Math.min(cand.valueCount.get(m.v1) ?? 0, cand.valueCount.get(m.v2) ?? 0);
        if (m.matched < MIN_MATCHED || m.matched < MATCHED_SHARE * smaller) continue;
        const list = byLabel.get(m.label) ?? [];
        list.push(m);
        byLabel.set(m.label, list);
      }
      for (const [label, ms] of byLabel) out.push(this.finding(t, label, ms));
    }
    return out;
  }

  private finding(t: TenantInfo, label: string, ms: Match[]): Finding {
    ms.sort((a, b) => b.matched - a.matched || (a.v1 < b.v1 ? -1 : 1));
    const cfg = t.config;
    const matched = ms.reduce((s, m) => s + m.matched, 0);
    const values = [...new Set(ms.flatMap((m) => [m.v1, m.v2]))].sort();
    // the cluster: the configured cluster label if those series carry it, else a label with one
    // value on all of them
    const allCarry = ms.every((m) => m.withCluster === m.matched);
    let clusterName: string | null = null;
    let clusterValue: string | null = null;
    if (allCarry && label !== cfg.clusterLabel) {
      clusterName = cfg.clusterLabel;
      const vs = new Set(ms.flatMap((m) => [...m.clusterValues]));
      if (vs.size === 1) clusterValue = [...vs][0]!;
    } else {
      let common: Map<string, string> | null = null;
      for (const m of ms) {
        if (m.common === null) continue;
        if (common === null) common = new Map(m.common);
        else for (const [k, v] of common) if (m.common.get(k) !== v) common.delete(k);
      }
      if (common !== null && common.size > 0) {
        const names = [...common.keys()].sort();
        const pick = names.find((n) => n.includes('cluster')) ?? names[0]!;
        clusterName = pick;
        clusterValue = common.get(pick)!;
      }
    }
    const override = [`ha_replica_label: ${label}`];
    if (clusterName !== null && clusterName !== cfg.clusterLabel) override.push(`ha_cluster_label: ${clusterName}`);
    const clusterText =
      clusterName === null
        ? `They share no label that could name the cluster: give both the same one (${OPT.externalLabels(`${cfg.clusterLabel}: <name>`)}).`
        : clusterName === cfg.clusterLabel
          ? `They carry the cluster label \`${clusterName}\`${clusterValue !== null ? ` (${clusterValue})` : ''} already.`
          : `As the cluster label use \`${clusterName}\`${clusterValue !== null ? ` (one value on all of them: ${clusterValue})` : ''}: ${OPT.clusterLabel(clusterName)}.`;
    return {
      code: this.code,
      severity: 'error',
      tenant: t.name,
      cluster: clusterValue,
      replica: null,
      count: matched,
      examples: ms.flatMap((m) => m.examples).slice(0, MAX_EXAMPLES),
      fix:
        `${plural(matched, 'series')} arrive twice, identical but for \`${label}\` (${values.join(' / ')}), without \`${cfg.replicaLabel}\`: ` +
        `an HA pair the tracker does not see, so every sample is kept from both. Make ${label} the replica label for tenant ${t.name}: ${OPT.replicaLabel(label)}. ${clusterText} ` +
        `In the runtime overrides: \`overrides: {${t.name}: {${override.join(', ')}}}\`, with ${OPT.acceptHa}. ` +
        `Try it here: \`--replica-label ${label}${clusterName !== null && clusterName !== cfg.clusterLabel ? ` --cluster-label ${clusterName}` : ''}\`. ` +
        `(${int(ms.length)} value ${ms.length === 1 ? 'pair' : 'pairs'} matched.)`,
    };
  }
}
