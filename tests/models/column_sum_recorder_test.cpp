// Choosing an ADC full scale from observed column sums: max takes the
// largest sum; mse equals a brute-force search over every full scale with
// the conversion written from its definition (round half up, clip).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/error.h"
#include "models/column_sum_recorder.h"

namespace cimvp {
namespace {

// Squared conversion error of the counted sums at full scale f, bits b.
double brute_error(const ColumnSumRecorder::Histogram& h, int bits, int64_t f) {
  const long double L = (int64_t(1) << bits) - 1;
  double e = 0;
  for (size_t v = 1; v < h.size(); ++v) {
    long double code = std::floor((long double)v * L / (long double)f + 0.5L);
    if (code > L) code = L;
    const long double back = std::floor(code * (long double)f / L + 0.5L);
    e += double(h[v]) * double((back - (long double)v) * (back - (long double)v));
  }
  return e;
}

TEST(ChooseFullScale, MaxIsTheLargestObservedSum) {
  ColumnSumRecorder::Histogram h;
  ColumnSumRecorder::count(h, 7);
  ColumnSumRecorder::count(h, 300);
  ColumnSumRecorder::count(h, 0);  // zeros are exact at any scale and not counted
  EXPECT_EQ(h.size(), 301u);
  EXPECT_EQ(choose_full_scale(h, 4, AdcRangeMethod::Max, 999), 300);
  EXPECT_EQ(choose_full_scale({}, 4, AdcRangeMethod::Max, 999), 999) << "nothing seen: the fallback";
  EXPECT_EQ(choose_full_scale({5, 0, 0}, 4, AdcRangeMethod::Mse, 999), 999);
}

TEST(ChooseFullScale, MseEqualsBruteForceWhenEveryScaleIsACandidate) {
  // Up to 256 the candidates are every scale 1..largest: the choice must be
  // the brute-force minimum (ties: the largest scale).
  std::mt19937 rng(3);
  int clipped = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int bits = 2 + trial % 4;
    ColumnSumRecorder::Histogram h;
    const int largest = 20 + int(rng() % 230);
    for (int i = 0; i < 200; ++i) ColumnSumRecorder::count(h, 1 + int64_t(std::pow(double(rng() % 1000) / 1000.0, 3) * largest));
    ColumnSumRecorder::count(h, largest);  // one outlier at the top
    int64_t best = 0;
    double best_error = INFINITY;
    for (int64_t f = int64_t(h.size()) - 1; f >= 1; --f)
      if (brute_error(h, bits, f) < best_error) best_error = brute_error(h, bits, f), best = f;
    const int64_t chosen = choose_full_scale(h, bits, AdcRangeMethod::Mse, 1);
    EXPECT_EQ(chosen, best) << "trial " << trial;
    clipped += chosen < largest;
  }
  EXPECT_GT(clipped, 10) << "mse must differ from max in many trials, or this shows nothing beyond max";
}

TEST(ChooseFullScale, UnknownMethodIsRefused) {
  EXPECT_EQ(adc_range_method("mse"), AdcRangeMethod::Mse);
  try {
    adc_range_method("median");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ADC calibration: unknown method 'median' (max or mse)");
  }
}

TEST(ColumnSumRecorder, ABlockKeepsItsGroupCount) {
  ColumnSumRecorder r;
  r.block(2, 4);
  EXPECT_EQ(r.blocks().size(), 3u);
  EXPECT_THROW(r.block(2, 6), Error);
}

}  // namespace
}  // namespace cimvp
