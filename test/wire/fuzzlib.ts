// The seeded fuzz of the readers (issue 12.15), shared by test/wire/fuzz.test.ts (a short run in
// `npm test`) and test/wire/fuzz-run.ts (the long run: `node --import tsx test/wire/fuzz-run.ts
// --records 100000`). Mutations: bit flips, cuts, byte overwrites, nested groups (closed and
// never closed), wire-type swaps of real tags, huge timestamps, and, on whole capture files,
// length-prefix damage. What is checked:
// - crashes: anything but a WireError out of a decoder, any exception out of openInput;
// - stack traces: a bad-record reason holding a stack frame;
// - hangs: one decode or one file read taking longer than HANG_MS;
// - good records lost: in a capture file, a record whose bytes were not touched that is not read
//   back with its exact body;
// - wrong decodes: a mutated body our decoder accepts that protobufjs (an independent decoder,
//   bench/lib/proto.mjs) decodes to other labels, values or timestamps.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BadRecord, CapturedRequest, WriteRequest } from '../../src/model/index.js';
import { WireError } from '../../src/wire/errors.js';
import { PbReader } from '../../src/wire/pbreader.js';
import { PbWriter } from '../../src/wire/pbwriter.js';
import { RWCAP_MAGIC, decodeCapturedRequest, encodeCaptureRecord, withCrc } from '../../src/wire/rwcap.js';
import { snappyCompress, snappyDecompress } from '../../src/wire/snappy.js';
import { decodeWriteRequest, encodeWriteRequest } from '../../src/wire/prompb.js';
import { decodeWriteRequestV2, encodeWriteRequestV2 } from '../../src/wire/rw2.js';
import { decodeRawBody } from '../../src/wire/body.js';
import { openInput } from '../../src/pipeline/inputs.js';
// @ts-expect-error -- plain JS module without types (the protobufjs reflection types of the bench)
import { buildTypes } from '../../bench/lib/proto.mjs';
import { richRequest } from './helpers.js';

export const HANG_MS = 5000;

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rnd: () => number, n: number) => Math.floor(rnd() * n);

const tagCache = new WeakMap<Uint8Array, number[]>();

/** Positions of the field tags in a message and in the length-delimited fields that parse as messages (cached per source). */
export function tagPositions(buf: Uint8Array): number[] {
  let p = tagCache.get(buf);
  if (p === undefined) {
    p = findTags(buf, 4096);
    tagCache.set(buf, p);
  }
  return p;
}

function findTags(buf: Uint8Array, limit: number): number[] {
  const out: number[] = [];
  const stack: [number, number][] = [[0, buf.length]];
  while (stack.length > 0 && out.length < limit) {
    const [s, e] = stack.pop()!;
    const r = new PbReader(buf, s, e);
    const found: number[] = [];
    const subs: [number, number][] = [];
    try {
      while (r.pos < e) {
        const at = r.pos;
        const t = r.uint32();
        const wt = t & 7;
        if (t >>> 3 === 0 || wt === 3 || wt === 4) throw new Error('not a message');
        found.push(at);
        if (wt === 2) {
          const ss = r.delimited();
          if (r.fieldEnd > ss) subs.push([ss, r.fieldEnd]);
        } else r.skip(wt);
      }
    } catch {
      continue; // not a message (a string, packed numbers, bytes)
    }
    out.push(...found);
    stack.push(...subs);
  }
  return out;
}

/** One mutation of a message; `kind` names it (for the tallies). */
export function mutate(src: Uint8Array, rnd: () => number): { bytes: Uint8Array; kind: string } {
  const kind = int(rnd, 7);
  const out = Uint8Array.from(src);
  if (out.length === 0) return { bytes: out, kind: 'empty' };
  switch (kind) {
    case 0: {
      const flips = 1 + int(rnd, 4);
      for (let i = 0; i < flips; i++) out[int(rnd, out.length)] ^= 1 << int(rnd, 8);
      return { bytes: out, kind: 'bit flips' };
    }
    case 1:
      return { bytes: out.subarray(0, int(rnd, out.length)), kind: 'cut' };
    case 2:
      out[int(rnd, out.length)] = int(rnd, 256);
      return { bytes: out, kind: 'byte overwrite' };
    case 3: {
      // nested groups: 0x53 (field 10, start group) n times, closed or not, at a tag position
      const n = rnd() < 0.5 ? 10_000 + int(rnd, 10_000) : 1 + int(rnd, 50);
      const closed = rnd() < 0.5;
      const tags = tagPositions(src);
      const at = tags.length > 0 ? tags[int(rnd, tags.length)]! : 0;
      const ins = new Uint8Array(closed ? 2 * n : n).fill(0x53);
      if (closed) ins.fill(0x54, n);
      const b = new Uint8Array(out.length + ins.length);
      b.set(out.subarray(0, at));
      b.set(ins, at);
      b.set(out.subarray(at), at + ins.length);
      return { bytes: b, kind: closed ? 'closed nested groups' : 'unclosed nested groups' };
    }
    case 4:
    case 5: {
      // a wire-type swap on a real tag (its low 3 bits; one-byte tags keep the length)
      const tags = tagPositions(src).filter((p) => src[p]! < 0x80);
      if (tags.length === 0) return { bytes: out, kind: 'wire-type swap' };
      const p = tags[int(rnd, tags.length)]!;
      const wts = [0, 1, 2, 5].filter((w) => w !== (src[p]! & 7));
      out[p] = (src[p]! & ~7) | wts[int(rnd, wts.length)]!;
      return { bytes: out, kind: 'wire-type swap' };
    }
    default: {
      // a varint field set to a huge value (10-byte varint): timestamps of 2^60 and the like
      const tags = tagPositions(src).filter((p) => src[p]! < 0x80 && (src[p]! & 7) === 0);
      if (tags.length === 0) return { bytes: out, kind: 'huge varint' };
      const p = tags[int(rnd, tags.length)]!;
      const r = new PbReader(src, p + 1);
      r.uint64();
      const w = new PbWriter(16);
      w.int64(rnd() < 0.5 ? 2 ** 60 + int(rnd, 1000) : -(2 ** 55));
      const v = w.finish();
      const b = new Uint8Array(src.length - (r.pos - p - 1) + v.length);
      b.set(src.subarray(0, p + 1));
      b.set(v, p + 1);
      b.set(src.subarray(r.pos), p + 1 + v.length);
      return { bytes: b, kind: 'huge varint' };
    }
  }
}

export interface Tally {
  cases: number;
  mutatedRecords: number;
  accepted: number;
  rejected: number;
  crashes: string[];
  stackTraces: string[];
  hangs: string[];
  goodRecordsLost: number;
  lostDetails: string[];
  wrongDecodes: string[];
  referenceRefused: number;
  maxCaseMs: number;
  kinds: Record<string, number>;
}

export function newTally(): Tally {
  return { cases: 0, mutatedRecords: 0, accepted: 0, rejected: 0, crashes: [], stackTraces: [], hangs: [], goodRecordsLost: 0, lostDetails: [], wrongDecodes: [], referenceRefused: 0, maxCaseMs: 0, kinds: {} };
}

function timed(t: Tally, what: string, fn: () => void): void {
  const t0 = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > t.maxCaseMs) t.maxCaseMs = ms;
  if (ms > HANG_MS) t.hangs.push(`${what}: ${ms.toFixed(0)} ms`);
}

function onlyWireErrors(t: Tally, what: string, fn: () => unknown): unknown {
  let result: unknown = undefined;
  timed(t, what, () => {
    try {
      result = fn();
      t.accepted++;
    } catch (e) {
      if (e instanceof WireError) {
        t.rejected++;
        if (/\n\s+at /.test(e.reason)) t.stackTraces.push(`${what}: ${e.reason}`);
      } else t.crashes.push(`${what}: ${(e as Error)?.stack ?? String(e)}`);
      result = undefined;
    }
  });
  return result;
}

// ---- the independent reference ----

const types = buildTypes();
const refOpts = { longs: Number, enums: String, bytes: Buffer, defaults: true };

const sameNumber = (a: number, b: number) => (a !== a && b !== b) || Object.is(a, b) || a === b;

/** Compare our decode of an accepted 1.0 body with protobufjs's: labels, samples, histogram counts, metadata names. */
function compareWithReference(t: Tally, what: string, body: Uint8Array, ours: WriteRequest): void {
  let ref: { timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[]; histograms: unknown[]; exemplars: unknown[] }[]; metadata: { metric_family_name: string }[] };
  try {
    ref = types.WriteRequest.toObject(types.WriteRequest.decode(body), refOpts);
  } catch {
    t.referenceRefused++;
    return;
  }
  const diff = (m: string) => t.wrongDecodes.push(`${what}: ${m}`);
  if (ref.timeseries.length !== ours.timeseries.length) return diff(`series ${ours.timeseries.length} vs ${ref.timeseries.length}`);
  for (let i = 0; i < ours.timeseries.length; i++) {
    const a = ours.timeseries[i]!;
    const b = ref.timeseries[i]!;
    if (JSON.stringify(a.labels) !== JSON.stringify(b.labels.map((l) => ({ name: l.name, value: l.value })))) return diff(`series ${i} labels`);
    if (a.samples.length !== b.samples.length) return diff(`series ${i} samples ${a.samples.length} vs ${b.samples.length}`);
    for (let j = 0; j < a.samples.length; j++) {
      if (!sameNumber(a.samples[j]!.value, b.samples[j]!.value) || a.samples[j]!.timestamp !== b.samples[j]!.timestamp) return diff(`series ${i} sample ${j}`);
    }
    if (a.histograms.length !== b.histograms.length || a.exemplars.length !== b.exemplars.length) return diff(`series ${i} histograms/exemplars`);
  }
  if (ref.metadata.length !== ours.metadata.length) return diff('metadata count');
  for (let i = 0; i < ours.metadata.length; i++) if (ours.metadata[i]!.metricFamilyName !== ref.metadata[i]!.metric_family_name) return diff(`metadata ${i}`);
}

// ---- inputs ----

const FIXTURE = readFileSync(new URL('../../fixtures/prom-ha-dev.rwcap', import.meta.url));

export const fixtureMessages: Uint8Array[] = (() => {
  const out: Uint8Array[] = [];
  const r = new PbReader(FIXTURE, RWCAP_MAGIC.length);
  while (r.pos < r.end) {
    const s = r.delimited();
    out.push(FIXTURE.subarray(s, r.fieldEnd));
  }
  return out;
})();

const rawBodies: Uint8Array[] = fixtureMessages.slice(0, 24).map((m) => snappyDecompress(decodeCapturedRequest(m).body));

/** Message-level cases: mutated 1.0 / 2.0 bodies (raw and snappy) and capture envelopes. Each is one mutated record. */
export function fuzzMessages(t: Tally, seed: number, n: number): void {
  const rnd = prng(seed);
  const rich = encodeWriteRequest(richRequest());
  const rich2 = encodeWriteRequestV2(richRequest());
  const v1 = [rich, ...rawBodies];
  const v2 = [rich2, ...rawBodies.slice(0, 4).map((b) => encodeWriteRequestV2(decodeWriteRequest(b)))];
  for (let i = 0; i < n; i++) {
    const which = i % 4;
    t.cases++;
    t.mutatedRecords++;
    if (which === 0 && i % 16 === 0) {
      // a huge timestamp in a well-formed body (re-encoded): always a bad record
      const w = richRequest();
      const s = w.timeseries[int(rnd, w.timeseries.length)]!;
      const huge = [2 ** 60, -(2 ** 60), 2 ** 53 + 2, 8.64e15 + 1 + int(rnd, 1000)][int(rnd, 4)]!;
      if (s.samples.length > 0) s.samples[int(rnd, s.samples.length)]!.timestamp = huge;
      else if (s.histograms.length > 0) s.histograms[0]!.timestamp = huge;
      else s.exemplars[0]!.timestamp = huge;
      t.kinds['huge timestamp'] = (t.kinds['huge timestamp'] ?? 0) + 1;
      const body = i % 32 === 0 ? encodeWriteRequestV2(w) : encodeWriteRequest(w);
      const got = onlyWireErrors(t, `huge timestamp #${i} (seed ${seed})`, () => (i % 32 === 0 ? decodeWriteRequestV2(body) : decodeWriteRequest(body)));
      if (got !== undefined) t.wrongDecodes.push(`huge timestamp #${i} (seed ${seed}): ${huge} accepted`);
    } else if (which === 0) {
      const { bytes, kind } = mutate(v1[i % v1.length]!, rnd);
      t.kinds[kind] = (t.kinds[kind] ?? 0) + 1;
      const w = onlyWireErrors(t, `rw1 #${i} (${kind}, seed ${seed})`, () => decodeWriteRequest(bytes)) as WriteRequest | undefined;
      if (w !== undefined) compareWithReference(t, `rw1 #${i} (${kind}, seed ${seed})`, bytes, w);
    } else if (which === 1) {
      const { bytes, kind } = mutate(v2[i % v2.length]!, rnd);
      t.kinds[kind] = (t.kinds[kind] ?? 0) + 1;
      onlyWireErrors(t, `rw2 #${i} (${kind}, seed ${seed})`, () => decodeWriteRequestV2(bytes));
    } else if (which === 2) {
      const { bytes, kind } = mutate(v1[i % v1.length]!, rnd);
      t.kinds[kind] = (t.kinds[kind] ?? 0) + 1;
      const body = rnd() < 0.5 ? snappyCompress(bytes) : mutate(snappyCompress(v1[i % v1.length]!), rnd).bytes;
      onlyWireErrors(t, `raw body #${i} (${kind}, seed ${seed})`, () => decodeRawBody(body, i % 8 < 4 ? 'rw1' : 'rw2', 1 << 24));
    } else {
      const { bytes, kind } = mutate(fixtureMessages[i % fixtureMessages.length]!, rnd);
      t.kinds[kind] = (t.kinds[kind] ?? 0) + 1;
      onlyWireErrors(t, `capture record #${i} (${kind}, seed ${seed})`, () => decodeCapturedRequest(bytes));
    }
  }
}

function frame(msg: Uint8Array): Uint8Array {
  const w = new PbWriter(msg.length + 10);
  w.uvarint(msg.length);
  w.raw(msg);
  return w.finish();
}

/** A record with one sample's timestamp set to a huge value (re-encoded, so the framing is valid). */
function hugeTimestampRecord(msg: Uint8Array, rnd: () => number): Uint8Array {
  const cap: CapturedRequest = decodeCapturedRequest(msg);
  const w = decodeWriteRequest(snappyDecompress(cap.body));
  const ts = w.timeseries.filter((s) => s.samples.length > 0);
  if (ts.length === 0) return frame(msg);
  const s = ts[int(rnd, ts.length)]!;
  s.samples = s.samples.map((x) => ({ ...x, timestamp: rnd() < 0.5 ? 2 ** 60 : -1e17 }));
  return encodeCaptureRecord(withCrc({ ...cap, body: snappyCompress(encodeWriteRequest(w)) })).subarray(0); // framed
}

/**
 * File-level cases: captures of `perFile` fixture records, `damaged` of them mutated (in the
 * message, in the length prefix, or a huge timestamp); every untouched record must be read back.
 */
export async function fuzzFiles(t: Tally, seed: number, files: number, perFile = 40, damaged = 4): Promise<void> {
  const rnd = prng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-fuzz-'));
  try {
    for (let f = 0; f < files; f++) {
      const start = int(rnd, fixtureMessages.length - perFile);
      const msgs = fixtureMessages.slice(start, start + perFile);
      const hit = new Set<number>();
      while (hit.size < damaged) hit.add(int(rnd, perFile));
      const parts: Uint8Array[] = [RWCAP_MAGIC];
      const kinds: string[] = [];
      for (let i = 0; i < perFile; i++) {
        const m = msgs[i]!;
        if (!hit.has(i)) {
          parts.push(frame(m));
          continue;
        }
        const k = rnd();
        if (k < 0.35) {
          // length-prefix damage: the prefix bytes overwritten / bits flipped, the message as is
          const fr = Uint8Array.from(frame(m));
          const lb = fr.length - m.length;
          const how = int(rnd, 4);
          if (how === 0) fr[int(rnd, lb)] ^= 1 << int(rnd, 8);
          else if (how === 1) fr.fill(0xff, 0, lb);
          else if (how === 2) fr.fill(0, 0, lb);
          else fr[0] = int(rnd, 256);
          parts.push(fr);
          kinds.push('length-prefix damage');
        } else if (k < 0.5) {
          parts.push(hugeTimestampRecord(m, rnd));
          kinds.push('huge timestamp');
        } else {
          const { bytes, kind } = mutate(m, rnd);
          // half keep a matching length prefix (envelope damage), half the old one (framing damage too)
          parts.push(rnd() < 0.5 ? frame(bytes) : Uint8Array.from([...frame(m).subarray(0, frame(m).length - m.length), ...bytes]));
          kinds.push(kind);
        }
      }
      for (const k of kinds) t.kinds[`file: ${k}`] = (t.kinds[`file: ${k}`] ?? 0) + 1;
      const file = join(dir, `f${f % 4}.rwcap`);
      writeFileSync(file, Buffer.concat(parts));
      t.cases++;
      t.mutatedRecords += damaged;
      const bad: BadRecord[] = [];
      const bodies: Buffer[] = [];
      const what = `file #${f} (seed ${seed}; records ${[...hit].sort((a, b) => a - b).join(',')} of fixture ${start}..: ${kinds.join(', ')})`;
      const t0 = process.hrtime.bigint();
      try {
        for await (const r of openInput(file, 0, { format: 'rwcap', maxDecodedSize: 1 << 26, strict: false, onBadRecord: (b) => bad.push(b) })) bodies.push(Buffer.from(r.captured!.body));
      } catch (e) {
        t.crashes.push(`${what}: ${(e as Error)?.stack ?? String(e)}`);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (ms > t.maxCaseMs) t.maxCaseMs = ms;
      if (ms > HANG_MS) t.hangs.push(`${what}: ${ms.toFixed(0)} ms`);
      for (const b of bad) if (/\n\s+at /.test(b.reason)) t.stackTraces.push(`${what}: ${b.reason}`);
      // every untouched record, in order
      const got = new Set(bodies.map((b) => b.toString('base64')));
      for (let i = 0; i < perFile; i++) {
        if (hit.has(i)) continue;
        const body = Buffer.from(decodeCapturedRequest(msgs[i]!).body).toString('base64');
        if (!got.has(body)) {
          t.goodRecordsLost++;
          if (process.env.FUZZ_KEEP) writeFileSync(join(process.env.FUZZ_KEEP, `lost-${seed}-${f}.rwcap`), readFileSync(file));
          if (t.lostDetails.length < 10) t.lostDetails.push(`${what}: record ${i} lost; bad: ${JSON.stringify(bad.map((b) => `${b.index}@${b.offset}: ${b.reason}`))}`);
        }
      }
      t.accepted += bodies.length;
      t.rejected += bad.length;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per number, for the note. */
export function summary(t: Tally): string {
  return [
    `cases ${t.cases}, mutated records ${t.mutatedRecords} (accepted ${t.accepted}, rejected ${t.rejected})`,
    `crashes ${t.crashes.length}, stack traces ${t.stackTraces.length}, hangs ${t.hangs.length} (slowest case ${t.maxCaseMs.toFixed(1)} ms), good records lost ${t.goodRecordsLost}, wrong decodes vs protobufjs ${t.wrongDecodes.length} (protobufjs refused ${t.referenceRefused} that we accepted)`,
    `mutations: ${Object.entries(t.kinds).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...t.crashes.slice(0, 3),
    ...t.stackTraces.slice(0, 3),
    ...t.hangs.slice(0, 3),
    ...t.lostDetails.slice(0, 3),
    ...t.wrongDecodes.slice(0, 3),
  ].join('\n');
}
