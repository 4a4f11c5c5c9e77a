// Replays the fuzz corpus kept in tests/fuzz/corpus (seeds plus what
// libFuzzer found worth keeping, docs/image-format.md "Fuzzing") through the
// same checks as the fuzz targets, so every build, and the asan preset,
// re-runs what the fuzzers explored.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "tests/fuzz/fuzz_checks.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus(const std::string& kind) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(test::source_path("tests/fuzz/corpus/" + kind)))
    if (e.is_regular_file()) files.push_back(e.path());
  return files;
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

TEST(FuzzCorpus, ImageReaderHandlesEveryInput) {
  const std::vector<fs::path> files = corpus("image");
  ASSERT_GE(files.size(), 4u) << "the seeds are missing";
  for (const fs::path& f : files) {
    const std::vector<uint8_t> bytes = read_bytes(f);
    EXPECT_EQ(fuzz::check_image_input(bytes.data(), bytes.size()), "") << f.filename();
  }
}

TEST(FuzzCorpus, AssemblerHandlesEveryInput) {
  const std::vector<fs::path> files = corpus("asm");
  ASSERT_GE(files.size(), 4u) << "the seeds are missing";
  for (const fs::path& f : files) {
    const std::vector<uint8_t> bytes = read_bytes(f);
    EXPECT_EQ(fuzz::check_assembly_input(bytes.data(), bytes.size()), "") << f.filename();
  }
}

}  // namespace
}  // namespace cimvp
