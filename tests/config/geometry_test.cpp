// Derived geometry against values worked out by hand for each mapping.
#include <gtest/gtest.h>

#include "config/arch_config.h"

namespace cimvp {
namespace {

ArchConfig xbar(int rows, int cols, int cell_bits, WeightMapping m, int dac_bits = 1) {
  ArchConfig a;
  a.crossbar.rows = rows;
  a.crossbar.cols = cols;
  a.crossbar.cell_bits = cell_bits;
  a.crossbar.mapping = m;
  a.dac.bits = dac_bits;
  return a;
}

TEST(ConfigGeometry, DifferentialColumn) {
  const ArchConfig a = xbar(256, 256, 4, WeightMapping::DifferentialColumn);
  EXPECT_EQ(a.crossbar.slices_per_weight(8), 2);
  EXPECT_EQ(a.crossbar.slices_per_weight(5), 2);
  EXPECT_EQ(a.crossbar.slices_per_weight(4), 1);
  EXPECT_EQ(a.crossbar.physical_cols(10, 8), 40);  // 10 weights x 2 cells x (+,-)
  EXPECT_EQ(a.crossbar.physical_cols(10, 3), 20);
  EXPECT_EQ(a.crossbar.physical_rows(100), 100);
  EXPECT_EQ(a.crossbar.max_tile_cols(8), 64);      // 256 / 4
  EXPECT_EQ(a.crossbar.max_tile_cols(4), 128);     // 256 / 2
  EXPECT_EQ(a.crossbar.max_tile_rows(), 256);
}

TEST(ConfigGeometry, DifferentialRow) {
  const ArchConfig a = xbar(256, 256, 4, WeightMapping::DifferentialRow);
  EXPECT_EQ(a.crossbar.physical_cols(10, 8), 20);  // 10 weights x 2 cells
  EXPECT_EQ(a.crossbar.physical_rows(100), 200);   // (+,-) rows
  EXPECT_EQ(a.crossbar.max_tile_cols(8), 128);
  EXPECT_EQ(a.crossbar.max_tile_rows(), 128);
}

TEST(ConfigGeometry, Offset) {
  const ArchConfig a = xbar(256, 256, 4, WeightMapping::Offset);
  EXPECT_EQ(a.crossbar.physical_cols(10, 8), 21);  // 20 cells + 1 reference column
  EXPECT_EQ(a.crossbar.physical_rows(100), 100);
  EXPECT_EQ(a.crossbar.max_tile_cols(8), 127);     // (256 - 1) / 2
  EXPECT_EQ(a.crossbar.max_tile_rows(), 256);
  const ArchConfig isaac = xbar(128, 128, 2, WeightMapping::Offset);
  EXPECT_EQ(isaac.crossbar.slices_per_weight(8), 4);
  EXPECT_EQ(isaac.crossbar.max_tile_cols(8), 31);  // 31 x 4 + 1 = 125 <= 128 < 32 x 4 + 1
  EXPECT_EQ(isaac.crossbar.physical_cols(31, 8), 125);
}

// For every mapping, cell width and weight width: the largest tile fits and
// one more column would not.
TEST(ConfigGeometry, MaxTileIsTight) {
  for (WeightMapping m : {WeightMapping::DifferentialColumn, WeightMapping::DifferentialRow, WeightMapping::Offset})
    for (int cols : {16, 100, 128, 256})
      for (int cb = 1; cb <= 8; ++cb)
        for (int w = 1; w <= 8; ++w) {
          const ArchConfig a = xbar(64, cols, cb, m);
          const int t = a.crossbar.max_tile_cols(w);
          SCOPED_TRACE(std::string(mapping_name(m)) + " cols " + std::to_string(cols) + " cell " +
                       std::to_string(cb) + " w " + std::to_string(w));
          if (t > 0) {
            EXPECT_LE(a.crossbar.physical_cols(t, w), cols);
          }
          EXPECT_GT(a.crossbar.physical_cols(t + 1, w), cols);
          EXPECT_LE(a.crossbar.physical_rows(a.crossbar.max_tile_rows()), 64);
          EXPECT_GT(a.crossbar.physical_rows(a.crossbar.max_tile_rows() + 1), 64);
        }
}

TEST(ConfigGeometry, InputSlices) {
  EXPECT_EQ(xbar(256, 256, 4, WeightMapping::Offset, 1).dac.input_slices(8), 8);
  EXPECT_EQ(xbar(256, 256, 4, WeightMapping::Offset, 3).dac.input_slices(8), 3);
  EXPECT_EQ(xbar(256, 256, 4, WeightMapping::Offset, 3).dac.input_slices(6), 2);
}

TEST(ConfigGeometry, LargestColumnSum) {
  const ArchConfig a = xbar(256, 256, 4, WeightMapping::DifferentialColumn, 1);
  EXPECT_EQ(a.max_column_sum(), 256 * 15);
  const ArchConfig prime = xbar(256, 256, 4, WeightMapping::DifferentialColumn, 3);
  EXPECT_EQ(prime.max_column_sum(), 256 * 15 * 7);  // 26880
  const ArchConfig isaac = xbar(128, 128, 2, WeightMapping::Offset, 1);
  EXPECT_EQ(isaac.max_column_sum(), 128 * 3);
  const ArchConfig wide = xbar(4096, 4096, 8, WeightMapping::DifferentialColumn, 8);
  EXPECT_EQ(wide.max_column_sum(), 266342400);  // 4096 x 255 x 255
}

TEST(ConfigGeometry, CountsAndCycle) {
  ArchConfig a;
  a.mesh.rows = 3;
  a.mesh.cols = 5;
  a.core.pes = 2;
  a.core.crossbars_per_pe = 6;
  a.clock_mhz = 1250;
  EXPECT_EQ(a.cores(), 15);
  EXPECT_EQ(a.crossbars_per_core(), 12);
  EXPECT_DOUBLE_EQ(a.cycle_ns(), 0.8);
}

TEST(ConfigGeometry, MappingNames) {
  EXPECT_STREQ(mapping_name(WeightMapping::DifferentialColumn), "differential-column");
  EXPECT_STREQ(mapping_name(WeightMapping::DifferentialRow), "differential-row");
  EXPECT_STREQ(mapping_name(WeightMapping::Offset), "offset");
}

}  // namespace
}  // namespace cimvp
