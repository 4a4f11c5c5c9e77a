// Where the source tree is, for tests that read shipped files (presets).
#pragma once

#include <cstdlib>
#include <string>

namespace cimvp::test {

inline std::string source_path(const std::string& relative) {
  const char* env = std::getenv("CIMVP_SOURCE_DIR");
  return std::string(env ? env : CIMVP_SOURCE_DIR) + "/" + relative;
}

}  // namespace cimvp::test
