// The crossbar with a non-ideal device: with every effect off it keeps its
// exact paths; with stuck cells its output is the exact product of the
// conductances it reports; programming variation and read noise give the
// output error whose mean and variance follow from the cell statistics;
// draws are reproducible from the identity and fresh at every programming.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "models/crossbar.h"

namespace cimvp {
namespace {

// 8-bit cells and 8-bit DACs: one cell per 8-bit weight, one slice per
// 8-bit input, so out_j = sum_r x_r (g(2j, r) - g(2j + 1, r)) in the
// differential-column mapping, with an ADC of one code per unit (bits 40,
// full scale 2^40 - 1) that makes the rounding of each column the only
// digital error.
constexpr int kRows = 16, kCols = 8;

Crossbar make_crossbar(const DeviceParams& device) {
  CrossbarParams xb;
  xb.rows = kRows;
  xb.cols = 2 * kCols;
  xb.cell_bits = 8;
  xb.mapping = WeightMapping::DifferentialColumn;
  return Crossbar(xb, 8, AdcModel(40, (int64_t(1) << 40) - 1), device);
}

WeightBlock block(uint32_t seed) {
  std::mt19937 rng(seed);
  WeightBlock b;
  b.rows = kRows;
  b.cols = kCols;
  b.weight_bits = 8;
  for (int i = 0; i < kRows * kCols; ++i) b.weights.push_back(int16_t(int(rng() % 255) - 127));
  return b;
}

std::vector<uint8_t> input(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> x(kRows);
  for (uint8_t& v : x) v = uint8_t(rng() % 256);
  return x;
}

std::vector<int64_t> ideal_product(const WeightBlock& b, const std::vector<uint8_t>& x) {
  std::vector<int64_t> y(kCols, 0);
  for (int r = 0; r < kRows; ++r)
    for (int j = 0; j < kCols; ++j) y[size_t(j)] += int64_t(x[size_t(r)]) * b.weights[size_t(r) * kCols + j];
  return y;
}

std::vector<int32_t> mvm(const Crossbar& x, const std::vector<uint8_t>& in) {
  std::vector<int32_t> out(kCols, 0);
  x.mvm_accumulate(in.data(), 8, false, out.data());
  return out;
}

TEST(CrossbarDevice, EveryEffectOffKeepsTheExactPaths) {
  Crossbar x = make_crossbar(DeviceParams{});
  EXPECT_FALSE(x.analog());
  x.program(block(1), true);
  EXPECT_TRUE(x.uses_fast_path());
  const std::vector<int32_t> y = mvm(x, input(2));
  const std::vector<int64_t> want = ideal_product(block(1), input(2));
  for (int j = 0; j < kCols; ++j) EXPECT_EQ(y[size_t(j)], want[size_t(j)]);
}

TEST(CrossbarDevice, StuckCellsGiveTheProductOfTheStuckConductances) {
  DeviceParams d;
  d.stuck_low_rate = 0.1;
  d.stuck_high_rate = 0.1;
  Crossbar x = make_crossbar(d);
  ASSERT_TRUE(x.analog());
  x.program(block(3), true);
  const std::vector<uint8_t> in = input(4);
  // The expected output from the conductances the crossbar reports, each 0,
  // its level or 255: integers, so the analog sums and the ADC are exact.
  int stuck = 0;
  std::vector<int64_t> want(kCols, 0);
  for (int j = 0; j < kCols; ++j)
    for (int r = 0; r < kRows; ++r) {
      const float pos = x.conductance(r, 2 * j), neg = x.conductance(r, 2 * j + 1);
      stuck += (pos != float(x.level(r, 2 * j))) + (neg != float(x.level(r, 2 * j + 1)));
      want[size_t(j)] += int64_t(in[size_t(r)]) * (int64_t(pos) - int64_t(neg));
    }
  EXPECT_GT(stuck, 5);  // about 20 % of 256 cells, less those stuck at their own level
  const std::vector<int32_t> y = mvm(x, in);
  for (int j = 0; j < kCols; ++j) EXPECT_EQ(y[size_t(j)], want[size_t(j)]) << "output " << j;
  EXPECT_NE(std::vector<int64_t>(y.begin(), y.end()), ideal_product(block(3), in));
}

// The analog path lists, per input slice, the rows its digits drive (1-bit
// digits eight rows at a time, wider ones row by row; the differential-row
// mapping's negative rows after the positive ones). With stuck cells every
// conductance is an integer, so for every DAC width, both signed mappings
// and signed or unsigned inputs the output is the exact product of the
// conductances the crossbar reports: sum_r u_r (g+ - g-), with signed
// inputs driven biased (u = x + 128) and the bias taken out with the
// programmed weights' column sums. 21 rows: not a multiple of eight.
TEST(CrossbarDevice, AnalogPathIsExactOnIntegerConductancesForEveryDacAndMapping) {
  constexpr int rows = 21, cols = 5;
  for (int dac_bits : {1, 3, 8})
    for (WeightMapping mapping : {WeightMapping::DifferentialColumn, WeightMapping::DifferentialRow})
      for (bool signed_input : {false, true}) {
        const bool diff_row = mapping == WeightMapping::DifferentialRow;
        CrossbarParams xb;
        xb.rows = diff_row ? 2 * rows : rows;
        xb.cols = diff_row ? cols : 2 * cols;
        xb.cell_bits = 8;
        xb.mapping = mapping;
        DeviceParams d;
        d.stuck_low_rate = 0.15;
        d.stuck_high_rate = 0.15;
        Crossbar x(xb, dac_bits, AdcModel(40, (int64_t(1) << 40) - 1), d);
        ASSERT_TRUE(x.analog());
        std::mt19937 rng(uint32_t(dac_bits * 4 + int(diff_row) * 2 + int(signed_input)));
        WeightBlock b;
        b.rows = rows;
        b.cols = cols;
        b.weight_bits = 8;
        for (int i = 0; i < rows * cols; ++i) b.weights.push_back(int16_t(int(rng() % 255) - 127));
        x.program(b, true);
        std::vector<uint8_t> in(rows);
        for (uint8_t& v : in) v = rng() % 3 == 0 ? 0 : uint8_t(rng() % 256);  // some rows not driven
        std::vector<int32_t> y(cols, 0);
        x.mvm_accumulate(in.data(), 8, signed_input, y.data());
        for (int j = 0; j < cols; ++j) {
          int64_t want = 0;
          for (int r = 0; r < rows; ++r) {
            const int64_t u = signed_input ? int64_t(int8_t(in[size_t(r)])) + 128 : int64_t(in[size_t(r)]);
            const float pos = diff_row ? x.conductance(r, j) : x.conductance(r, 2 * j);
            const float neg = diff_row ? x.conductance(rows + r, j) : x.conductance(r, 2 * j + 1);
            want += u * (int64_t(pos) - int64_t(neg));
            if (signed_input) want -= 128 * int64_t(b.weights[size_t(r) * cols + size_t(j)]);
          }
          EXPECT_EQ(y[size_t(j)], want) << dac_bits << "-bit DAC, " << (diff_row ? "differential-row" : "differential-column")
                                        << (signed_input ? ", signed" : ", unsigned") << ", output " << j;
        }
      }
}

TEST(CrossbarDevice, ProgrammingVariationOutputErrorHasTheExpectedMoments) {
  // Variation sigma 0.01 of the 255-step range: every cell deviates by
  // N(0, 2.55^2). On/off ratio 2 puts g_min at 255 steps, so no draw is
  // clipped at 0 (and the differential pair cancels g_min). Output error
  // of column pair j: sum_r x_r (d_pos - d_neg) plus the rounding of the
  // two columns: variance 2 (2.55^2) sum_r x_r^2 + 2 / 12, mean 0.
  DeviceParams d;
  d.program_sigma = 0.01;
  d.on_off_ratio = 2;
  Crossbar x = make_crossbar(d);
  const WeightBlock b = block(5);
  const std::vector<uint8_t> in = input(6);
  const std::vector<int64_t> ideal = ideal_product(b, in);
  double sx2 = 0;
  for (uint8_t v : in) sx2 += double(v) * v;
  const double s2 = 2 * 2.55 * 2.55 * sx2 + 2.0 / 12;
  std::vector<double> error;
  for (int draw = 0; draw < 400; ++draw) {
    x.program(b, true);  // every programming draws anew
    const std::vector<int32_t> y = mvm(x, in);
    for (int j = 0; j < kCols; ++j) error.push_back(double(y[size_t(j)] - ideal[size_t(j)]));
  }
  double mean = 0, var = 0;
  for (double e : error) mean += e;
  mean /= double(error.size());
  for (double e : error) var += (e - mean) * (e - mean);
  var /= double(error.size() - 1);
  const double n = double(error.size());
  EXPECT_NEAR(mean, 0, 5 * std::sqrt(s2 / n));
  EXPECT_NEAR(var, s2, 5 * s2 * std::sqrt(2 / (n - 1)));
}

TEST(CrossbarDevice, ReadNoiseIsDrawnAtEveryReadAndReproducibleFromTheIdentity) {
  // Read noise sigma 0.002 of the range: each column N(0, (0.51)^2 sum x^2);
  // the pair's error adds two such columns and their rounding.
  DeviceParams d;
  d.read_sigma = 0.002;
  Crossbar x = make_crossbar(d);
  x.set_identity({11, 2, 3});
  const WeightBlock b = block(7);
  x.program(b, true);
  const std::vector<uint8_t> in = input(8);
  const std::vector<int32_t> first = mvm(x, in), second = mvm(x, in);
  EXPECT_NE(first, second);
  // The same crossbar identity and programming event reads the same noise.
  Crossbar twin = make_crossbar(d);
  twin.set_identity({11, 2, 3});
  twin.program(b, true);
  EXPECT_EQ(mvm(twin, in), first);
  EXPECT_EQ(mvm(twin, in), second);
  // Moments over many reads.
  const std::vector<int64_t> ideal = ideal_product(b, in);
  double sx2 = 0;
  for (uint8_t v : in) sx2 += double(v) * v;
  const double s = 0.002 * 255, s2 = 2 * s * s * sx2 + 2.0 / 12;
  double sum = 0, sum2 = 0;
  const int reads = 2000;
  for (int i = 0; i < reads; ++i) {
    const std::vector<int32_t> y = mvm(x, in);
    for (int j = 0; j < kCols; ++j) {
      const double e = double(y[size_t(j)] - ideal[size_t(j)]);
      sum += e;
      sum2 += e * e;
    }
  }
  const double n = double(reads) * kCols, mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0, 5 * std::sqrt(s2 / n));
  EXPECT_NEAR(var, s2, 5 * s2 * std::sqrt(2 / n));
}

TEST(CrossbarDevice, ReprogrammingDrawsVariationAnewButKeepsTheFaults) {
  // On/off ratio 2: g_min = 255 steps, so a varied cell is never exactly
  // g_min and the stuck-at-low cells are exactly those that read it.
  DeviceParams d;
  d.program_sigma = 0.05;
  d.stuck_low_rate = 0.2;
  d.on_off_ratio = 2;
  Crossbar x = make_crossbar(d);
  x.program(block(9), true);
  const float g_min = x.device().g_min();
  std::vector<float> before, after;
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < 2 * kCols; ++c) before.push_back(x.conductance(r, c));
  x.reprogram();  // the core's cache: the same block again
  EXPECT_EQ(x.programming_events(), 2u);
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < 2 * kCols; ++c) after.push_back(x.conductance(r, c));
  EXPECT_NE(before, after);
  int faults = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    faults += before[i] == g_min;
    EXPECT_EQ(before[i] == g_min, after[i] == g_min) << "cell " << i;
  }
  EXPECT_GT(faults, 20);  // about 20 % of 256
}

// A refresh interval reads one programming at many ages (set_age): the
// cells are those a crossbar whose read time is that age draws, bit for
// bit (the variation and each cell's drift exponent belong to the
// programming), and going back to an age gives its cells again.
TEST(CrossbarDevice, SetAgeMovesTheDriftOfTheSameDraws) {
  DeviceParams d;
  d.program_sigma = 0.02;
  d.drift_nu = 0.06;
  d.drift_nu_sigma = 0.02;
  d.drift_t0_s = 20;
  d.drift_compensation = "global";
  auto cells = [](Crossbar& x) {
    std::vector<float> g;
    for (int r = 0; r < kRows; ++r)
      for (int c = 0; c < 2 * kCols; ++c) g.push_back(x.conductance(r, c));
    return g;
  };
  Crossbar aging = make_crossbar(d);
  aging.program(block(4), true);
  const std::vector<float> young = cells(aging);  // at the read time, 1 s (before t0: as programmed)
  for (double age : {3600.0, 86400.0 * 30}) {
    DeviceParams at = d;
    at.read_time_s = age;
    Crossbar fresh = make_crossbar(at);
    fresh.program(block(4), true);
    aging.set_age(age);
    EXPECT_EQ(cells(aging), cells(fresh)) << age << " s";
    EXPECT_EQ(mvm(aging, input(5)), mvm(fresh, input(5))) << age << " s";
    EXPECT_NE(cells(aging), young);
  }
  aging.set_age(1);
  EXPECT_EQ(cells(aging), young);
  EXPECT_EQ(aging.programming_events(), 1u);  // ageing is no programming
}

TEST(CrossbarDevice, AdcErrorsAloneTakeTheAnalogPath) {
  CrossbarParams xb;
  xb.rows = kRows;
  xb.cols = 2 * kCols;
  xb.cell_bits = 8;
  AdcModel adc(40, (int64_t(1) << 40) - 1);
  adc.set_errors(0.6, 0, 0);  // every conversion one code high
  Crossbar x(xb, 8, adc, DeviceParams{});
  EXPECT_TRUE(x.analog());
  x.program(block(10), true);
  EXPECT_FALSE(x.uses_fast_path());
  const std::vector<uint8_t> in = input(11);
  const std::vector<int64_t> ideal = ideal_product(block(10), in);
  const std::vector<int32_t> y = mvm(x, in);
  // The pair's two columns are both one high: the difference is exact.
  for (int j = 0; j < kCols; ++j) EXPECT_EQ(y[size_t(j)], ideal[size_t(j)]);
}

}  // namespace
}  // namespace cimvp
