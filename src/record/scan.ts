// What `record --append` finds in an existing capture before it adds to it (SPEC 4.1). Every
// record is checked, not only its length prefix: its bytes must have the shape of a
// CapturedRequest (known fields with their wire types, each singular field once, every length
// ending exactly at the record's end), which a record framed wrongly (a damaged length prefix)
// does not have. A body whose CRC-32 does not match is not framing damage: replay reports it,
// and appending after it cuts nothing, so it is not checked here (that keeps the scan at about
// the speed of reading the file; the CRC is checked where records resume after damage). The only
// thing that may be cut is a tail that is one incomplete record: bytes that parse as the start of
// a record whose declared length runs past the end of the file (what a recorder killed in the
// middle of a write leaves; it was never acknowledged). Anything else (a damaged length prefix in
// the middle, two captures joined with cat, garbage after the last record) is damage: the scan
// says where, and where good records resume, so `record` can refuse and say how to repair.
import * as fs from 'node:fs';
import { RWCAP_MAGIC, decodeCapturedRequest } from '../wire/rwcap.js';
import { WireError } from '../wire/errors.js';
import { captureShapeProblem as shapeProblem, captureVarint as varint } from '../wire/rwcapshape.js';

/** A declared record length above this is damage, never a record being written (no body is that large). */
const MAX_RECORD_BYTES = 2 ** 32;

/** How far after a damaged record the scan looks for where good records resume. */
const RESUME_SEARCH_BYTES = 64 * 1024 * 1024;

interface ScanTail {
  /** Where the incomplete record starts (its length prefix). */
  offset: number;
  /** Bytes from there to the end of the file (what --append cuts). */
  bytes: number;
  /** The length it declares, or null when the file ends inside the length prefix. */
  declared: number | null;
}

export interface ScanDamage {
  /** Index of the damaged record (0-based, as replay's warnings count). */
  index: number;
  /** Byte offset of its length prefix. */
  offset: number;
  reason: string;
  /** True when a second capture header ("RWCAP1\n") starts at `offset`: two captures joined. */
  secondCapture: boolean;
  /** Where complete, valid records start again after the damage (null: none found). */
  resume: { offset: number; records: number; reachesEnd: boolean } | null;
}

export interface ScanResult {
  /** Bytes of complete, valid records (magic included): where appending starts. */
  length: number;
  /** Complete records before `length`. */
  records: number;
  /** An incomplete last record after `length` (cut by --append), or null. */
  tail: ScanTail | null;
  /** Damage at `length` (append refuses), or null. */
  damage: ScanDamage | null;
}

const CHUNK = 4 * 1024 * 1024;

/** A window over a file read sequentially in large chunks (records can be larger than a chunk). */
class FileWindow {
  private buf = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** Bytes [pos, pos + n) of the file; n must not run past its end. */
  view(pos: number, n: number): Buffer {
    if (pos >= this.start && pos + n <= this.end) return this.buf.subarray(pos - this.start, pos - this.start + n);
    const want = Math.min(this.size - pos, Math.max(n, CHUNK));
    if (this.buf.length < want) this.buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const r = fs.readSync(this.fd, this.buf, got, want - got, pos + got);
      if (r <= 0) break;
      got += r;
    }
    this.start = pos;
    this.end = pos + got;
    if (got < n) throw new Error(`short read at byte ${pos + got}`);
    return this.buf.subarray(0, n);
  }
}

/** Why b (a complete record's message bytes) is not a valid capture record, or null. */
function recordProblem(msg: Uint8Array): string | null {
  const shape = shapeProblem(msg, msg.length, false);
  if (shape !== null) return shape;
  try {
    decodeCapturedRequest(msg);
  } catch (e) {
    if (e instanceof WireError) return e.reason;
    throw e;
  }
  return null;
}

function startsWithMagic(win: FileWindow, pos: number): boolean {
  if (pos + RWCAP_MAGIC.length > win.size) return false;
  const b = win.view(pos, RWCAP_MAGIC.length);
  return RWCAP_MAGIC.every((x, k) => b[k] === x);
}

type Step =
  | { kind: 'record'; end: number }
  | { kind: 'tail'; tail: ScanTail }
  | { kind: 'damage'; reason: string };

/** What the bytes at `pos` are: a valid complete record, the incomplete last record, or damage. */
function step(win: FileWindow, pos: number): Step {
  const size = win.size;
  const headLen = Math.min(10, size - pos);
  const head = win.view(pos, headLen);
  const v = varint(head, 0, headLen);
  if (v === null) {
    // the file ends inside a length prefix: only a cut record looks like that
    return { kind: 'tail', tail: { offset: pos, bytes: size - pos, declared: null } };
  }
  if (v[1] < 0) return { kind: 'damage', reason: 'a length prefix longer than 10 bytes' };
  const [len, lenBytes] = v;
  if (len === 0) return { kind: 'damage', reason: 'a record of length 0 (the recorder never writes one)' };
  if (len > MAX_RECORD_BYTES) return { kind: 'damage', reason: `a length prefix declaring ${len} bytes, more than any record` };
  const body = pos + lenBytes;
  if (body + len > size) {
    const have = size - body;
    const problem = shapeProblem(win.view(body, have), have, true);
    if (problem !== null) {
      return { kind: 'damage', reason: `it declares ${len} bytes, past the end of the file, but what is there is not the start of a record (${problem})` };
    }
    return { kind: 'tail', tail: { offset: pos, bytes: size - pos, declared: len } };
  }
  const problem = shapeProblem(win.view(body, len), len, false);
  if (problem !== null) return { kind: 'damage', reason: problem };
  return { kind: 'record', end: body + len };
}

/** Scan from `pos` (a record boundary) while records are valid. */
function scanFrom(win: FileWindow, pos: number, records: number): { pos: number; records: number; last: Step | null } {
  while (pos < win.size) {
    const s = step(win, pos);
    if (s.kind !== 'record') return { pos, records, last: s };
    pos = s.end;
    records++;
  }
  return { pos, records, last: null };
}

/** The first offset after a damaged record where a complete record with a verified body CRC starts. */
function findResume(win: FileWindow, from: number): ScanDamage['resume'] {
  const limit = Math.min(win.size, from + RESUME_SEARCH_BYTES);
  for (let q = from; q < limit; q++) {
    const headLen = Math.min(10, win.size - q);
    const head = win.view(q, headLen);
    const v = varint(head, 0, headLen);
    if (v === null || v[1] < 0 || v[0] === 0) continue;
    const body = q + v[1];
    if (body + v[0] > win.size) continue;
    // cheap first: the first bytes must look like a record before the whole of it is read
    const peek = Math.min(64, v[0]);
    if (shapeProblem(win.view(body, peek), peek, true) !== null) continue;
    const msg = win.view(body, v[0]);
    if (recordProblem(msg) !== null) continue;
    // a CRC-checked body is the proof; a tiny record can decode from garbage by chance
    if (decodeCapturedRequest(msg).bodyCrc32 === 0) continue;
    const rest = scanFrom(win, q, 0);
    return { offset: q, records: rest.records, reachesEnd: rest.last === null || rest.last.kind === 'tail' };
  }
  return null;
}

/** Scan an existing capture of `size` bytes whose magic has been checked. */
export function scanCapture(fd: number, size: number): ScanResult {
  const win = new FileWindow(fd, size);
  const r = scanFrom(win, RWCAP_MAGIC.length, 0);
  const out: ScanResult = { length: r.pos, records: r.records, tail: null, damage: null };
  if (r.last === null || r.last.kind === 'record') return out;
  if (r.last.kind === 'tail') {
    out.tail = r.last.tail;
    return out;
  }
  const second = startsWithMagic(win, r.pos);
  out.damage = {
    index: r.records,
    offset: r.pos,
    reason: second ? 'a second capture starts here (its "RWCAP1" header): two captures joined with cat?' : r.last.reason,
    secondCapture: second,
    resume: findResume(win, second ? r.pos + RWCAP_MAGIC.length : r.pos + 1),
  };
  return out;
}
