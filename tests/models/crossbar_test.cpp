// The functional crossbar: with an ideal ADC both the bit-accurate path and
// the fast path equal an independent integer product, for every cell width,
// DAC width, weight and input width, signed and unsigned inputs and every
// signed-weight mapping; with a coarse ADC the bit-accurate path equals a
// reference model of the mapping written here from its definition; bad blocks
// are refused with messages that say why.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <Eigen/Core>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "models/adc.h"
#include "common/error.h"
#include "models/crossbar.h"
#include "tests/support/adc_reference.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

const WeightMapping kMappings[] = {WeightMapping::DifferentialColumn, WeightMapping::DifferentialRow,
                                   WeightMapping::Offset};
// Every policy width, and wider weights up to the image format's 16 bits
// (ONNX integer models with weight zero points need 9).
const int kWeightBits[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16};

// Smallest ADC resolution that is ideal for the default full scale.
int ideal_adc_bits(const ArchConfig& a) {
  int b = 1;
  while ((int64_t(1) << b) - 1 < a.max_column_sum()) ++b;
  return b;
}

ArchConfig make_arch(int xrows, int xcols, int cell_bits, int dac_bits, WeightMapping m) {
  ArchConfig a;
  a.crossbar.rows = xrows;
  a.crossbar.cols = xcols;
  a.crossbar.cell_bits = cell_bits;
  a.dac.bits = dac_bits;
  a.crossbar.mapping = m;
  a.adc.bits = ideal_adc_bits(a);
  a.adc.full_scale = 0;
  return a;
}

// Weights uniform in the signed range, a quarter of them at the extremes.
WeightBlock random_block(std::mt19937& rng, int rows, int cols, int wb) {
  WeightBlock b;
  b.rows = uint32_t(rows);
  b.cols = uint32_t(cols);
  b.weight_bits = uint8_t(wb);
  b.row_offset = rng() % 1000;
  b.col_offset = rng() % 1000;
  const int lo = -(1 << (wb - 1)), hi = (1 << (wb - 1)) - 1;
  std::uniform_int_distribution<int> any(lo, hi);
  for (int i = 0; i < rows * cols; ++i) {
    const unsigned pick = rng() % 8;
    b.weights.push_back(int16_t(pick == 0 ? lo : pick == 1 ? hi : any(rng)));
  }
  return b;
}

// Any byte: the crossbar must ignore the bits above `bits`.
std::vector<uint8_t> random_bytes(std::mt19937& rng, int n) {
  std::vector<uint8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = uint8_t(rng());
  return v;
}


std::vector<int64_t> eigen_product(const WeightBlock& b, const std::vector<uint8_t>& in, int bits, bool is_signed) {
  Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic> w(b.rows, b.cols);
  Eigen::Matrix<int64_t, Eigen::Dynamic, 1> x(b.rows);
  for (uint32_t r = 0; r < b.rows; ++r) {
    x(r) = test::input_value(in[r], bits, is_signed);
    for (uint32_t c = 0; c < b.cols; ++c) w(r, c) = b.weights[r * b.cols + c];
  }
  const Eigen::Matrix<int64_t, Eigen::Dynamic, 1> y = w.transpose() * x;
  return std::vector<int64_t>(y.data(), y.data() + y.size());
}

// Runs an Mvm into an output vector with arbitrary previous contents and
// guard words after the tile; checks accumulation and the guards.
std::vector<int64_t> run_mvm(const Crossbar& x, const std::vector<uint8_t>& in, int bits, bool is_signed,
                             std::mt19937& rng) {
  const int cols = x.cols();
  std::vector<int32_t> out(size_t(cols) + 4);
  for (auto& o : out) o = int32_t(rng() % 2001) - 1000;
  const std::vector<int32_t> before = out;
  x.mvm_accumulate(in.data(), bits, is_signed, out.data());
  for (int g = 0; g < 4; ++g) EXPECT_EQ(out[size_t(cols + g)], before[size_t(cols + g)]) << "guard word " << g;
  std::vector<int64_t> y(static_cast<size_t>(cols));
  for (int j = 0; j < cols; ++j) y[size_t(j)] = int64_t(out[size_t(j)]) - before[size_t(j)];
  return y;
}

std::string describe(const ArchConfig& a, int rows, int cols, int wb, int ib, bool is_signed) {
  return std::string(mapping_name(a.crossbar.mapping)) + " crossbar " + std::to_string(a.crossbar.rows) + "x" +
         std::to_string(a.crossbar.cols) + " cell_bits " + std::to_string(a.crossbar.cell_bits) + " dac_bits " +
         std::to_string(a.dac.bits) + " adc " + std::to_string(a.adc.bits) + "b/" +
         std::to_string(AdcModel(a).full_scale()) + " block " + std::to_string(rows) + "x" +
         std::to_string(cols) + " weight bits " + std::to_string(wb) + " input bits " + std::to_string(ib) +
         (is_signed ? " signed" : " unsigned");
}

// Both paths against the Eigen product for one architecture, every weight
// and input width, signed and unsigned, a random block and a full one.
void check_exact(const ArchConfig& a, std::mt19937& rng) {
  ASSERT_TRUE(AdcModel(a).exact());
  Crossbar fast(a), accurate(a, Crossbar::Path::BitAccurate);
  ASSERT_TRUE(fast.uses_fast_path());
  ASSERT_FALSE(accurate.uses_fast_path());
  for (int wb : kWeightBits) {
    const int max_rows = a.crossbar.max_tile_rows(), max_cols = a.crossbar.max_tile_cols(wb);
    ASSERT_GE(max_cols, 1);
    for (int full = 0; full < 2; ++full) {
      const int rows = full ? max_rows : 1 + int(rng() % unsigned(max_rows));
      const int cols = full ? max_cols : 1 + int(rng() % unsigned(max_cols));
      const WeightBlock b = random_block(rng, rows, cols, wb);
      fast.program(b, true);
      accurate.program(b, true);
      ASSERT_EQ(accurate.physical_cols_used(), a.crossbar.physical_cols(cols, wb));
      ASSERT_EQ(accurate.physical_rows_used(), a.crossbar.physical_rows(rows));
      for (int ib = 1; ib <= 8; ++ib)
        for (bool is_signed : {false, true}) {
          std::vector<uint8_t> in = random_bytes(rng, rows);
          if (rng() % 4 == 0)  // every input at the extreme: full column sums
            for (auto& v : in) v = is_signed ? uint8_t(1u << (ib - 1)) : uint8_t(0xff);
          const std::vector<int64_t> expected = eigen_product(b, in, ib, is_signed);
          const std::vector<int64_t> got_fast = run_mvm(fast, in, ib, is_signed, rng);
          const std::vector<int64_t> got_accurate = run_mvm(accurate, in, ib, is_signed, rng);
          ASSERT_EQ(got_fast, expected) << "fast path, " << describe(a, rows, cols, wb, ib, is_signed);
          ASSERT_EQ(got_accurate, expected) << "bit-accurate path, " << describe(a, rows, cols, wb, ib, is_signed);
        }
    }
  }
}

TEST(CrossbarExactness, IdealAdcBothPathsEqualTheIntegerProduct) {
  std::mt19937 rng(20260129);
  int configs = 0;
  for (int cb : {1, 2, 4})
    for (int db : {1, 2})
      for (WeightMapping m : kMappings) {
        // two shapes, one taller and one wider, so rows and columns cannot be confused
        const bool tall = (cb + db + int(m)) % 2 == 0;
        check_exact(make_arch(tall ? 48 : 32, tall ? 32 : 64, cb, db, m), rng);
        ++configs;
      }
  EXPECT_EQ(configs, 18);
}

// The boundary of ideality: a full scale equal to the top code (code = v) and
// one just above the largest column sum with the fewest ADC bits.
TEST(CrossbarExactness, IdealAdcAtTheBoundary) {
  std::mt19937 rng(7);
  for (WeightMapping m : kMappings) {
    ArchConfig a = make_arch(32, 32, 2, 2, m);  // largest sum 32 * 3 * 3 = 288
    a.adc.bits = 9;                             // 511 codes
    a.adc.full_scale = 511;                     // F == L
    check_exact(a, rng);
    a.adc.full_scale = 289;                     // F < L, F > largest sum
    check_exact(a, rng);
  }
}

// The timing model sees the same geometry whichever path computes.
// ISAAC's encoding: with flipped columns no column sum exceeds half the
// range, so an ADC of half the range is exact; the same ADC without the
// encoding clips.
TEST(CrossbarFlippedColumns, AnAdcOfHalfTheRangeIsExact) {
  std::mt19937 rng(17);
  for (int cb : {1, 2, 4})
    for (int db : {1, 2})
      for (WeightMapping m : {WeightMapping::DifferentialColumn, WeightMapping::Offset}) {
        ArchConfig a = make_arch(32, 32, cb, db, m);
        const int64_t direct_sum = a.max_column_sum();
        a.crossbar.encoding = "flipped-columns";
        EXPECT_EQ(a.max_column_sum(), (32 * ((1 << cb) - 1) / 2) * ((1 << db) - 1));
        a.adc.bits = ideal_adc_bits(a);
        SCOPED_TRACE(describe(a, 32, 32, 8, 8, false));
        check_exact(a, rng);
        // Direct encoding, the same converter: column sums beyond its range.
        ArchConfig direct = a;
        direct.crossbar.encoding = "direct";
        direct.adc.full_scale = a.max_column_sum();
        ASSERT_GT(direct_sum, direct.adc.full_scale);
        EXPECT_FALSE(AdcModel(direct).exact());
        Crossbar plain(direct, Crossbar::Path::BitAccurate);
        WeightBlock top = random_block(rng, direct.crossbar.max_tile_rows(), 1, 8);
        for (int16_t& w : top.weights) w = 127;  // every cell of the positive columns near the top
        plain.program(top, true);
        const std::vector<uint8_t> ones(size_t(top.rows), 0xff);
        EXPECT_NE(run_mvm(plain, ones, 8, false, rng), eigen_product(top, ones, 8, false));
        Crossbar flipped(a, Crossbar::Path::BitAccurate);
        flipped.program(top, true);
        EXPECT_EQ(run_mvm(flipped, ones, 8, false, rng), eigen_product(top, ones, 8, false));
      }
}

TEST(Crossbar, PathSelectionAndConversionCount) {
  ArchConfig a = make_arch(32, 32, 2, 1, WeightMapping::Offset);
  std::mt19937 rng(3);
  const WeightBlock b = random_block(rng, 20, 5, 6);  // 3 cells per weight, 16 columns
  Crossbar x(a);
  EXPECT_EQ(x.path(), Crossbar::Path::Auto);
  EXPECT_TRUE(x.uses_fast_path());
  x.program(b, true);
  const std::vector<uint8_t> in = random_bytes(rng, 20);
  const std::vector<int64_t> fast = run_mvm(x, in, 7, true, rng);
  EXPECT_EQ(x.adc().conversions(), 16u * 7u);
  x.set_path(Crossbar::Path::BitAccurate);  // switching after programming builds the cells
  EXPECT_FALSE(x.uses_fast_path());
  EXPECT_EQ(run_mvm(x, in, 7, true, rng), fast);
  EXPECT_EQ(x.adc().conversions(), 2u * 16u * 7u);
  EXPECT_EQ(fast, eigen_product(b, in, 7, true));

  a.adc.bits = 4;  // coarse: Auto must not take the fast path
  Crossbar coarse(a);
  EXPECT_FALSE(coarse.uses_fast_path());
}

TEST(Crossbar, GeometryAccessors) {
  for (WeightMapping m : kMappings) {
    const ArchConfig a = make_arch(64, 64, 2, 1, m);
    Crossbar x(a);
    EXPECT_FALSE(x.programmed());
    WeightBlock b;
    b.rows = 30;
    b.cols = 7;
    b.weight_bits = 5;  // 3 cells
    b.row_offset = 60;
    b.col_offset = 14;
    x.program(b, false);  // timing-only: no weights
    EXPECT_TRUE(x.programmed());
    EXPECT_FALSE(x.functional());
    EXPECT_EQ(x.rows(), 30);
    EXPECT_EQ(x.cols(), 7);
    EXPECT_EQ(x.row_offset(), 60);
    EXPECT_EQ(x.col_offset(), 14);
    EXPECT_EQ(x.weight_bits(), 5);
    EXPECT_EQ(x.physical_rows_used(), m == WeightMapping::DifferentialRow ? 60 : 30);
    EXPECT_EQ(x.physical_cols_used(), m == WeightMapping::DifferentialColumn ? 42 : m == WeightMapping::Offset ? 22 : 21);
    std::vector<uint8_t> in(30);
    std::vector<int32_t> out(7);
    try {
      x.mvm_accumulate(in.data(), 8, false, out.data());
      ADD_FAILURE() << "Mvm on a timing-only crossbar did not throw";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("timing-only"));
    }
    x.clear();
    EXPECT_FALSE(x.programmed());
  }
}

// Cell contents follow the documented layout (docs/crossbar.md).
TEST(Crossbar, CellLevels) {
  WeightBlock b;
  b.rows = 2;
  b.cols = 2;
  b.weight_bits = 8;
  b.weights = {-100, 37, 0, -128};  // row 0: -100, 37; row 1: 0, -128
  {
    Crossbar x(make_arch(8, 16, 4, 1, WeightMapping::DifferentialColumn));
    x.program(b, true);
    // output j, slice k, sign s -> column (2j + k)*2 + s; 100 = 0x64, 37 = 0x25, 128 = 0x80
    EXPECT_EQ(x.level(0, 0), 0);
    EXPECT_EQ(x.level(0, 1), 4);
    EXPECT_EQ(x.level(0, 3), 6);
    EXPECT_EQ(x.level(0, 4), 5);
    EXPECT_EQ(x.level(0, 6), 2);
    EXPECT_EQ(x.level(0, 5), 0);
    EXPECT_EQ(x.level(1, 5), 0);
    EXPECT_EQ(x.level(1, 7), 8);
    EXPECT_EQ(x.level(1, 1), 0);
    EXPECT_EQ(x.level(2, 1), 0);  // outside the tile
  }
  {
    Crossbar x(make_arch(8, 16, 4, 1, WeightMapping::DifferentialRow));
    x.program(b, true);
    // column 2j + k; negative magnitudes in rows 2 + r
    EXPECT_EQ(x.level(0, 0), 0);
    EXPECT_EQ(x.level(2, 0), 4);
    EXPECT_EQ(x.level(2, 1), 6);
    EXPECT_EQ(x.level(0, 2), 5);
    EXPECT_EQ(x.level(0, 3), 2);
    EXPECT_EQ(x.level(3, 3), 8);
    EXPECT_EQ(x.level(3, 2), 0);
    EXPECT_EQ(x.level(1, 3), 0);
  }
  {
    Crossbar x(make_arch(8, 16, 4, 1, WeightMapping::Offset));
    x.program(b, true);
    // u = w + 128: 28 = 0x1c, 165 = 0xa5, 128 = 0x80, 0; reference column 4 holds 2^(7-4) = 8
    EXPECT_EQ(x.level(0, 0), 0xc);
    EXPECT_EQ(x.level(0, 1), 0x1);
    EXPECT_EQ(x.level(0, 2), 0x5);
    EXPECT_EQ(x.level(0, 3), 0xa);
    EXPECT_EQ(x.level(1, 1), 0x8);
    EXPECT_EQ(x.level(1, 2), 0);
    EXPECT_EQ(x.level(1, 3), 0);
    EXPECT_EQ(x.level(0, 4), 8);
    EXPECT_EQ(x.level(1, 4), 8);
    EXPECT_EQ(x.level(2, 4), 0);
  }
}

// ---- coarse ADC: against the independent model (tests/support/adc_reference.h) ----

TEST(CrossbarCoarseAdc, BitAccuratePathEqualsIndependentModel) {
  std::mt19937 rng(99);
  int arch_index = 0;
  int64_t differing = 0, clipped_differing = 0, outputs = 0;
  for (int cb : {1, 2, 4})
    for (int db : {1, 2})
      for (WeightMapping m : kMappings) {
        ++arch_index;
        for (int adc_bits : {4, 5, 6})
          for (int fs_kind = 0; fs_kind < 3; ++fs_kind) {
            ArchConfig a = make_arch(32, 32, cb, db, m);
            a.adc.bits = adc_bits;
            // default (largest sum), clipping at a quarter of it, an odd explicit value
            a.adc.full_scale = fs_kind == 0 ? 0 : fs_kind == 1 ? std::max<int64_t>(1, a.max_column_sum() / 4) : 37;
            // (1-bit cells and DACs make 6 bits ideal for 32 rows: then this is one more exactness check)
            Crossbar x(a, Crossbar::Path::BitAccurate);
            for (int wb : kWeightBits) {
              const int ib = 1 + (wb * 3 + arch_index + adc_bits + fs_kind) % 8;  // every pair over the loop
              const bool is_signed = (wb + arch_index + fs_kind) % 2 == 0;
              const int rows = (wb % 2) ? a.crossbar.max_tile_rows() : 1 + int(rng() % unsigned(a.crossbar.max_tile_rows()));
              const int cols = 1 + int(rng() % unsigned(a.crossbar.max_tile_cols(wb)));
              const WeightBlock b = random_block(rng, rows, cols, wb);
              x.program(b, true);
              const std::vector<uint8_t> in = random_bytes(rng, rows);
              const std::vector<int64_t> expected = test::adc_reference_mvm(a, b, in, ib, is_signed);
              const std::vector<int64_t> got = run_mvm(x, in, ib, is_signed, rng);
              ASSERT_EQ(got, expected) << describe(a, rows, cols, wb, ib, is_signed);
              const std::vector<int64_t> exact = eigen_product(b, in, ib, is_signed);
              for (size_t j = 0; j < got.size(); ++j) {
                ++outputs;
                if (got[j] != exact[j]) {
                  ++differing;
                  if (fs_kind == 1) ++clipped_differing;
                }
              }
            }
          }
      }
  // The coarse ADC must matter, or this test would prove nothing beyond exactness.
  EXPECT_GT(differing, outputs / 4);
  EXPECT_GT(clipped_differing, 0);
}

// ---- programming errors ----

std::string program_error(const ArchConfig& a, const WeightBlock& b, bool functional = true) {
  Crossbar x(a);
  try {
    x.program(b, functional);
  } catch (const Error& e) {
    EXPECT_FALSE(x.programmed());
    return e.what();
  }
  return "(no error)";
}

WeightBlock zeros(int rows, int cols, int wb) {
  WeightBlock b;
  b.rows = uint32_t(rows);
  b.cols = uint32_t(cols);
  b.weight_bits = uint8_t(wb);
  b.weights.assign(size_t(rows) * cols, 0);
  return b;
}

// ---- calibrated ADC ranges (WeightBlock::adc_full_scale) ----

TEST(CrossbarCalibratedAdc, PerGroupAndPerSliceFullScalesEqualIndependentModel) {
  std::mt19937 rng(7);
  int64_t differing = 0, outputs = 0;
  for (int cb : {1, 2, 4})
    for (int db : {1, 2})
      for (WeightMapping m : kMappings) {
        ArchConfig a = make_arch(32, 32, cb, db, m);  // an exact ADC: only the block's scales make it coarse
        Crossbar x(a);
        for (int wb : {2, 4, 8})
          for (bool per_slice : {false, true}) {
            const int ib = 1 + int(rng() % 8);
            const bool is_signed = rng() % 2 == 0;
            const int rows = 1 + int(rng() % unsigned(a.crossbar.max_tile_rows()));
            const int cols = 1 + int(rng() % unsigned(a.crossbar.max_tile_cols(wb)));
            WeightBlock b = random_block(rng, rows, cols, wb);
            const int groups = (wb + cb - 1) / cb + (m == WeightMapping::Offset ? 1 : 0);
            const int slices = (ib + db - 1) / db;
            for (int g = 0; g < groups * (per_slice ? slices : 1); ++g)
              b.adc_full_scale.push_back(1 + int64_t(rng() % uint64_t(a.max_column_sum())));
            x.program(b, true);
            EXPECT_FALSE(x.uses_fast_path()) << "a calibrated block converts through its own ranges";
            EXPECT_EQ(x.column_groups(), groups);
            const std::vector<uint8_t> in = random_bytes(rng, rows);
            const std::vector<int64_t> got = run_mvm(x, in, ib, is_signed, rng);
            ASSERT_EQ(got, test::adc_reference_mvm(a, b, in, ib, is_signed))
                << describe(a, rows, cols, wb, ib, is_signed) << (per_slice ? " per slice" : " per group");
            const std::vector<int64_t> exact = eigen_product(b, in, ib, is_signed);
            for (size_t j = 0; j < got.size(); ++j) differing += got[j] != exact[j], ++outputs;
          }
      }
  EXPECT_GT(differing, outputs / 10) << "the block's ranges must matter, or this shows nothing beyond exactness";
}

TEST(CrossbarCalibratedAdc, RecorderCountsEveryColumnSumAndKeepsTheProductExact) {
  // Worked by hand: 1 row, weights 5 and -6 in 4 bits on 2-bit cells
  // (differential-column), 1-bit DAC, input 3 (digits 1, 1). Column sums
  // per input slice: 5 = 01 01 gives 1 and 1 (groups 0, 1, positive), -6:
  // 6 = 01 10 gives 2 and 1 (groups 0, 1, negative).
  ArchConfig a = make_arch(4, 16, 2, 1, WeightMapping::DifferentialColumn);
  a.adc.bits = 2;  // coarse: the recorder must bypass it
  a.adc.full_scale = 0;
  Crossbar x(a);
  WeightBlock b;
  b.rows = 1;
  b.cols = 2;
  b.weight_bits = 4;
  b.weights = {5, -6};
  x.program(b, true, 3);
  ColumnSumRecorder recorder;
  x.set_column_sum_recorder(&recorder);
  std::mt19937 rng(1);
  EXPECT_EQ(run_mvm(x, {3}, 2, false, rng), (std::vector<int64_t>{15, -18}));
  ASSERT_EQ(recorder.blocks().size(), 4u);
  EXPECT_TRUE(recorder.blocks()[0].empty());
  const auto& h = recorder.blocks()[3];
  ASSERT_EQ(h.size(), 4u);  // 2 input slices x 2 groups
  for (int t = 0; t < 2; ++t) {
    EXPECT_EQ(h[size_t(2 * t)], (ColumnSumRecorder::Histogram{0, 1, 1})) << "slice " << t;
    EXPECT_EQ(h[size_t(2 * t + 1)], (ColumnSumRecorder::Histogram{0, 2})) << "slice " << t;
  }
  x.set_column_sum_recorder(nullptr);
  EXPECT_NE(run_mvm(x, {3}, 2, false, rng), (std::vector<int64_t>{15, -18})) << "the coarse ADC again";
}

TEST(CrossbarCalibratedAdc, WrongNumberOfFullScalesIsRefused) {
  ArchConfig a = make_arch(8, 16, 2, 1, WeightMapping::DifferentialColumn);
  WeightBlock b = zeros(2, 2, 4);  // 2 column groups
  b.adc_full_scale = {10, 10, 10};
  Crossbar x(a);
  try {
    x.program(b, true);
    FAIL() << "3 full scales for 2 groups";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("3 ADC full scales, not a multiple of the 2 column groups"));
  }
  b.adc_full_scale = {10, 10, 10, 10, 10, 10};  // 3 input slices x 2 groups
  x.program(b, true);
  std::vector<int32_t> out(2);
  const uint8_t in[2] = {1, 2};
  EXPECT_NO_THROW(x.mvm_accumulate(in, 3, false, out.data()));
  try {
    x.mvm_accumulate(in, 4, false, out.data());
    FAIL() << "4-bit inputs take 4 slices";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("4-bit inputs need 2 (one per column group) or 8"));
  }
}


TEST(CrossbarErrors, BlockTooLarge) {
  const ArchConfig row = make_arch(32, 32, 2, 1, WeightMapping::DifferentialRow);
  EXPECT_EQ(program_error(row, zeros(16, 8, 4)), "(no error)");
  const std::string e1 = program_error(row, zeros(17, 8, 4));
  EXPECT_THAT(e1, HasSubstr("17 rows x 8 columns of 4-bit weights"));
  EXPECT_THAT(e1, HasSubstr("differential-row"));
  EXPECT_THAT(e1, HasSubstr("34 rows x 16 columns"));
  EXPECT_THAT(e1, HasSubstr("the crossbar has 32 x 32"));
  EXPECT_THAT(program_error(row, zeros(17, 8, 4), false), HasSubstr("does not fit"));  // timing-only too

  const ArchConfig col = make_arch(32, 32, 2, 1, WeightMapping::DifferentialColumn);
  EXPECT_EQ(program_error(col, zeros(32, 4, 8)), "(no error)");  // 4 x 2 x 4 cells = 32 columns
  const std::string e2 = program_error(col, zeros(32, 5, 8));
  EXPECT_THAT(e2, HasSubstr("5 columns of 8-bit weights"));
  EXPECT_THAT(e2, HasSubstr("differential-column"));
  EXPECT_THAT(e2, HasSubstr("40 columns"));
  EXPECT_THAT(e2, HasSubstr("at most 32 x 4"));
  EXPECT_THAT(program_error(col, zeros(33, 1, 1)), HasSubstr("33 rows x 1 columns"));

  const ArchConfig off = make_arch(32, 33, 4, 1, WeightMapping::Offset);  // 16 x 2 cells + reference = 33
  EXPECT_EQ(program_error(off, zeros(32, 16, 8)), "(no error)");
  EXPECT_THAT(program_error(make_arch(32, 32, 4, 1, WeightMapping::Offset), zeros(32, 16, 8)),
              HasSubstr("33 columns"));
}

TEST(CrossbarErrors, WeightBitsOutOfRange) {
  const ArchConfig a = make_arch(32, 32, 2, 1, WeightMapping::DifferentialColumn);
  EXPECT_THAT(program_error(a, zeros(2, 2, 0)), HasSubstr("weight bits must be in 1..16"));
  EXPECT_THAT(program_error(a, zeros(2, 2, 17)), HasSubstr("of 17-bit weights: weight bits must be in 1..16"));
  EXPECT_EQ(program_error(a, zeros(2, 1, 16)), "(no error)");  // 8 cells, 16 columns
  EXPECT_THAT(program_error(a, zeros(0, 2, 4)), HasSubstr("rows and columns must be > 0"));
}

TEST(CrossbarErrors, WeightsOutsideTheirRange) {
  const ArchConfig a = make_arch(32, 32, 2, 1, WeightMapping::Offset);
  WeightBlock b = zeros(3, 4, 4);
  b.weights[1 * 4 + 2] = 8;
  EXPECT_THAT(program_error(a, b), HasSubstr("weight 8 at row 1, column 2 is outside the signed 4-bit range -8..7"));
  b.weights[1 * 4 + 2] = -8;
  EXPECT_EQ(program_error(a, b), "(no error)");
  b.weights[2 * 4 + 3] = -9;
  EXPECT_THAT(program_error(a, b), HasSubstr("weight -9 at row 2, column 3"));
  WeightBlock one = zeros(1, 1, 1);
  one.weights[0] = 1;  // 1-bit weights are -1 and 0
  EXPECT_THAT(program_error(a, one), HasSubstr("-1..0"));
  WeightBlock short_block = zeros(3, 4, 4);
  short_block.weights.pop_back();
  EXPECT_THAT(program_error(a, short_block), HasSubstr("has 11 weights, expected 12"));
  EXPECT_EQ(program_error(a, short_block, false), "(no error)");  // timing-only ignores weights
}

TEST(CrossbarErrors, MvmMisuse) {
  const ArchConfig a = make_arch(32, 32, 2, 1, WeightMapping::Offset);
  Crossbar x(a);
  std::vector<uint8_t> in(4);
  std::vector<int32_t> out(4);
  EXPECT_THROW(x.mvm_accumulate(in.data(), 8, false, out.data()), Error);
  x.program(zeros(4, 4, 4), true);
  EXPECT_THROW(x.mvm_accumulate(in.data(), 0, false, out.data()), Error);
  EXPECT_THROW(x.mvm_accumulate(in.data(), 9, false, out.data()), Error);
  WeightBlock bad = zeros(4, 4, 4);
  bad.weights[0] = 100;
  EXPECT_THROW(x.program(bad, true), Error);
  EXPECT_FALSE(x.programmed());  // a failed program leaves no stale weights behind
  EXPECT_THROW(x.mvm_accumulate(in.data(), 8, false, out.data()), Error);
}

}  // namespace
}  // namespace cimvp
