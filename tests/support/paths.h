// Where the source tree is, for tests that read shipped files (presets), and
// where a test writes its own files.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace cimvp::test {

inline std::string source_path(const std::string& relative) {
  const char* env = std::getenv("CIMVP_SOURCE_DIR");
  return std::string(env ? env : CIMVP_SOURCE_DIR) + "/" + relative;
}

// A file of the running test: ctest runs a file's tests in parallel processes,
// so two tests that write "model.cimvp" must not share one path.
inline std::string temp_path(const std::string& prefix, const std::string& name) {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string test = t ? std::string(t->test_suite_name()) + "." + t->name() + "_" : std::string();
  return ::testing::TempDir() + prefix + test + name;
}

}  // namespace cimvp::test
