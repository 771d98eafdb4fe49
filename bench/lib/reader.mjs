// Streaming rwcap record reader shared by bench/floor.mjs and bench/naive.mjs: reads the file in
// 1 MiB chunks (memory does not grow with the capture, as the product must stream) and calls
// onRecord(bytes, offset) for each delimited CapturedRequest. `bytes` is a view valid only during
// the call.
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;

export function readRwcap(path, onRecord) {
  const fd = openSync(path, 'r');
  let buf = Buffer.allocUnsafe(CHUNK * 2);
  let start = 0; // unconsumed data in buf[start, end)
  let end = 0;
  let fileOffset = 0; // file offset of buf[start]
  let eof = false;
  const fill = () => {
    if (start > 0) {
      buf.copy(buf, 0, start, end);
      end -= start;
      start = 0;
    }
    if (buf.length - end < CHUNK) {
      const next = Buffer.allocUnsafe(Math.max(buf.length * 2, end + CHUNK));
      buf.copy(next, 0, 0, end);
      buf = next;
    }
    const n = readSync(fd, buf, end, buf.length - end, null);
    if (n === 0) eof = true;
    end += n;
  };
  try {
    while (end < 7 && !eof) fill();
    if (end < 7 || buf.toString('latin1', 0, 7) !== 'RWCAP1\n') throw new Error(`${path}: not an rwcap file`);
    start = 7;
    fileOffset = 7;
    for (;;) {
      if (start === end) {
        if (eof) break;
        fill();
        continue;
      }
      // varint length
      let p = start;
      let len = 0;
      let mul = 1;
      let b;
      let complete = false;
      while (p < end) {
        b = buf[p++];
        len += (b & 0x7f) * mul;
        mul *= 128;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete || p + len > end) {
        if (eof) throw new Error(`${path}: truncated record at offset ${fileOffset}`);
        fill();
        continue;
      }
      onRecord(buf.subarray(p, p + len), fileOffset);
      fileOffset += p + len - start;
      start = p + len;
    }
  } finally {
    closeSync(fd);
  }
}
