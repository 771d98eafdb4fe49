// Opening inputs: files or stdin, gzip unwrapping, format detection (SPEC 4), streaming decode
// of every format into Requests, bad-record reporting (SPEC 10), and merging several inputs
// into one stream ordered by the clock (ties keep input order).
import { statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import type { BadRecord, CapturedRequest, InputFormat, Request } from '../model/index.js';
import { HaDedupError } from '../model/index.js';
import type { ClockOptions } from '../clock/clock.js';
import { recordTimeOrNull } from '../clock/clock.js';
import { ByteReader, type ReadIntoSource } from '../wire/bytereader.js';
import { gunzip } from '../wire/gunzip.js';
import { WireError } from '../wire/errors.js';
import { RWCAP_MAGIC, decodeCapturedRequest } from '../wire/rwcap.js';
import { captureShapeProblem, captureVarint } from '../wire/rwcapshape.js';
import { decodeCapturedBody, decodeRawBody } from '../wire/body.js';
import { NdjsonAssembler, parseNdjsonLine, type AssembledRequest } from '../wire/ndjson.js';
import { parseVmJsonLine, parseVmJsonText } from '../wire/vmjson.js';
import { parseRwcapJsonLine } from '../wire/rwcapjson.js';
import { duplicateLabelKey } from '../wire/jsonvalues.js';
import { decodeSpilled, encodeSpilled } from '../wire/spillcodec.js';
import { DEFAULT_MAX_DECODED_SIZE } from '../wire/snappy.js';
import { RecordSpill, type SpillRow } from '../store/spill.js';

/** JSON keys whose object values are label sets (ndjson series and exemplar labels, vm-json metric). */
const LABEL_PARENTS: readonly string[] = ['labels', 'metric'];

export const INPUT_FORMATS: readonly InputFormat[] = ['rwcap', 'rwcap-json', 'remote-write', 'remote-write2', 'ndjson', 'vm-json'];

/** A bad record plus whether its index is a record index or a line number. */
export interface InputBadRecord extends BadRecord {
  unit: 'record' | 'line';
}

export interface ReadOptions {
  format: InputFormat | 'auto';
  /** Largest decoded body / line accepted (`--max-decoded-size`), bytes. */
  maxDecodedSize: number;
  /** Throw HaDedupError('input') at the first bad record instead of reporting it. */
  strict: boolean;
  /** Called for every bad record (not in strict mode). `bad` is an InputBadRecord. */
  onBadRecord(bad: BadRecord): void;
  /** What an input "-" reads (default: process.stdin). */
  stdin?: AsyncIterable<Uint8Array>;
  /** Called once the input's format is known (after detection). */
  onFormat?(fmt: InputFormat): void;
  /** A warning about the input that is not a bad record (an ndjson request split), without "ha-dedup: warning: ". */
  onWarning?(text: string): void;
  /** Called for every yielded request with its body size on the wire and decoded (for inspect). */
  onSizes?(req: Request, wireBytes: number, decodedBytes: number): void;
}

/** The warning line for a bad record (without the trailing newline). */
export function formatBadRecord(bad: BadRecord): string {
  return `ha-dedup: warning: ${badRecordText(bad)}`;
}

/** "<input>: record <i> at byte <offset>: <reason>" (or "line <n>" for line formats). */
export function badRecordText(bad: BadRecord): string {
  const unit = (bad as Partial<InputBadRecord>).unit ?? 'record';
  return `${bad.input}: ${unit} ${bad.index} at byte ${bad.offset}: ${bad.reason}`;
}

/** Warning lines per input about bad records; the rest are counted in one line (issue 12.6). */
export const MAX_WARNED_BAD = 20;

/**
 * The bad-record warnings of a run: the first MAX_WARNED_BAD lines of each input, then (finish())
 * one "… N more bad records" line per input that had more. The count and the list in the report
 * are kept apart from this (engine.ts: all counted, the first MAX_LISTED_BAD listed).
 */
export class BadRecordWarnings {
  private readonly perInput = new Map<string, number>();
  constructor(private readonly warn: (line: string) => void) {}

  bad(bad: BadRecord): void {
    const n = (this.perInput.get(bad.input) ?? 0) + 1;
    this.perInput.set(bad.input, n);
    if (n <= MAX_WARNED_BAD) this.warn(formatBadRecord(bad));
  }

  /** `stream`, then the "… N more" lines once it ends (also by an error, or when its reader stops early). */
  async *around<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
    try {
      yield* stream;
    } finally {
      this.finish();
    }
  }

  /** The "… N more" lines; the counts start again after. */
  finish(): void {
    for (const [input, n] of this.perInput) {
      if (n > MAX_WARNED_BAD) this.warn(`ha-dedup: warning: ${input}: … ${n - MAX_WARNED_BAD} more bad records`);
    }
    this.perInput.clear();
  }
}

/** Whether records of this format carry a receive time (for the `--clock` default). ndjson may. */
export function formatHasReceiveTimes(fmt: InputFormat): boolean {
  return fmt === 'rwcap' || fmt === 'rwcap-json';
}

/** Fail early (exit 3, one line) on a missing, unreadable or directory input. "-" is stdin. */
export function checkInputs(paths: readonly string[]): void {
  for (const p of paths) {
    if (p === '-') continue;
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw fsError(p, e);
    }
    if (st.isDirectory()) throw new HaDedupError('input', `${p}: is a directory, not an input file`);
  }
}

function fsError(path: string, e: unknown): HaDedupError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new HaDedupError('input', `${path}: no such file`);
  if (code === 'EISDIR') return new HaDedupError('input', `${path}: is a directory, not an input file`);
  if (code === 'EACCES' || code === 'EPERM') return new HaDedupError('input', `${path}: permission denied`);
  return new HaDedupError('input', `${path}: cannot read: ${(e as Error).message}`);
}

function isFsError(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && (e as { syscall?: string }).syscall !== undefined;
}

function isZlibError(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function openSource(path: string, stdin: AsyncIterable<Uint8Array> | undefined): AsyncIterable<Uint8Array> | ReadIntoSource {
  if (path === '-') return stdin ?? process.stdin;
  return fileSource(path);
}

/** A file read straight into the ByteReader's own buffer (no chunk allocated per read). */
function fileSource(path: string): ReadIntoSource {
  let handle: Promise<FileHandle> | null = null;
  let closed = false;
  return {
    async readInto(buf, offset, length) {
      if (closed) return 0;
      handle ??= open(path, 'r');
      const { bytesRead } = await (await handle).read(buf, offset, length, null);
      return bytesRead;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (handle !== null) await (await handle).close();
    },
  };
}

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;

/** Bad records at the start of an input (none good before them) after which a forced --format gives up. */
export const MAX_LEADING_BAD = 100;

/** The one error of an input auto-detection could not place (issue 12.6). */
function notRecognised(path: string): HaDedupError {
  return new HaDedupError('input', `${path}: not a recognised input (${INPUT_FORMATS.join(', ')}); use --format`);
}

class Ctx {
  bad = 0;
  /** Records read well (for a line format: lines that parsed). */
  good = 0;
  /** The format given with --format (null: detected). */
  forced: InputFormat | null = null;
  /** Warnings of split ndjson requests given so far. */
  splits = 0;
  private firstReason = '';
  /** Where the reader is (for errors of the stream itself, e.g. a truncated gzip). */
  unit: 'record' | 'line' = 'record';
  index = 0;
  offset = 0;
  at(unit: 'record' | 'line', index: number, offset: number): void {
    this.unit = unit;
    this.index = index;
    this.offset = offset;
  }
  constructor(
    readonly path: string,
    readonly inputIndex: number,
    readonly opts: ReadOptions,
  ) {}
  report(unit: 'record' | 'line', index: number, offset: number, reason: string): void {
    const bad: InputBadRecord = { input: this.path, index, offset, reason, unit };
    if (this.opts.strict) throw new HaDedupError('input', `${badRecordText(bad)} (--strict)`);
    if (this.bad === 0) this.firstReason = reason;
    this.bad++;
    this.opts.onBadRecord(bad);
    if (this.forced !== null && this.good === 0 && this.bad >= MAX_LEADING_BAD) {
      throw new HaDedupError('input', `${this.path}: does not look like ${this.forced}: its first ${this.bad} records are all bad (the first: ${this.firstReason}); check --format`);
    }
  }
}

/**
 * Read one input as a stream of decoded Requests. Bad records go to opts.onBadRecord (or throw
 * HaDedupError('input') in strict mode); a missing/unreadable file or a directory throws
 * HaDedupError('input') on first iteration. `path` "-" reads stdin.
 */
export async function* openInput(path: string, inputIndex: number, opts: ReadOptions): AsyncGenerator<Request> {
  const ctx = new Ctx(path, inputIndex, opts);
  if (path !== '-') checkInputs([path]);
  let reader = new ByteReader(openSource(path, opts.stdin));
  const outer: ByteReader[] = []; // the compressed layers under a gzip input
  try {
    let format = opts.format;
    for (let depth = 0; ; depth++) {
      const have = await reader.ensure(2);
      if (!have && reader.available === 0) {
        ctx.report('record', 0, 0, depth === 0 ? 'empty input' : 'empty input (after gzip)');
        return;
      }
      const head = reader.peek(2);
      if (depth < 4 && head.length === 2 && head[0] === GZIP_MAGIC0 && head[1] === GZIP_MAGIC1) {
        // member by member: damage after the compressed data loses nothing (wire/gunzip.ts)
        outer.push(reader);
        reader = new ByteReader(gunzip(reader, (reason) => ctx.report(ctx.unit, ctx.index, ctx.offset, reason)));
        continue;
      }
      break;
    }
    const detected = format === 'auto';
    if (format === 'auto') format = await detect(reader, opts.maxDecodedSize);
    else ctx.forced = format;
    opts.onFormat?.(format);
    switch (format) {
      case 'rwcap':
        yield* readRwcap(reader, ctx);
        break;
      case 'rwcap-json':
      case 'ndjson':
      case 'vm-json':
        yield* readLines(reader, ctx, format);
        break;
      case 'remote-write':
      case 'remote-write2':
        yield* readRemoteWrite(reader, ctx, format === 'remote-write2' ? 'rw2' : 'rw1', detected);
        break;
    }
  } catch (e) {
    if (e instanceof HaDedupError) throw e;
    if (isZlibError(e)) {
      ctx.report(ctx.unit, ctx.index, ctx.offset, `gzip: ${(e as Error).message}`);
      return;
    }
    if (isFsError(e)) throw fsError(path, e);
    throw e;
  } finally {
    await reader.close().catch(() => undefined);
    for (const o of outer) await o.close().catch(() => undefined);
  }
}

/** SPEC 4 detection on the buffered head of an input (nothing is consumed). */
async function detect(reader: ByteReader, maxLine: number): Promise<InputFormat> {
  await reader.ensure(RWCAP_MAGIC.length);
  const head = reader.peek(RWCAP_MAGIC.length);
  if (head.length === RWCAP_MAGIC.length && head.every((b, i) => b === RWCAP_MAGIC[i])) return 'rwcap';
  // skip leading whitespace, then a JSON object on the first line?
  const first = reader.peek(1);
  if (first.length === 0) return 'remote-write';
  let buf = reader.peek(reader.available);
  let ws = hasBom(buf) ? 3 : 0;
  while (ws < buf.length && (buf[ws] === 0x20 || buf[ws] === 0x09 || buf[ws] === 0x0d || buf[ws] === 0x0a)) ws++;
  if (ws >= buf.length || buf[ws] !== 0x7b /* { */) return 'remote-write';
  // read up to the end of the first line
  let nl = buf.indexOf(10, ws);
  while (nl < 0 && buf.length < maxLine) {
    if (!(await reader.more())) break;
    buf = reader.peek(reader.available);
    nl = buf.indexOf(10, ws);
  }
  if (nl < 0 && !reader.sourceDone) {
    // a first line longer than can be held: decide on the keys in what is buffered of it (it is
    // reported as an over-long line by the line reader; the lines after it are read as usual)
    return detectFromKeys(buf.subarray(ws));
  }
  const line = buf.subarray(ws, nl < 0 ? buf.length : nl);
  if (!isUtf8(line)) return 'remote-write';
  let obj: unknown;
  try {
    obj = parseVmJsonText(line.toString('utf8'));
  } catch {
    return 'remote-write';
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return 'remote-write';
  const o = obj as Record<string, unknown>;
  if ('body_base64' in o) return 'rwcap-json';
  if ('metric' in o && 'values' in o) return 'vm-json';
  if ('labels' in o || 'metadata' in o) return 'ndjson';
  return 'remote-write';
}

const DETECT_KEYS: readonly [string, InputFormat, boolean][] = [
  ['"body_base64"', 'rwcap-json', false],
  ['"metric"', 'vm-json', true],
  ['"labels"', 'ndjson', true],
  ['"metadata"', 'ndjson', true],
];

/**
 * The format of a first line too long to parse, by the earliest key in its buffered start that
 * names one: "body_base64" (rwcap-json), "metric" with an object value (vm-json), "labels" or
 * "metadata" with an object value (ndjson); else remote-write.
 */
function detectFromKeys(prefix: Buffer): InputFormat {
  let best = -1;
  let format: InputFormat = 'remote-write';
  for (const [key, fmt, object] of DETECT_KEYS) {
    for (let at = prefix.indexOf(key); at >= 0 && (best < 0 || at < best); at = prefix.indexOf(key, at + 1)) {
      let i = at + key.length;
      while (prefix[i] === 0x20 || prefix[i] === 0x09) i++;
      if (prefix[i++] !== 0x3a /* : */) continue;
      while (prefix[i] === 0x20 || prefix[i] === 0x09) i++;
      if (object && prefix[i] !== 0x7b /* { */) continue;
      best = at;
      format = fmt;
      break;
    }
  }
  return format;
}

/** A UTF-8 byte order mark at the start of a text input (some editors write one). */
function hasBom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/** Largest rwcap record accepted: a snappy body can be ~1/6 larger than what it decodes to, plus envelope. */
function maxRecordLength(maxDecodedSize: number): number {
  return Math.ceil(maxDecodedSize * 1.2) + (1 << 20);
}

function toRequest(ctx: Ctx, index: number, offset: number, cap: CapturedRequest): Request {
  const { write, decodedBytes } = decodeCapturedBody(cap.body, cap.contentType, cap.contentEncoding, ctx.opts.maxDecodedSize);
  const req: Request = {
    inputIndex: ctx.inputIndex,
    recordIndex: index,
    offset,
    tenant: cap.tenant === '' ? null : cap.tenant,
    receivedAtMs: cap.receivedAtMs === 0 ? null : cap.receivedAtMs,
    write,
    captured: cap,
  };
  ctx.opts.onSizes?.(req, cap.body.length, decodedBytes);
  return req;
}

async function* readRwcap(reader: ByteReader, ctx: Ctx): AsyncGenerator<Request> {
  await reader.ensure(RWCAP_MAGIC.length);
  const head = reader.peek(RWCAP_MAGIC.length);
  if (head.length < RWCAP_MAGIC.length || !head.every((b, i) => b === RWCAP_MAGIC[i])) {
    throw new HaDedupError('input', `${ctx.path}: not an rwcap file (it does not start with "RWCAP1\\n"); check --format`);
  }
  reader.skip(RWCAP_MAGIC.length);
  const limit = maxRecordLength(ctx.opts.maxDecodedSize);
  for (let index = 0; ; index++) {
    ctx.at('record', index, reader.offset);
    if (!(await reader.ensure(1))) return;
    const offset = reader.offset;
    // Framing: a problem here (or in the record's envelope) may be a damaged length prefix, after
    // which the next record does not start where this one claims to end: resynchronise (SPEC 10,
    // issue 12.5) by scanning forward to the next offset where a valid record starts.
    let problem: string | null = null;
    let tail = false; // the problem is a record cut by the end of the input (a crashed recorder)
    let cap: CapturedRequest | null = null;
    let vi = reader.peekVarint();
    while (vi === null && (await reader.more())) vi = reader.peekVarint();
    if (vi === null) {
      problem = `truncated record: the length prefix is cut off at the end of the input (${reader.available} bytes left)`;
      tail = true;
    } else {
      const [len, lenBytes] = vi;
      if (len < 0) problem = 'malformed record length (a varint longer than 10 bytes)';
      else if (len === 0) problem = 'a record of length 0 (no writer of captures makes one)';
      else if (len > limit) problem = `record length ${len} bytes is over the limit of ${limit} (--max-decoded-size ${ctx.opts.maxDecodedSize})`;
      else if (!(await reader.ensure(lenBytes + len))) {
        problem = `truncated record: it declares ${len} bytes but only ${reader.available - lenBytes} are left in the input`;
        tail = true;
      } else {
        try {
          cap = decodeCapturedRequest(reader.peek(lenBytes + len).subarray(lenBytes), DECODE_INFO);
          // the body is a view of the reader's buffer, which is reused: keep a copy of it
          cap.body = Buffer.from(cap.body);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          problem = e.reason;
        }
        if (cap !== null) {
          let used = lenBytes + len;
          if (DECODE_INFO.knownEnd < len) {
            // an unknown field: a length prefix damaged to a larger value may have swallowed the
            // next record's prefix as one (and the start of that record after it). When a record
            // starts where the unknown field does, and none where this one claims to end, this
            // one ends there (decoded again without the swallowed bytes).
            const cut = lenBytes + DECODE_INFO.knownEnd;
            const max = ctx.opts.maxDecodedSize;
            if ((await isRecordAt(reader, limit, max, cut)) && !(await isRecordAt(reader, limit, max, used))) {
              try {
                const again = decodeCapturedRequest(reader.peek(cut).subarray(lenBytes));
                again.body = Buffer.from(again.body);
                cap = again;
                used = cut;
              } catch (e) {
                if (!(e instanceof WireError)) throw e;
              }
            }
          }
          reader.skip(used);
        }
      }
    }
    if (problem !== null) {
      reader.skip(1);
      const found = await skipToNextRecord(reader, limit, ctx.opts.maxDecodedSize);
      const next = reader.offset;
      if (!found && tail) {
        ctx.report('record', index, offset, problem);
        return;
      }
      ctx.report(
        'record',
        index,
        offset,
        found
          ? `${problem}; skipped ${next - offset} bytes to the next valid record, at byte ${next}`
          : `${problem}; no valid record follows in the remaining ${next - offset} bytes`,
      );
      if (!found) return;
      continue;
    }
    let req: Request;
    try {
      req = toRequest(ctx, index, offset, cap!);
    } catch (e) {
      if (e instanceof WireError) {
        ctx.report('record', index, offset, e.reason);
        continue;
      }
      throw e;
    }
    ctx.good++;
    yield req;
  }
}

/** Bytes looked at past a candidate record start before the cheap shape check (rwcapshape.ts). */
const RESYNC_LOOKAHEAD = 80;

/**
 * After damage: consume bytes up to the next offset where a complete, valid capture record
 * starts (its envelope well formed, its body CRC-32 matching when set; a record without a CRC
 * must hold a non-empty body that decodes, since a few garbage bytes can look like a tiny
 * record). True when one was found (the reader is at it), false at the end of the input (all
 * consumed). Memory stays bounded: only the candidate record is buffered.
 */
async function skipToNextRecord(reader: ByteReader, limit: number, maxDecodedSize: number): Promise<boolean> {
  for (;;) {
    const full = await reader.ensure(RESYNC_LOOKAHEAD);
    const avail = reader.available;
    if (avail === 0) return false;
    const buf = reader.peek(avail);
    const stop = full && !reader.sourceDone ? avail - RESYNC_LOOKAHEAD + 1 : avail;
    let i = 0;
    let candidate = false;
    for (; i < stop; i++) {
      const v = captureVarint(buf, i, avail);
      if (v === null || v[1] < 0 || v[0] === 0 || v[0] > limit) continue;
      const body = i + v[1];
      const peek = Math.min(64, v[0], avail - body);
      if (captureShapeProblem(buf.subarray(body, body + peek), peek, true) !== null) continue;
      candidate = true;
      break;
    }
    reader.skip(i);
    if (!candidate) {
      if (stop === avail && reader.sourceDone) return false;
      continue;
    }
    if (await isRecordAt(reader, limit, maxDecodedSize)) return true;
    reader.skip(1);
  }
}

/** Whether a complete, valid record starts `at` bytes past the reader's position (nothing is consumed). */
async function isRecordAt(reader: ByteReader, limit: number, maxDecodedSize: number, at = 0): Promise<boolean> {
  await reader.ensure(at + 10);
  const head = reader.peek(reader.available);
  const v = captureVarint(head, at, head.length);
  if (v === null || v[1] < 0 || v[0] === 0 || v[0] > limit) return false;
  const [len, lenBytes] = v;
  if (!(await reader.ensure(at + lenBytes + len))) return false;
  const msg = reader.peek(at + lenBytes + len).subarray(at + lenBytes);
  if (captureShapeProblem(msg, len, false) !== null) return false;
  try {
    const cap = decodeCapturedRequest(msg);
    if (cap.bodyCrc32 !== 0) return true;
    if (cap.body.length === 0) return false;
    decodeCapturedBody(cap.body, cap.contentType, cap.contentEncoding, maxDecodedSize);
    return true;
  } catch (e) {
    if (e instanceof WireError) return false;
    throw e;
  }
}

/** Filled by decodeCapturedRequest for each record (one object, no allocation per record). */
const DECODE_INFO = { knownEnd: 0 };

/**
 * A remote-write body. `detected`: the format was not given but is what detection falls back to,
 * so a body that does not decode is an input in no known format (exit 3, issue 12.6).
 */
async function* readRemoteWrite(reader: ByteReader, ctx: Ctx, version: 'rw1' | 'rw2', detected: boolean): AsyncGenerator<Request> {
  const limit = maxRecordLength(ctx.opts.maxDecodedSize);
  while (reader.available <= limit && (await reader.more()));
  if (reader.available > limit) {
    ctx.report('record', 0, 0, `body is larger than ${limit} bytes (--max-decoded-size ${ctx.opts.maxDecodedSize})`);
    return;
  }
  const body = reader.take(reader.available);
  let req: Request;
  try {
    const { write, decodedBytes } = decodeRawBody(body, version, ctx.opts.maxDecodedSize);
    req = { inputIndex: ctx.inputIndex, recordIndex: 0, offset: 0, tenant: null, receivedAtMs: null, write };
    ctx.opts.onSizes?.(req, body.length, decodedBytes);
  } catch (e) {
    if (e instanceof WireError) {
      if (detected) throw notRecognised(ctx.path);
      ctx.report('record', 0, 0, e.reason);
      return;
    }
    throw e;
  }
  yield req;
}

function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

async function* readLines(reader: ByteReader, ctx: Ctx, format: 'rwcap-json' | 'ndjson' | 'vm-json'): AsyncGenerator<Request> {
  // a JSON line is refused past --max-decoded-size as a body is, before it is read whole (issue
  // 12.4): at most that much of it is buffered; an rwcap-json line holds a body in base64 (4/3)
  const max = ctx.opts.maxDecodedSize;
  const maxLine = format === 'rwcap-json' ? maxRecordLength(max) * 2 : max;
  // an ndjson request (lines sharing received_at_ms) is split past --max-decoded-size of lines
  const assembler = format === 'ndjson' ? new NdjsonAssembler(max) : null;
  let lineNo = 0;
  for (;;) {
    const offset = reader.offset;
    ctx.at('line', lineNo + 1, offset);
    let line = reader.nextLine();
    if (line === null) {
      if (reader.partialLineLength > maxLine) {
        lineNo++;
        ctx.report('line', lineNo, offset, `line longer than ${maxLine} bytes (--max-decoded-size ${ctx.opts.maxDecodedSize})`);
        while (!reader.dropThroughNewline()) if (!(await reader.more())) break;
        continue;
      }
      if (await reader.more()) continue;
      line = reader.lastLine();
      if (line === null) break;
    }
    lineNo++;
    if (line.length > maxLine) {
      ctx.report('line', lineNo, offset, `line longer than ${maxLine} bytes (--max-decoded-size ${max})`);
      continue;
    }
    if (lineNo === 1 && hasBom(line)) line = line.subarray(3);
    if (isBlank(line)) continue;
    let req: Request | null = null;
    try {
      if (!isUtf8(line)) throw new WireError('invalid UTF-8');
      const text = line.toString('utf8');
      let parsed: unknown;
      try {
        parsed = format === 'vm-json' ? parseVmJsonText(text) : JSON.parse(text);
      } catch (e) {
        throw new WireError(`invalid JSON: ${(e as Error).message}`);
      }
      if (format !== 'rwcap-json') {
        const dup = duplicateLabelKey(text, LABEL_PARENTS);
        if (dup !== null) throw new WireError(`duplicate label name "${dup}"`);
      }
      if (format === 'rwcap-json') {
        req = toRequest(ctx, lineNo, offset, parseRwcapJsonLine(parsed));
      } else if (format === 'vm-json') {
        const ts = parseVmJsonLine(parsed);
        req = { inputIndex: ctx.inputIndex, recordIndex: lineNo, offset, tenant: null, receivedAtMs: null, write: { timeseries: [ts], metadata: [] } };
        ctx.opts.onSizes?.(req, line.length + 1, line.length + 1);
      } else {
        const done = assembler!.add(parseNdjsonLine(parsed), lineNo, offset, line.length + 1);
        if (done !== null) req = ndjsonRequest(ctx, done);
        if (assembler!.split) splitWarning(ctx, lineNo, offset, done!);
      }
      ctx.good++;
    } catch (e) {
      if (e instanceof WireError) {
        ctx.report('line', lineNo, offset, e.reason);
        continue;
      }
      throw e;
    }
    if (req !== null) yield req;
  }
  if (assembler !== null) {
    const last = assembler.flush();
    if (last !== null) yield ndjsonRequest(ctx, last);
  }
}

/** Split-request warnings per input; the rest are counted in the last one. */
const MAX_SPLIT_WARNINGS = 20;

function splitWarning(ctx: Ctx, lineNo: number, offset: number, done: AssembledRequest): void {
  ctx.splits++;
  if (ctx.splits > MAX_SPLIT_WARNINGS) return;
  const more = ctx.splits === MAX_SPLIT_WARNINGS ? ' (further splits of this input are not shown)' : '';
  ctx.opts.onWarning?.(
    `${ctx.path}: line ${lineNo} at byte ${offset}: the request of received_at_ms ${done.receivedAtMs} from line ${done.firstLine} holds more than --max-decoded-size ${ctx.opts.maxDecodedSize} bytes of lines: split here, the next lines are a request of their own${more}`,
  );
}

function ndjsonRequest(ctx: Ctx, r: AssembledRequest): Request {
  const req: Request = { inputIndex: ctx.inputIndex, recordIndex: r.firstLine, offset: r.offset, tenant: r.tenant, receivedAtMs: r.receivedAtMs, write: r.write };
  ctx.opts.onSizes?.(req, r.bytes, r.bytes);
  return req;
}

// ---- clock order ----

export interface TimedRequest {
  request: Request;
  /** The record time (SPEC 5) this request is ordered by; feed it to SimClock.observe. */
  timeMs: number;
}

/**
 * The engine's side table of request sizes (wire, decoded bytes), keyed by the request object: a
 * request that goes through the spill comes back as another object, so its sizes move with it.
 */
export interface SizeTable {
  take(req: Request): [number, number] | undefined;
  put(req: Request, wire: number, decoded: number): void;
}

export interface OrderOptions {
  /** To decode the bodies of spilled captured requests again (--max-decoded-size). */
  maxDecodedSize: number;
  sizes?: SizeTable;
}

/** Records without a time of their own held in memory at the start of an input; the rest wait on disk. */
export const LEADING_HELD = 1000;

/** A request into a spill row (its sizes leave the size table with it). */
export function spillRow(request: Request, time: number, group: string, seq: number, sizes: SizeTable | undefined): SpillRow {
  const sz = sizes?.take(request);
  const { kind, data } = encodeSpilled(request);
  return {
    time,
    group,
    seq,
    inputIndex: request.inputIndex,
    recordIndex: request.recordIndex,
    offset: request.offset,
    tenant: request.tenant,
    receivedAtMs: request.receivedAtMs,
    kind,
    wireBytes: sz?.[0] ?? 0,
    decodedBytes: sz?.[1] ?? 0,
    data,
  };
}

/** The request a spill row holds (its sizes back in the size table). */
export function fromSpillRow(row: SpillRow, order: OrderOptions): Request {
  const base = { inputIndex: row.inputIndex, recordIndex: row.recordIndex, offset: row.offset, tenant: row.tenant, receivedAtMs: row.receivedAtMs };
  const req = decodeSpilled(row.kind, row.data, base, order.maxDecodedSize);
  order.sizes?.put(req, row.wireBytes, row.decodedBytes);
  return req;
}

/**
 * Attach record times to one input's requests. A request with no time of its own (no samples,
 * no receive time: e.g. metadata only from a file without receive times) takes the previous
 * record time of the same input; leading ones take the first known time after them (0 if the
 * input has none at all). Memory stays bounded (issue 12.4): past LEADING_HELD such leading
 * requests, they wait in a temporary on-disk table (src/store/spill.ts), not in memory.
 */
export async function* timeInput(input: AsyncIterable<Request>, clock: ClockOptions, order: OrderOptions = { maxDecodedSize: DEFAULT_MAX_DECODED_SIZE }): AsyncGenerator<TimedRequest> {
  let prev: number | null = null;
  let pending: Request[] = [];
  let spill: RecordSpill | null = null;
  let seq = 0;
  async function* release(t: number): AsyncGenerator<TimedRequest> {
    const held = pending;
    pending = [];
    for (const p of held) yield { request: p, timeMs: t };
    if (spill !== null) {
      for (const row of spill.drain()) yield { request: fromSpillRow(row, order), timeMs: t };
      spill.close();
      spill = null;
    }
  }
  try {
    for await (const request of input) {
      const t = recordTimeOrNull(request, clock);
      if (t === null) {
        if (prev !== null) {
          yield { request, timeMs: prev };
          continue;
        }
        if (spill === null && pending.length >= LEADING_HELD) {
          spill = new RecordSpill();
          for (const p of pending) spill.add(spillRow(p, 0, '', seq++, order.sizes));
          pending = [];
        }
        if (spill !== null) spill.add(spillRow(request, 0, '', seq++, order.sizes));
        else pending.push(request);
        continue;
      }
      if (pending.length > 0 || spill !== null) yield* release(t);
      prev = t;
      yield { request, timeMs: t };
    }
    yield* release(0);
  } finally {
    (spill as RecordSpill | null)?.close();
  }
}

/**
 * Merge inputs into one stream ordered by record time: at each step the input whose next request
 * has the smallest time goes first; ties keep input order. Within one input the order is the
 * input's own (a record that goes back in time is a clock regression, counted by SimClock).
 */
export async function* mergeInputs(inputs: AsyncIterable<Request>[], clock: ClockOptions, order?: OrderOptions): AsyncGenerator<TimedRequest> {
  const iters = inputs.map((i) => timeInput(i, clock, order));
  if (iters.length === 1) {
    yield* iters[0]!;
    return;
  }
  const heads: (TimedRequest | null)[] = [];
  for (const it of iters) {
    const r = await it.next();
    heads.push(r.done ? null : r.value);
  }
  try {
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== null && h !== undefined && (best < 0 || h.timeMs < heads[best]!.timeMs)) best = i;
      }
      if (best < 0) return;
      const out = heads[best]!;
      const r = await iters[best]!.next();
      heads[best] = r.done ? null : r.value;
      yield out;
    }
  } finally {
    for (const it of iters) await it.return(undefined);
  }
}

// ---- option helpers shared by the commands that read inputs ----

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1000, kb: 1000, ki: 1024, kib: 1024,
  m: 1e6, mb: 1e6, mi: 1024 ** 2, mib: 1024 ** 2,
  g: 1e9, gb: 1e9, gi: 1024 ** 3, gib: 1024 ** 3,
};

/** A byte size: "67108864", "64MiB", "64mb", "512KiB", "1GiB". Undefined when not one. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The input format option: "auto" or one of INPUT_FORMATS. Undefined when not one. */
export function parseInputFormat(text: string): InputFormat | 'auto' | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'auto') return 'auto';
  return (INPUT_FORMATS as readonly string[]).includes(t) ? (t as InputFormat) : undefined;
}
