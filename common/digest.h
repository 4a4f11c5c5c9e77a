// Content digests for telling whether an input changed (the search's
// checkpoint fingerprint, sweep point ids): 64-bit FNV-1a, stable across
// runs, machines and builds. Not a cryptographic hash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cimvp {

inline uint64_t fnv1a(std::string_view bytes, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// 16 lower-case hex digits.
std::string hex64(uint64_t v);

// The digest of a file's bytes as hex64; throws cimvp::Error naming the file
// when it cannot be read.
std::string file_digest(const std::string& path);

}  // namespace cimvp
