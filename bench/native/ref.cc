// The native reference (issue 18): the decode floor's work (bench/floor.mjs) in C++ with
// libsnappy, to show how far a JavaScript replay is from what the machine can do. Read the
// capture in 1 MiB chunks, parse the delimited CapturedRequests (rwcap, SPEC 4.1), decompress
// every snappy body with libsnappy into one reused buffer, and walk the protobuf bytes once
// (every tag, varint and length of WriteRequest -> TimeSeries -> Label / Sample / Exemplar /
// Histogram, and MetricMetadata), counting what the floor counts. No objects are built.
//
// usage: ref FILE.rwcap   -> one JSON line on stdout, the same fields and counts as the floor
// build: node bench/native/build.mjs (g++ -O2 ref.cc -lsnappy)
#include <snappy.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Counts {
  uint64_t requests = 0, series = 0, samples = 0, labels = 0, bodyBytes = 0, decodedBytes = 0;
};

[[noreturn]] void fail(const char* file, const std::string& why) {
  std::fprintf(stderr, "ref: %s: %s\n", file, why.c_str());
  std::exit(1);
}

// A protobuf walker over one decoded body; throws (returns false) on malformed input.
struct Walker {
  const uint8_t* b;
  size_t pos = 0;
  size_t end;
  bool ok = true;
  Counts& c;

  Walker(const uint8_t* bytes, size_t n, Counts& counts) : b(bytes), end(n), c(counts) {}

  uint64_t varint() {
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        ok = false;
        return 0;
      }
      uint8_t byte = b[pos++];
      x |= uint64_t(byte & 0x7f) << (shift < 64 ? shift : 63);
      if (byte < 0x80) return x;
    }
    ok = false;
    return 0;
  }

  void skip(uint32_t wire) {
    switch (wire) {
      case 0:
        varint();
        return;
      case 1:
        pos += 8;
        return;
      case 2: {
        uint64_t len = varint();
        pos += len;
        return;
      }
      case 5:
        pos += 4;
        return;
      default:
        ok = false;
        pos = end;
    }
  }

  // Label, Sample, MetricMetadata, BucketSpan: scalars, strings and bytes only.
  void flat(size_t stop) {
    while (ok && pos < stop) skip(uint32_t(varint()) & 7);
  }

  void exemplar(size_t stop) {
    while (ok && pos < stop) {
      uint32_t tag = uint32_t(varint());
      if (tag == 0x0a) {
        uint64_t len = varint();
        flat(pos + len);
      } else {
        skip(tag & 7);
      }
    }
  }

  void histogram(size_t stop) {
    while (ok && pos < stop) {
      uint32_t tag = uint32_t(varint());
      uint32_t field = tag >> 3;
      if ((field == 8 || field == 11) && (tag & 7) == 2) {
        uint64_t len = varint();
        flat(pos + len);  // BucketSpan
      } else if ((field == 9 || field == 12) && (tag & 7) == 2) {
        uint64_t len = varint();  // packed sint64 deltas
        size_t s = pos + len;
        while (ok && pos < s) varint();
      } else {
        skip(tag & 7);
      }
    }
  }

  void timeSeries(size_t stop) {
    while (ok && pos < stop) {
      uint32_t tag = uint32_t(varint());
      if ((tag & 7) != 2) {
        skip(tag & 7);
        continue;
      }
      uint64_t len = varint();
      size_t s = pos + len;
      switch (tag >> 3) {
        case 1:
          c.labels++;
          flat(s);
          break;
        case 2:
          c.samples++;
          flat(s);
          break;
        case 3:
          exemplar(s);
          break;
        case 4:
          c.samples++;
          histogram(s);
          break;
        default:
          pos = s;
      }
      if (pos != s) ok = false;
    }
  }

  void writeRequest() {
    while (ok && pos < end) {
      uint32_t tag = uint32_t(varint());
      if (tag == 0x0a) {
        uint64_t len = varint();
        c.series++;
        timeSeries(pos + len);
      } else if (tag == 0x1a) {
        uint64_t len = varint();
        flat(pos + len);
      } else {
        skip(tag & 7);
      }
    }
    if (pos > end) ok = false;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ref FILE.rwcap\n");
    return 2;
  }
  const char* file = argv[1];
  FILE* f = std::fopen(file, "rb");
  if (!f) fail(file, std::strerror(errno));

  const size_t CHUNK = 1 << 20;
  std::vector<uint8_t> buf(2 * CHUNK);
  size_t start = 0, end = 0;  // unconsumed data in buf[start, end)
  bool eof = false;
  auto fill = [&]() {
    if (start > 0) {
      std::memmove(buf.data(), buf.data() + start, end - start);
      end -= start;
      start = 0;
    }
    if (buf.size() - end < CHUNK) buf.resize(std::max(buf.size() * 2, end + CHUNK));
    size_t n = std::fread(buf.data() + end, 1, buf.size() - end, f);
    if (n == 0) eof = true;
    end += n;
  };

  while (end < 7 && !eof) fill();
  if (end < 7 || std::memcmp(buf.data(), "RWCAP1\n", 7) != 0) fail(file, "not an rwcap file");
  start = 7;

  Counts c;
  std::string out;  // the decompressed body, reused
  uint64_t record = 0;
  for (;;) {
    if (start == end) {
      if (eof) break;
      fill();
      continue;
    }
    size_t p = start;
    uint64_t len = 0;
    bool complete = false;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      uint8_t byte = buf[p++];
      len |= uint64_t(byte & 0x7f) << shift;
      if (byte < 0x80) {
        complete = true;
        break;
      }
    }
    if (!complete || p + len > end) {
      if (eof) fail(file, "truncated record " + std::to_string(record));
      fill();
      continue;
    }
    // CapturedRequest: body (5) and content_encoding (4)
    const uint8_t* rec = buf.data() + p;
    size_t q = 0;
    const uint8_t* body = nullptr;
    size_t bodyLen = 0;
    bool snappyEnc = false;
    while (q < len) {
      uint32_t tag = rec[q++];
      if (tag >= 0x80) {
        tag &= 0x7f;
        tag |= uint32_t(rec[q++] & 0x7f) << 7;  // field numbers < 2048
      }
      uint32_t wire = tag & 7;
      if (wire == 0) {
        while (q < len && rec[q++] >= 0x80) {
        }
      } else if (wire == 2) {
        uint64_t l = 0;
        for (int shift = 0; q < len; shift += 7) {
          uint8_t byte = rec[q++];
          l |= uint64_t(byte & 0x7f) << shift;
          if (byte < 0x80) break;
        }
        uint32_t field = tag >> 3;
        if (field == 5) {
          body = rec + q;
          bodyLen = l;
        } else if (field == 4) {
          snappyEnc = l == 6 && rec[q] == 's';
        }
        q += l;
      } else if (wire == 5) {
        q += 4;
      } else if (wire == 1) {
        q += 8;
      } else {
        fail(file, "bad wire type in record " + std::to_string(record));
      }
    }
    c.requests++;
    if (body) {
      c.bodyBytes += bodyLen;
      const uint8_t* raw = body;
      size_t rawLen = bodyLen;
      if (snappyEnc) {
        size_t n = 0;
        if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(body), bodyLen, &n)) fail(file, "bad snappy header in record " + std::to_string(record));
        if (out.size() < n) out.resize(n);
        if (!snappy::RawUncompress(reinterpret_cast<const char*>(body), bodyLen, &out[0])) fail(file, "bad snappy block in record " + std::to_string(record));
        raw = reinterpret_cast<const uint8_t*>(out.data());
        rawLen = n;
      }
      c.decodedBytes += rawLen;
      Walker w(raw, rawLen, c);
      w.writeRequest();
      if (!w.ok) fail(file, "bad protobuf in record " + std::to_string(record));
    }
    record++;
    start = p + len;
  }
  std::fclose(f);
  std::printf("{\"requests\":%" PRIu64 ",\"series\":%" PRIu64 ",\"samples\":%" PRIu64 ",\"labels\":%" PRIu64 ",\"bodyBytes\":%" PRIu64 ",\"decodedBytes\":%" PRIu64 "}\n", c.requests, c.series, c.samples,
              c.labels, c.bodyBytes, c.decodedBytes);
  return 0;
}
