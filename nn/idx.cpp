#include "nn/idx.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "common/error.h"

namespace cimvp {

std::string read_maybe_gzip(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open file");
  std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (raw.size() < 2 || uint8_t(raw[0]) != 0x1f || uint8_t(raw[1]) != 0x8b) return raw;

  // gzip: inflate with automatic header detection (windowBits 15 + 32).
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw Error(path + ": cannot initialize zlib");
  std::string out;
  out.reserve(raw.size() * 4);
  z.next_in = reinterpret_cast<Bytef*>(raw.data());
  z.avail_in = uInt(raw.size());
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      inflateEnd(&z);
      throw Error(path + ": truncated gzip stream (ends after " + std::to_string(raw.size()) +
                  " compressed bytes, " + std::to_string(out.size()) + " bytes inflated)");
    }
    if (rc != Z_OK) {
      const std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
      inflateEnd(&z);
      throw Error(path + ": corrupt gzip stream (" + msg + ")");
    }
  }
  inflateEnd(&z);
  return out;
}

IdxArray parse_idx(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 4)
    throw Error(source + ": not an IDX file: " + std::to_string(bytes.size()) + " bytes, shorter than the 4-byte magic");
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  if (b[0] != 0 || b[1] != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
    throw Error(source + ": not an IDX file: bad magic " + hex + " (expected 00 00 08 NDIMS)");
  }
  if (b[2] != 0x08) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", b[2]);
    throw Error(source + ": IDX value type " + hex + " is not supported (only unsigned bytes, 0x08)");
  }
  const int ndims = b[3];
  if (ndims < 1 || ndims > 4)
    throw Error(source + ": IDX file has " + std::to_string(ndims) + " dimensions (expected 1 to 4)");
  const size_t header = 4 + 4 * size_t(ndims);
  if (bytes.size() < header)
    throw Error(source + ": truncated IDX header: " + std::to_string(bytes.size()) + " bytes, the " +
                std::to_string(ndims) + " dimensions need " + std::to_string(header));
  IdxArray a;
  uint64_t total = 1;
  for (int d = 0; d < ndims; ++d) {
    const uint8_t* p = b + 4 + 4 * d;
    const uint32_t v = uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
    if (v == 0 || v > (1u << 28))
      throw Error(source + ": IDX dimension " + std::to_string(d) + " is " + std::to_string(v) +
                  " (expected 1 to 2^28)");
    a.dims.push_back(v);
    total *= v;
    if (total > (uint64_t(1) << 34)) throw Error(source + ": IDX dimensions describe more than 2^34 values");
  }
  const uint64_t have = bytes.size() - header;
  if (have < total)
    throw Error(source + ": truncated IDX file: the dimensions need " + std::to_string(total) +
                " data bytes, the file has " + std::to_string(have));
  if (have > total)
    throw Error(source + ": IDX file has " + std::to_string(have - total) +
                " bytes after the data the dimensions describe (wrong dimensions or a corrupt file)");
  a.data.assign(b + header, b + header + total);
  return a;
}

IdxArray read_idx(const std::string& path) { return parse_idx(read_maybe_gzip(path), path); }

}  // namespace cimvp
