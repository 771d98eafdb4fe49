// Type declarations for snappyjs 0.7 (ships no types). Only wire/ imports it.
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

// snappyjs's compressor class (its `compress` wraps it and allocates the output every call).
declare module 'snappyjs/snappy_compressor.js' {
  export class SnappyCompressor {
    constructor(input: Uint8Array);
    maxCompressedLength(): number;
    /** Writes the snappy block into out (at least maxCompressedLength() bytes); returns its length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
