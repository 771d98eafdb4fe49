// The shape of a CapturedRequest (SPEC 4.1) checked on its bytes alone, without decoding it:
// known fields with their wire types, each singular field once, every length ending exactly at
// the record's end. A record framed wrongly (a damaged length prefix) does not have it. Used by
// `record --append`'s scan of an existing capture and by the reader's resynchronisation after
// damage (pipeline/inputs.ts), which look for where good records resume.

/** A protobuf varint at b[i...]: [value, bytes] or null when b ends first; -1 bytes when longer than 10 bytes. */
export function captureVarint(b: Uint8Array, i: number, end: number): [number, number] | null {
  let v = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    if (i + k >= end) return null;
    const x = b[i + k]!;
    v += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) return [v, k + 1];
  }
  return [0, -1];
}

/** Field number -> the wire type a CapturedRequest gives it (SPEC 4.1). */
const WIRE: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 5 };
/** Unknown fields are allowed (the format can grow) up to this field number; beyond it is damage. */
const MAX_FIELD = 1000;

/**
 * Walk the top-level fields of a CapturedRequest in b[0, n). With `partial`, the bytes may stop
 * anywhere (a record cut by the end of the file): a field running past n is fine, but every
 * field before it must be valid. Returns why it is not a record, or null.
 */
export function captureShapeProblem(b: Uint8Array, n: number, partial: boolean): string | null {
  let seen = 0; // bits of the singular fields met
  let i = 0;
  while (i < n) {
    const t = captureVarint(b, i, n);
    if (t === null) return partial ? null : 'a field tag runs past the end of the record';
    if (t[1] < 0) return 'a field tag longer than 10 bytes';
    const field = Math.floor(t[0] / 8);
    const wt = t[0] % 8;
    i += t[1];
    if (field === 0) return 'field number 0';
    if (field > MAX_FIELD) return `field number ${field}, not one of a capture record`;
    const want = WIRE[field];
    if (want !== undefined && want !== wt) return `field ${field} has wire type ${wt}, a capture record gives it ${want}`;
    if (want !== undefined && field !== 6) {
      if (seen & (1 << field)) return `field ${field} appears twice`;
      seen |= 1 << field;
    }
    switch (wt) {
      case 0: {
        const v = captureVarint(b, i, n);
        if (v === null) return partial ? null : 'a varint runs past the end of the record';
        if (v[1] < 0) return 'a varint longer than 10 bytes';
        i += v[1];
        break;
      }
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      case 2: {
        const l = captureVarint(b, i, n);
        if (l === null) return partial ? null : 'a field length runs past the end of the record';
        if (l[1] < 0) return 'a field length longer than 10 bytes';
        i += l[1] + l[0];
        break;
      }
      default:
        return `wire type ${wt} (groups and unknown wire types are not in capture records)`;
    }
    if (i > n && !partial) return `field ${field} runs past the end of the record`;
  }
  return null;
}

