// gzip inputs (SPEC 4: gzip magic → unwrap and detect again), unwrapped member by member so that
// damage after the compressed data loses nothing already decompressed (issue 12.5). node's
// Gunzip stream treats junk after a complete member, or a member whose trailer (CRC-32, length)
// does not match, as an error of the whole stream, and drops the output of the last block with
// it (the last records of a capture; `zcat` recovers them). Here each member's header is parsed,
// its deflate data goes through an InflateRaw stream (which stops at the end of the deflate data
// and says how much input it used), and the trailer is checked by hand:
// - a trailer that does not match, or is cut off, is reported (onProblem) and the data is kept;
// - bytes after a member that are not another member are reported once and ignored (zero padding
//   is ignored silently, as gzip does);
// - an input that ends inside the deflate data, or deflate data that is corrupt, still ends the
//   stream with zlib's error (code Z_...), after everything decodable before it was passed on.
// Memory: one 64 KiB slice of compressed input in flight, and what it decompresses to.
import { constants, createInflateRaw } from 'node:zlib';
import type { ByteReader } from './bytereader.js';
import { crc32 } from './crc32.js';

const SLICE = 64 * 1024;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** An error shaped like zlib's (pipeline/inputs.ts reports errors with a Z_ code as "gzip: <message>"). */
function zlibError(message: string, code = 'Z_DATA_ERROR'): Error {
  const e = new Error(message) as Error & { code: string };
  e.code = code;
  return e;
}

/**
 * The length of the gzip member header at the reader's position (nothing consumed), or a reason
 * it is not one. Null when the input ends inside the header.
 */
async function headerLength(src: ByteReader): Promise<number | string | null> {
  if (!(await src.ensure(10))) return src.available < 2 || src.peek(2)[0] !== 0x1f ? 'not gzip' : null;
  const h = src.peek(10);
  if (h[0] !== 0x1f || h[1] !== 0x8b) return 'not gzip';
  if (h[2] !== 8) return 'unknown compression method';
  const flags = h[3]!;
  if (flags & 0xe0) return 'unknown header flags set';
  let n = 10;
  if (flags & FEXTRA) {
    if (!(await src.ensure(n + 2))) return null;
    const b = src.peek(n + 2);
    n += 2 + (b[n]! | (b[n + 1]! << 8));
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (!(flags & f)) continue;
    // a zero-terminated string
    for (;;) {
      if (!(await src.ensure(n + 1))) return null;
      const b = src.peek(src.available);
      const z = b.indexOf(0, n);
      if (z >= 0) {
        n = z + 1;
        break;
      }
      if (!(await src.more())) return null;
    }
  }
  if (flags & FHCRC) n += 2;
  if (!(await src.ensure(n))) return null;
  return n;
}

/** Consume and count the rest of the input; whether it is all zero bytes. */
async function drain(src: ByteReader): Promise<{ bytes: number; zero: boolean }> {
  let bytes = 0;
  let zero = true;
  while (src.available > 0 || (await src.more())) {
    const b = src.peek(src.available);
    if (zero) for (let i = 0; i < b.length; i++) if (b[i] !== 0) { zero = false; break; }
    bytes += b.length;
    src.skip(b.length);
  }
  return { bytes, zero };
}

/**
 * The decompressed bytes of a gzip input read from `src` (positioned at its first member's
 * magic). Problems that lose nothing (a bad trailer, junk after the data) go to onProblem.
 */
export async function* gunzip(src: ByteReader, onProblem: (reason: string) => void): AsyncGenerator<Buffer> {
  for (let member = 0; ; member++) {
    if (member > 0 && !(await src.ensure(1))) return;
    const start = src.offset;
    const hl = await headerLength(src);
    if (typeof hl !== 'number') {
      if (member === 0) throw zlibError(hl === null ? 'unexpected end of file' : hl === 'not gzip' ? 'incorrect header check' : hl, hl === null ? 'Z_BUF_ERROR' : 'Z_DATA_ERROR');
      const rest = await drain(src);
      if (!rest.zero) onProblem(`gzip: ${rest.bytes} bytes after the end of the compressed data (at byte ${start}) are not gzip${hl === null ? ' (a cut member header)' : hl === 'not gzip' ? '' : ` (${hl})`}; ignored`);
      return;
    }
    src.skip(hl);
    const inf = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
    let out: Buffer[] = [];
    let ended = false;
    let failed: Error | null = null;
    inf.on('data', (c: Buffer) => out.push(c));
    inf.on('end', () => (ended = true));
    inf.on('error', (e: Error) => (failed = e));
    let crc = 0;
    let size = 0;
    const take = function* (): Generator<Buffer> {
      const chunks = out;
      out = [];
      for (const c of chunks) {
        crc = crc32(c, crc);
        size += c.length;
        yield c;
      }
    };
    for (;;) {
      if (!(await src.ensure(1))) {
        // the input ends inside the deflate data: pass on what it decodes to, then fail
        await new Promise<void>((res) => {
          inf.once('end', res);
          inf.once('error', () => res());
          inf.end();
        });
        yield* take();
        throw zlibError('unexpected end of file', 'Z_BUF_ERROR');
      }
      const n = Math.min(src.available, SLICE);
      const slice = Buffer.from(src.peek(n));
      const before = inf.bytesWritten;
      await new Promise<void>((res) => inf.write(slice, () => res()));
      await new Promise<void>((res) => setImmediate(res)); // let 'data' / 'end' / 'error' run
      if (failed !== null) {
        yield* take();
        throw failed;
      }
      const used = inf.bytesWritten - before;
      src.skip(ended ? used : n);
      yield* take();
      if (ended) break;
    }
    // the trailer: CRC-32 and length (mod 2^32) of the decompressed data
    const at = src.offset;
    if (!(await src.ensure(8))) {
      onProblem(`gzip: the input ends inside the trailer of the gzip data (at byte ${at}); the decompressed data is used`);
      src.skip(src.available);
      return;
    }
    const t = src.peek(8);
    const wantCrc = (t[0]! | (t[1]! << 8) | (t[2]! << 16) | (t[3]! << 24)) >>> 0;
    const wantSize = (t[4]! | (t[5]! << 8) | (t[6]! << 16) | (t[7]! << 24)) >>> 0;
    src.skip(8);
    if (wantCrc !== crc >>> 0 || wantSize !== size % 2 ** 32) {
      onProblem(
        `gzip: the trailer at byte ${at} does not match the data (${wantCrc !== crc >>> 0 ? 'CRC-32' : 'length'} differs); the decompressed data is used`,
      );
    }
  }
}
