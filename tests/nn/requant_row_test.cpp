// requantize_row() against requantize() (128-bit arithmetic) value by value,
// on both paths: the vector path (shift >= 33) and the general one (smaller
// shifts, half-even rounding, large biases).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "nn/requant_row.h"

namespace cimvp {
namespace {

struct Lcg {
  uint64_t s;
  uint64_t next() { return s = s * 6364136223846793005ull + 1442695040888963407ull; }
  int64_t in(int64_t lo, int64_t hi) { return lo + int64_t((next() >> 11) % uint64_t(hi - lo + 1)); }  // [lo, hi]
};

// Every build of the vector path (nn/requant_row.h RowKernel) this CPU can
// run, not only the one requantize_row() picks here.
class RequantizeRowKernel : public ::testing::TestWithParam<RowKernel> {};

TEST_P(RequantizeRowKernel, EqualsRequantizeOnEveryPath) {
  const RowKernel kernel = GetParam();
  if (!row_kernel_available(kernel)) GTEST_SKIP() << "this CPU has no AVX2";
  Lcg r{7};
  const int32_t ranges[][2] = {{-128, 127}, {0, 255}, {0, 15}, {-8, 7}, {0, 1}, {INT32_MIN, INT32_MAX}};
  constexpr int64_t kAccMax = (int64_t(1) << 24) - 1;
  int rows = 0;
  for (int shift = 1; shift <= 62; ++shift)
    for (int trial = 0; trial < 12; ++trial, ++rows) {
      Requant rq;
      rq.shift = shift;
      // Extremes first (the bounds each path's arithmetic relies on), then random.
      rq.multiplier = trial == 0 ? INT32_MAX : trial == 1 ? 0 : int32_t(r.in(1, INT32_MAX));
      rq.zero_point = trial % 3 == 0 ? 0 : int32_t(r.in(-200, 200));
      const auto& range = ranges[size_t(trial) % 6];
      rq.lo = range[0], rq.hi = range[1];
      rq.rounding = trial % 5 == 4 ? Rounding::HalfEven : Rounding::HalfUp;
      const int64_t bias = trial == 2 ? (int64_t(1) << 30) - 1
                         : trial == 3 ? -((int64_t(1) << 30) - 1)
                         : trial == 7 ? int64_t(1) << 31  // beyond the 64-bit paths
                                      : r.in(-(int64_t(1) << 20), int64_t(1) << 20);
      std::vector<float> acc(37);  // not a multiple of any vector width
      for (size_t j = 0; j < acc.size(); ++j)
        acc[j] = float(j == 0 ? kAccMax : j == 1 ? -kAccMax : j == 2 ? 0 : r.in(-kAccMax, kAccMax));
      // Ties: accumulators whose product lands exactly on a half step.
      if (rq.multiplier == 1 << 30 || shift <= 24) acc[3] = float(int64_t(1) << (shift - 1));
      std::vector<int32_t> got(acc.size());
      requantize_row_with(kernel, acc.data(), int64_t(acc.size()), bias, rq, got.data());
      for (size_t j = 0; j < acc.size(); ++j)
        ASSERT_EQ(got[j], requantize(int64_t(acc[j]) + bias, rq.multiplier, rq.shift, rq.zero_point, rq.lo, rq.hi,
                                     rq.rounding))
            << "acc " << acc[j] << " bias " << bias << " M " << rq.multiplier << " shift " << shift;
    }
  EXPECT_EQ(rows, 62 * 12);
}

INSTANTIATE_TEST_SUITE_P(Kernels, RequantizeRowKernel, ::testing::Values(RowKernel::Portable, RowKernel::Avx2),
                         [](const ::testing::TestParamInfo<RowKernel>& info) {
                           return std::string(info.param == RowKernel::Avx2 ? "Avx2" : "Portable");
                         });

// requantize_row(), whichever kernel it picks here, gives the portable result.
TEST(RequantizeRow, AgreesWithThePortableKernel) {
  Requant rq;
  rq.multiplier = 1 << 30, rq.shift = 40, rq.lo = -128, rq.hi = 127;
  std::vector<float> acc(64);
  for (size_t j = 0; j < acc.size(); ++j) acc[j] = float(int(j * 977 % 4001) - 2000) * 1024.0f;
  std::vector<int32_t> got(acc.size()), portable(acc.size());
  requantize_row(acc.data(), int64_t(acc.size()), 5, rq, got.data());
  requantize_row_with(RowKernel::Portable, acc.data(), int64_t(acc.size()), 5, rq, portable.data());
  EXPECT_EQ(got, portable);
}

TEST(RequantizeRow, RoundsHalfStepsUp) {
  Requant rq;
  rq.multiplier = 1 << 30;  // a real scale of 2^(30 - shift)
  rq.lo = -128, rq.hi = 127;
  for (int shift : {31, 40}) {
    rq.shift = shift;
    const double step = std::ldexp(double(rq.multiplier), -shift);  // the real scale
    std::vector<float> acc;
    for (int k = -5; k <= 5; ++k) acc.push_back(float((k + 0.5) / step));  // exactly on a half step
    std::vector<int32_t> got(acc.size());
    requantize_row(acc.data(), int64_t(acc.size()), 0, rq, got.data());
    for (size_t j = 0; j < acc.size(); ++j) EXPECT_EQ(got[j], int(j) - 5 + 1) << shift;  // k + 0.5 -> k + 1
  }
}

}  // namespace
}  // namespace cimvp
