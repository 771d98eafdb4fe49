// The decode floor (SPEC 11): read the capture, snappy-decompress every body with snappyjs, and
// walk the protobuf bytes once (every tag, varint and length of WriteRequest -> TimeSeries ->
// Label / Sample / Exemplar / Histogram, and MetricMetadata), counting samples. No objects are
// built. The bench measures this whole process (spawned like the product), so node start-up and
// module loading are in the floor as they are in `ha-dedup replay`.
//
// usage: node bench/floor.mjs FILE.rwcap [--crc]   -> one JSON line on stdout
//   --crc  also verify body_crc32 (the product must; the SPEC's floor does not include it)
import snappy from 'snappyjs';
import { readRwcap } from './lib/reader.mjs';
import { crc32 } from './lib/pb.mjs';

const file = process.argv[2];
const checkCrc = process.argv.includes('--crc');
if (!file) {
  console.error('usage: node bench/floor.mjs FILE.rwcap [--crc]');
  process.exit(2);
}

let requests = 0;
let series = 0;
let samples = 0;
let labels = 0;
let bodyBytes = 0;
let decodedBytes = 0;
let pos = 0; // read position, shared by the walkers below

function varint(b) {
  let x = b[pos++];
  if (x < 0x80) return x;
  x &= 0x7f;
  let mul = 128;
  for (;;) {
    const c = b[pos++];
    x += (c & 0x7f) * mul;
    if (c < 0x80) return x;
    mul *= 128;
    if (mul > 2 ** 70) throw new Error('bad varint');
  }
}

function skip(b, wire) {
  switch (wire) {
    case 0:
      varint(b);
      return;
    case 1:
      pos += 8;
      return;
    case 2: {
      const len = varint(b); // (not `pos += varint(b)`: that reads pos before the call)
      pos += len;
      return;
    }
    case 5:
      pos += 4;
      return;
    default:
      throw new Error(`bad wire type ${wire} at ${pos}`);
  }
}

/** A message whose fields are all scalars / strings / bytes (Label, Sample, MetricMetadata, BucketSpan). */
function walkFlat(b, end) {
  while (pos < end) {
    const tag = varint(b);
    skip(b, tag & 7);
  }
}

function walkExemplar(b, end) {
  while (pos < end) {
    const tag = varint(b);
    if (tag === 0x0a) {
      const len = varint(b);
      walkFlat(b, pos + len);
    } else skip(b, tag & 7);
  }
}

function walkHistogram(b, end) {
  while (pos < end) {
    const tag = varint(b);
    const field = tag >>> 3;
    if ((field === 8 || field === 11) && (tag & 7) === 2) {
      const len = varint(b);
      walkFlat(b, pos + len); // BucketSpan
    } else if ((field === 9 || field === 12) && (tag & 7) === 2) {
      const len = varint(b); // packed sint64 deltas
      const stop = pos + len;
      while (pos < stop) varint(b);
    } else skip(b, tag & 7);
  }
}

function walkTimeSeries(b, end) {
  while (pos < end) {
    const tag = varint(b);
    if ((tag & 7) !== 2) {
      skip(b, tag & 7);
      continue;
    }
    const len = varint(b);
    const stop = pos + len;
    switch (tag >>> 3) {
      case 1:
        labels++;
        walkFlat(b, stop);
        break;
      case 2:
        samples++;
        walkFlat(b, stop);
        break;
      case 3:
        walkExemplar(b, stop);
        break;
      case 4:
        samples++;
        walkHistogram(b, stop);
        break;
      default:
        pos = stop;
    }
    if (pos !== stop) throw new Error(`bad message length at ${pos}`);
  }
}

function walkWriteRequest(b) {
  pos = 0;
  const end = b.length;
  while (pos < end) {
    const tag = varint(b);
    if (tag === 0x0a) {
      const len = varint(b);
      series++;
      walkTimeSeries(b, pos + len);
    } else if (tag === 0x1a) {
      const len = varint(b);
      walkFlat(b, pos + len);
    } else skip(b, tag & 7);
  }
}

readRwcap(file, (rec) => {
  // CapturedRequest: find body (5) and content_encoding (4) and body_crc32 (9)
  let p = 0;
  let body = null;
  let snappyEnc = false;
  let crc = 0;
  const n = rec.length;
  while (p < n) {
    let tag = rec[p++];
    if (tag >= 0x80) {
      tag &= 0x7f;
      tag |= (rec[p++] & 0x7f) << 7; // field numbers < 2048
    }
    const wire = tag & 7;
    if (wire === 0) {
      while (rec[p++] >= 0x80);
    } else if (wire === 2) {
      let len = 0;
      let mul = 1;
      let c;
      do {
        c = rec[p++];
        len += (c & 0x7f) * mul;
        mul *= 128;
      } while (c >= 0x80);
      const field = tag >>> 3;
      if (field === 5) body = rec.subarray(p, p + len);
      else if (field === 4) snappyEnc = len === 6 && rec[p] === 0x73; // "snappy"
      p += len;
    } else if (wire === 5) {
      if (tag >>> 3 === 9) crc = rec.readUInt32LE(p);
      p += 4;
    } else if (wire === 1) p += 8;
    else throw new Error(`bad wire type in record`);
  }
  requests++;
  if (!body) return;
  bodyBytes += body.length;
  if (checkCrc && crc !== 0 && crc32(body) !== crc) throw new Error(`crc mismatch in record ${requests - 1}`);
  const raw = snappyEnc ? snappy.uncompress(body) : body;
  decodedBytes += raw.length;
  walkWriteRequest(raw);
});

process.stdout.write(JSON.stringify({ requests, series, samples, labels, bodyBytes, decodedBytes }) + '\n');
