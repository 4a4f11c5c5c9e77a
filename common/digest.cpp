#include "common/digest.h"

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <vector>

#include "common/error.h"

namespace cimvp {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

std::string file_digest(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot read the file");
  uint64_t h = fnv1a({});
  std::vector<char> block(1 << 20);
  while (f) {
    f.read(block.data(), std::streamsize(block.size()));
    h = fnv1a(std::string_view(block.data(), size_t(f.gcount())), h);
  }
  if (f.bad()) throw Error(path + ": read error");
  return hex64(h);
}

}  // namespace cimvp
