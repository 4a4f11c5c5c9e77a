// docs/params.md is params_markdown() (so the documentation cannot drift from
// the table), and docs/configuration.md covers every key and preset.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/arch_config.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

std::string read(const std::string& relative) {
  std::ifstream in(test::source_path(relative), std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ConfigDocs, ParamsMdIsGeneratedFromTheTable) {
  EXPECT_EQ(read("docs/params.md"), params_markdown())
      << "regenerate with: cimvp params --markdown > docs/params.md";
}

TEST(ConfigDocs, ConfigurationMdCoversEveryKeyAndPreset) {
  const std::string doc = read("docs/configuration.md");
  for (const ParamInfo& p : arch_params())
    if (p.key.rfind("energy.", 0) != 0 && p.key.rfind("area.", 0) != 0) {  // documented in params.md, energy-area.md
      EXPECT_THAT(doc, ::testing::HasSubstr(p.key)) << p.key;
    }
  for (const char* preset : {"default.yaml", "cim-aq-paper.yaml", "isaac-like.yaml", "prime-like.yaml", "large.yaml", "rram-wan2022.yaml"})
    EXPECT_THAT(doc, ::testing::HasSubstr(preset)) << preset;
}

}  // namespace
}  // namespace cimvp
