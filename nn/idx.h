// IDX files (the MNIST container format): a 4-byte magic 00 00 TYPE NDIMS,
// NDIMS big-endian uint32 dimensions, then the values in row-major order.
// Only unsigned bytes (TYPE 0x08) are used by the datasets we read. Files
// may be gzip-compressed (detected by the gzip magic, not the name).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimvp {

struct IdxArray {
  std::vector<uint32_t> dims;  // e.g. {60000, 28, 28} or {60000}
  std::vector<uint8_t> data;   // product(dims) values
  uint64_t count() const { return dims.empty() ? 0 : dims[0]; }
};

// Parses the bytes of an (uncompressed) IDX file. `source` names the file in
// errors. Throws cimvp::Error for: a bad magic, an unsupported value type,
// zero or too many dimensions, and a data section shorter (truncated) or
// longer than the dimensions say.
IdxArray parse_idx(const std::string& bytes, const std::string& source);

// Reads `path` (raw or gzip) and parses it. A missing file, a corrupt or
// truncated gzip stream and every parse_idx() error name the path.
IdxArray read_idx(const std::string& path);

// Reads a whole file, inflating it if it starts with the gzip magic.
std::string read_maybe_gzip(const std::string& path);

}  // namespace cimvp
