// The shipped presets in configs/arch/: each loads and validates, the ideal-ADC
// ones are ideal, and the paper preset says what the paper says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/arch_config.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

ArchConfig preset(const std::string& name) { return load_arch_config(test::source_path("configs/arch/" + name + ".yaml")); }

std::string preset_text(const std::string& name) {
  std::ifstream in(test::source_path("configs/arch/" + name + ".yaml"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ConfigPresets, EveryPresetLoadsAndValidates) {
  for (const char* name : {"default", "cim-aq-paper", "isaac-like", "prime-like", "large", "rram-wan2022"}) {
    SCOPED_TRACE(name);
    ArchConfig a;
    ASSERT_NO_THROW(a = preset(name));
    EXPECT_EQ(a.name, name);
    EXPECT_NO_THROW(validate(a, name));
    EXPECT_GE(a.crossbar.max_tile_cols(8), 1);
  }
}

// One meaning of "default": the built-in values (what a YAML file that
// leaves a key out gets) are configs/arch/default.yaml's, every one of them.
TEST(ConfigPresets, BuiltInDefaultsAreDefaultYaml) {
  const ArchConfig built_in;
  EXPECT_EQ(to_yaml(built_in), to_yaml(preset("default")));
  EXPECT_TRUE(built_in == preset("default"));
  EXPECT_EQ(built_in.fingerprint(), preset("default").fingerprint());
}

TEST(ConfigPresets, DefaultIsASmallMultiCoreSoc) {
  const ArchConfig a = preset("default");
  EXPECT_EQ(a.cores(), 4);
  EXPECT_EQ(a.crossbars_per_core(), 8);
  EXPECT_EQ(a.crossbar.rows, 256);
  EXPECT_EQ(a.crossbar.cols, 256);
  EXPECT_EQ(a.crossbar.cell_bits, 2);
  EXPECT_EQ(a.max_column_sum(), 256 * 3 * 1);
  EXPECT_GE(a.buffer.bytes, 256 * 1024);
  EXPECT_EQ(a.memory.bytes, 64ll << 20);
}

TEST(ConfigPresets, PaperPresetIsTheAnalyticalSetting) {
  const ArchConfig a = preset("cim-aq-paper");
  EXPECT_EQ(a.cores(), 1);
  EXPECT_EQ(a.crossbars_per_core(), 1);
  EXPECT_EQ(a.crossbar.rows, 256);
  EXPECT_EQ(a.crossbar.cols, 256);
  EXPECT_EQ(a.crossbar.cell_bits, 4);
  EXPECT_EQ(a.dac.bits, 1);
  EXPECT_EQ(a.crossbar.mapping, WeightMapping::DifferentialColumn);
  EXPECT_EQ(a.crossbar.program_ns, 56000.0);
  EXPECT_EQ(a.crossbar.read_ns, 1400.0);
  EXPECT_EQ(a.clock_mhz, 1000.0);
  // Zero cost for everything but programming and reads.
  EXPECT_EQ(a.crossbar.program_row_ns, 0.0);
  EXPECT_EQ(a.core.issue_cycles, 0);
  EXPECT_EQ(a.core.barrier_cycles, 0);
  EXPECT_EQ(a.shift_add.cycles, 0);
  EXPECT_EQ(a.dac.ns, 0.0);
  EXPECT_EQ(a.adc.ns, 0.0);
  EXPECT_EQ(a.buffer.latency_cycles, 0);
  EXPECT_EQ(a.buffer.width_bytes, 0);
  EXPECT_EQ(a.gpeu.startup_cycles, 0);
  EXPECT_EQ(a.gpeu.lanes, 0);
  EXPECT_EQ(a.noc.hop_cycles, 0);
  EXPECT_EQ(a.noc.link_bytes, 0);
  EXPECT_EQ(a.memory.latency_ns, 0.0);
  EXPECT_EQ(a.memory.bytes_per_ns, 0.0);
  // VGG-16 at 224 x 224: the largest activation pair (conv1_2: 2 x 224*224*64
  // bytes at 8 bits = 6.4 MB) and all 138 M weights (138 MB at 8 bits) fit.
  EXPECT_GE(a.buffer.bytes, 2ll * 224 * 224 * 64);
  EXPECT_GE(a.memory.bytes, 138'400'000ll + 2ll * 224 * 224 * 64);
}

TEST(ConfigPresets, IsaacAndPrimeLikeGeometry) {
  const ArchConfig i = preset("isaac-like");
  EXPECT_EQ(i.crossbar.rows, 128);
  EXPECT_EQ(i.crossbar.cols, 128);
  EXPECT_EQ(i.crossbar.cell_bits, 2);
  EXPECT_EQ(i.dac.bits, 1);
  EXPECT_EQ(i.crossbar.mapping, WeightMapping::Offset);
  EXPECT_EQ(i.adc.bits, 8);
  EXPECT_EQ(i.core.crossbars_per_pe, 8);
  const ArchConfig p = preset("prime-like");
  EXPECT_EQ(p.crossbar.rows, 256);
  EXPECT_EQ(p.crossbar.cols, 256);
  EXPECT_EQ(p.crossbar.cell_bits, 4);
  EXPECT_EQ(p.dac.bits, 3);
  EXPECT_EQ(p.crossbar.mapping, WeightMapping::DifferentialColumn);
  EXPECT_EQ(p.adc.bits, 6);
}

// ResNet-18 (ImageNet) at W8 must fit the large preset without reprogramming:
// count tiles per layer with the paper's formula, independently of the compiler.
TEST(ConfigPresets, LargeHoldsResNet18AtW8) {
  const ArchConfig a = preset("large");
  EXPECT_EQ(a.cores(), 64);
  struct Layer { int out, in, count; };  // outputs, inputs (Cin*k*k), how many such layers
  const Layer layers[] = {
      {64, 3 * 7 * 7, 1},                                        // conv1
      {64, 64 * 9, 4},                                           // layer1
      {128, 64 * 9, 1}, {128, 128 * 9, 3}, {128, 64, 1},         // layer2 (+ downsample)
      {256, 128 * 9, 1}, {256, 256 * 9, 3}, {256, 128, 1},       // layer3
      {512, 256 * 9, 1}, {512, 512 * 9, 3}, {512, 256, 1},       // layer4
      {1000, 512, 1},                                            // fc
  };
  int64_t weights = 0, tiles = 0;
  for (const Layer& l : layers) {
    weights += int64_t(l.out) * l.in * l.count;
    const int64_t cols = int64_t(l.out) * 2 * 2;  // 8-bit weight, 4-bit cells: 2 cells, x2 differential
    const int64_t rows = l.in;
    tiles += l.count * ((cols + a.crossbar.cols - 1) / a.crossbar.cols) * ((rows + a.crossbar.rows - 1) / a.crossbar.rows);
  }
  EXPECT_NEAR(double(weights), 11.68e6, 0.05e6);
  EXPECT_EQ(tiles, 727);
  EXPECT_GE(int64_t(a.cores()) * a.crossbars_per_core(), tiles);
}

}  // namespace
}  // namespace cimvp
