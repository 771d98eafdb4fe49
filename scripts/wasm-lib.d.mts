// Types of wasm-lib.mjs for the type-checked tests (test/wire/snappy.test.ts imports it).
/** The bytes of src/wire/snappy.wat (under the repository `root`), assembled. */
export function assembleSnappyWat(root: string): Promise<Uint8Array>;
