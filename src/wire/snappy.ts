// Snappy *block* format (what remote-write bodies use). Decompression checks the declared length
// against the caller's limit BEFORE anything is decoded (SPEC 10, --max-decoded-size), then runs
// our WebAssembly decoder (src/wire/snappy.wat: ~3.5x our JavaScript decoder and ~4x snappyjs on
// the bench bodies, into one reused memory; README "Performance"). Whatever it refuses goes
// through our exact JavaScript decoder below, so a bad body is reported with the same reason
// either way; a SnappyCodec made with { decoder: 'js' } uses only that one (the bench and the
// tests compare the two). Compression uses snappyjs (the stack's compressor).
//
// No module-level mutable state (issue 15.3): the WebAssembly instance and the scratch buffers
// belong to a SnappyCodec, one per run (the pipeline's ColumnsCodec owns one). The plain
// functions below make a fresh output each call and run the JavaScript decoder.
import { createRequire } from 'node:module';
import { WireError } from './errors.js';
import { SNAPPY_WASM_BASE64 } from './snappywasm.js';

// snappyjs (CommonJS) is loaded at its first use: a replay that writes no rwcap never needs it
// (~8 ms of start-up).
const requireCjs = createRequire(import.meta.url);
let snappyjsModule: typeof import('snappyjs') | null = null;
let compressorModule: typeof import('snappyjs/snappy_compressor.js') | null = null;
const snappyjs = () => (snappyjsModule ??= requireCjs('snappyjs') as typeof import('snappyjs'));
const compressor = () =>
  (compressorModule ??= requireCjs('snappyjs/snappy_compressor.js') as typeof import('snappyjs/snappy_compressor.js'));

/**
 * The WebAssembly decoder and its memory: the compressed block is copied to offset 0, the
 * output goes after it (16-byte aligned). A block that does not fit gets a new, larger memory
 * and instance; the memory is never grown, because growing detaches its old ArrayBuffer, and
 * one detached ArrayBuffer makes V8 add a detach check to every typed-array access in the
 * process from then on (docs/perf.md: `sameBytes` ran at half speed after a transfer).
 */
class WasmSnappy {
  private static module: WebAssembly.Module | null = null;
  private bytes: Uint8Array;
  private decodeFn: (pos: number, end: number, out: number, length: number) => number;

  constructor(need: number) {
    WasmSnappy.module ??= new WebAssembly.Module(Buffer.from(SNAPPY_WASM_BASE64, 'base64'));
    const pages = Math.max(32, Math.ceil((need * 1.25) / 65536)); // at least 2 MiB
    const memory = new WebAssembly.Memory({ initial: pages });
    const instance = new WebAssembly.Instance(WasmSnappy.module, { env: { memory } });
    this.bytes = new Uint8Array(memory.buffer);
    this.decodeFn = instance.exports['decode'] as WasmSnappy['decodeFn'];
  }

  /** Room for an n-byte block and its output of `length` bytes. */
  fits(n: number, length: number): boolean {
    return ((n + 15) & ~15) + length <= this.bytes.length;
  }

  /** The decoded bytes (a view of the memory, valid until the next call), or null if refused. */
  decode(src: Uint8Array, pos: number, length: number): Uint8Array | null {
    const b = this.bytes;
    b.set(src, 0);
    const out = (src.length + 15) & ~15;
    const op = this.decodeFn(pos, src.length, out, length);
    return op === length ? b.subarray(out, out + length) : null;
  }
}

/** Blocks whose input and output together are over this are left to the JavaScript decoder. */
const WASM_MAX_BYTES = 1 << 30;

export const DEFAULT_MAX_DECODED_SIZE = 64 * 1024 * 1024;

// Where the 4-byte steps do not apply (the last bytes of the output, overlapping copies with an
// offset under 4), copies shorter than this go byte by byte: cheaper than a native call.
const LOOP_MAX = 16;
/** Literals and copies up to this long go four bytes per step (a kind-2 copy is at most 64 bytes). */
const SHORT_COPY = 64;

export interface SnappyOptions {
  /**
   * 'auto' (the default): the WebAssembly decoder, the JavaScript one for what it refuses;
   * 'js': JavaScript only (to compare the two: bench, tests).
   */
  decoder?: 'auto' | 'js';
}

/**
 * A run's snappy decoder: the WebAssembly instance (made at the first block) and the scratch
 * output of transient decompression. Not shared between runs.
 */
export class SnappyCodec {
  readonly decoder: 'wasm' | 'js';
  private wasm: WasmSnappy | null = null;
  private scratch = new Uint8Array(0);
  private scratchView = new DataView(this.scratch.buffer);

  constructor(opts: SnappyOptions = {}) {
    this.decoder = opts.decoder === 'js' ? 'js' : 'wasm';
  }

  /** Decompress a snappy block (WireError when invalid or declared over maxDecodedSize, checked before allocating). */
  decompress(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array {
    return this.run(src, maxDecodedSize, false);
  }

  /** decompress, the result valid only until the next call (memory of this codec's; no allocation, no zero-filling). */
  decompressTransient(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array {
    return this.run(src, maxDecodedSize, true);
  }

  /** The WebAssembly decoder alone (tests): the decoded bytes, valid until the next call, or null where it refuses the block. */
  decompressWasm(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array | null {
    const length = readHeader(src, maxDecodedSize);
    return this.decodeWasm(src, headerEndOf(src), length);
  }

  private run(src: Uint8Array, maxDecodedSize: number, transient: boolean): Uint8Array {
    const length = readHeader(src, maxDecodedSize);
    const pos = headerEndOf(src);
    if (this.decoder === 'wasm') {
      const r = this.decodeWasm(src, pos, length);
      if (r !== null) return transient ? r : r.slice();
      // refused: the JavaScript decoder below says why
    }
    if (!transient) return decompressJs(src, pos, length, new Uint8Array(length), null);
    if (this.scratch.length < length) {
      this.scratch = new Uint8Array(Math.max(length, this.scratch.length * 2, 1 << 20));
      this.scratchView = new DataView(this.scratch.buffer);
    }
    return decompressJs(src, pos, length, this.scratch, this.scratchView).subarray(0, length);
  }

  private decodeWasm(src: Uint8Array, pos: number, length: number): Uint8Array | null {
    if (length === 0 || src.length + length + 16 > WASM_MAX_BYTES) return null;
    if (this.wasm === null || !this.wasm.fits(src.length, length)) {
      try {
        this.wasm = new WasmSnappy(src.length + length + 16);
      } catch {
        return null; // no address space for a memory this size: the JavaScript decoder takes it
      }
    }
    return this.wasm.decode(src, pos, length);
  }
}

/**
 * Decompress a snappy block with the JavaScript decoder into a fresh array. Throws WireError
 * when the data is not valid snappy or when the declared decoded size is over maxDecodedSize
 * (checked before allocating). A run decompressing many blocks uses a SnappyCodec.
 */
export function snappyDecompress(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array {
  const length = readHeader(src, maxDecodedSize);
  return decompressJs(src, headerEndOf(src), length, new Uint8Array(length), null);
}

/** snappyDecompress (kept for callers without a codec: each call gets a fresh array, valid as long as they keep it). */
export function snappyDecompressTransient(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array {
  return snappyDecompress(src, maxDecodedSize);
}

/** snappyDecompress with our JavaScript decoder (tests; the same as snappyDecompress). */
export function snappyDecompressJs(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array {
  return snappyDecompress(src, maxDecodedSize);
}

/** The declared length of a block, checked against the limit (its tags start at headerEndOf). */
function readHeader(src: Uint8Array, maxDecodedSize: number): number {
  let length = 0;
  let shift = 0;
  let pos = 0;
  for (;;) {
    if (pos >= src.length || pos >= 5) throw new WireError('snappy: invalid block header');
    const c = src[pos++]!;
    length += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
    shift += 7;
  }
  if (length > 0xffffffff) throw new WireError('snappy: invalid block header');
  if (length > maxDecodedSize) {
    throw new WireError(`snappy: declared decoded size ${length} bytes is over --max-decoded-size ${maxDecodedSize}`);
  }
  return length;
}

/** Where the tags of a block whose header readHeader accepted start. */
function headerEndOf(src: Uint8Array): number {
  let pos = 0;
  while (src[pos++]! >= 0x80);
  return pos;
}

/** Our JavaScript decoder, the header already read: the tags start at `pos`, `length` declared, into `out` (its view, or null). */
function decompressJs(src: Uint8Array, pos: number, length: number, out: Uint8Array, outView: DataView | null): Uint8Array {
  const ov = outView ?? new DataView(out.buffer, out.byteOffset, out.byteLength);
  const op = decodeBlock(src, new DataView(src.buffer, src.byteOffset, src.byteLength), pos, out, ov, length);
  if (op !== length) throw new WireError(`snappy: decoded ${op} bytes but the header declares ${length}`);
  return out;
}

/**
 * The tag loop, kept in its own small function so V8 optimises it as a whole (a long loop inside
 * the caller would be OSR-compiled and deoptimised at its exit on every call). Returns the
 * number of bytes written; every read and write is bounds-checked against src and `length`.
 *
 * Short literals and copies (most tags of a remote-write body) move four bytes per step through
 * DataViews, as C decoders do, and may write up to 3 bytes past their end: only where the
 * output has that room before `length`, and the next tag overwrites them. A copy does this only
 * when its offset is at least 4, so every 4-byte read is of bytes already final. ~1.3x the
 * byte loop on the bench captures.
 */
function decodeBlock(src: Uint8Array, sv: DataView, start: number, out: Uint8Array, ov: DataView, length: number): number {
  const n = src.length;
  let op = 0;
  let pos = start;
  while (pos < n) {
    const c = src[pos++]!;
    const kind = c & 3;
    if (kind === 0) {
      let len = (c >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > n) throw corrupt();
        len = 0;
        for (let i = 0; i < extra; i++) len += src[pos + i]! * 2 ** (8 * i);
        len += 1;
        pos += extra;
      }
      if (pos + len > n || op + len > length) throw corrupt();
      if (len <= SHORT_COPY && pos + len + 3 <= n && op + len + 3 <= length) {
        let i = 0;
        do {
          ov.setUint32(op + i, sv.getUint32(pos + i, true), true);
          i += 4;
        } while (i < len);
      } else if (len < LOOP_MAX) {
        for (let i = 0; i < len; i++) out[op + i] = src[pos + i]!;
      } else {
        out.set(src.subarray(pos, pos + len), op);
      }
      pos += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= n) throw corrupt();
      len = ((c >>> 2) & 7) + 4;
      offset = ((c >>> 5) << 8) | src[pos]!;
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > n) throw corrupt();
      len = (c >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw corrupt();
      len = (c >>> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > op || op + len > length) throw corrupt();
    if (offset >= 4 && len <= SHORT_COPY && op + len + 3 <= length) {
      const from = op - offset;
      let i = 0;
      do {
        ov.setUint32(op + i, ov.getUint32(from + i, true), true);
        i += 4;
      } while (i < len);
    } else if (offset >= len) {
      if (len < LOOP_MAX) {
        const from = op - offset;
        for (let i = 0; i < len; i++) out[op + i] = out[from + i]!;
      } else {
        out.copyWithin(op, op - offset, op - offset + len);
      }
    } else {
      // overlapping copy: byte by byte repeats the pattern
      const from = op - offset;
      for (let i = 0; i < len; i++) out[op + i] = out[from + i]!;
    }
    op += len;
  }
  return op;
}

function corrupt(): WireError {
  return new WireError('snappy: corrupt input');
}

/** Compress to a snappy block (snappyjs). */
export function snappyCompress(src: Uint8Array): Uint8Array {
  return snappyjs().compress(src);
}

/** snappyCompress (kept for round 1's writers: a fresh array each call). */
export function snappyCompressTransient(src: Uint8Array): Uint8Array {
  return snappyCompress(src);
}

/**
 * snappyCompress into `scratch.buf` (grown there when too small): the result is valid until the
 * next call with the same scratch, which its owner (one output writer) keeps.
 */
export function snappyCompressInto(src: Uint8Array, scratch: { buf: Uint8Array }): Uint8Array {
  const c = new (compressor().SnappyCompressor)(src);
  const max = c.maxCompressedLength();
  if (scratch.buf.length < max) scratch.buf = new Uint8Array(Math.max(max, scratch.buf.length * 2));
  return scratch.buf.subarray(0, c.compressToBuffer(scratch.buf));
}

/** snappyjs's own decompressor, kept for the benchmark comparison (the decode floor uses it). */
export function snappyjsDecompress(src: Uint8Array, maxDecodedSize: number = DEFAULT_MAX_DECODED_SIZE): Uint8Array {
  return snappyjs().uncompress(src, maxDecodedSize);
}
