// to_yaml writes every parameter; reading it back gives an equal config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/arch_config.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

TEST(ConfigYaml, RoundTripOfEveryPreset) {
  for (const char* name : {"default", "cim-aq-paper", "isaac-like", "prime-like", "large"}) {
    const ArchConfig a = load_arch_config(test::source_path(std::string("configs/arch/") + name + ".yaml"));
    const std::string text = to_yaml(a);
    const ArchConfig b = parse_arch_config(text, "roundtrip.yaml");
    EXPECT_TRUE(a == b) << name << "\n" << text;
    EXPECT_EQ(to_yaml(b), text) << name;
  }
}

TEST(ConfigYaml, WritesEveryKeyInItsSection) {
  const std::string text = to_yaml(ArchConfig{});
  for (const ParamInfo& p : arch_params()) {
    const size_t dot = p.key.find('.');
    if (dot == std::string::npos) {
      EXPECT_THAT(text, HasSubstr("\n" + p.key + ": ")) << p.key;
    } else {
      EXPECT_THAT(text, HasSubstr("\n" + p.key.substr(0, dot) + ":\n")) << p.key;
      EXPECT_THAT(text, HasSubstr("\n  " + p.key.substr(dot + 1) + ": ")) << p.key;
    }
  }
}

TEST(ConfigYaml, RoundTripOfAwkwardValues) {
  ArchConfig a;
  a.name = "a: b # c";  // needs quoting
  a.crossbar.read_ns = 0.1 + 0.2;  // not exactly representable in short decimal
  a.adc.ns = 1.0 / 1.28;
  a.memory.bytes_per_ns = 12.8;
  a.energy.cell_program_pj = 1e-7;
  a.crossbar.mapping = WeightMapping::Offset;
  a.buffer.bytes = (int64_t(1) << 32);
  a.adc.full_scale = 123456789;
  const ArchConfig b = parse_arch_config(to_yaml(a), "awkward.yaml");
  EXPECT_TRUE(a == b) << to_yaml(a);
  EXPECT_EQ(b.name, "a: b # c");
  EXPECT_EQ(b.crossbar.read_ns, 0.1 + 0.2);
  EXPECT_THAT(to_yaml(a), HasSubstr("bytes_per_ns: 12.8 "));  // shortest form, not 12.800000000000001
}

TEST(ConfigYaml, EqualityLooksAtEveryParameter) {
  ArchConfig a, b;
  EXPECT_TRUE(a == b);
  b.energy.memory_pj_per_byte += 1;
  EXPECT_TRUE(a != b);
  b = a;
  b.name = "other";
  EXPECT_TRUE(a != b);
}

}  // namespace
}  // namespace cimvp
