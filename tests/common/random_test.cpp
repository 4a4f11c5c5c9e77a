// The random streams of the device models: reproducible from the seed,
// different for different identities, and normal() is a standard normal
// (moments, tails and the shape of its distribution function).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/random.h"

namespace cimvp {
namespace {

TEST(Random, SameSeedSameStream) {
  Random a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  a.reseed(7);
  b.reseed(7);
  EXPECT_EQ(a.normal(), b.normal());
}

TEST(Random, DerivedSeedsDependOnEveryPartAndItsPosition) {
  EXPECT_EQ(derive_seed({1, 2, 3}), derive_seed({1, 2, 3}));
  EXPECT_NE(derive_seed({1, 2, 3}), derive_seed({1, 3, 2}));
  EXPECT_NE(derive_seed({1, 2, 3}), derive_seed({1, 2, 4}));
  EXPECT_NE(derive_seed({0}), derive_seed({0, 0}));
}

TEST(Random, UniformIsInTheUnitInterval) {
  Random r(1);
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
}

// normal() one at a time, or fill_normal() in blocks of odd and even sizes.
class NormalSource : public ::testing::TestWithParam<bool> {};

TEST_P(NormalSource, HasTheMomentsAndTailsOfAStandardNormal) {
  Random r(2);
  const int n = 400000;
  double m1 = 0, m2 = 0, m4 = 0;
  int beyond1 = 0, beyond3 = 0, beyond4 = 0;
  std::vector<float> block;
  size_t next = 0;
  for (int i = 0; i < n; ++i) {
    if (GetParam() && next == block.size()) {
      block.resize(block.size() == 57 ? 64 : 57);
      r.fill_normal(block.data(), block.size());
      next = 0;
    }
    const double x = GetParam() ? double(block[next++]) : r.normal();
    m1 += x;
    m2 += x * x;
    m4 += x * x * x * x;
    beyond1 += std::fabs(x) > 1;
    beyond3 += std::fabs(x) > 3;
    beyond4 += std::fabs(x) > 3.5;
  }
  m1 /= n, m2 /= n, m4 /= n;
  EXPECT_NEAR(m1, 0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(m2, 1, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m4, 3, 5 * std::sqrt(96.0 / n));  // Var(x^4) = 105 - 9
  // P(|x| > t) = erfc(t / sqrt 2): each count within 5 binomial standard errors.
  auto expect_tail = [&](int count, double t) {
    const double p = std::erfc(t / std::sqrt(2.0));
    EXPECT_NEAR(double(count) / n, p, 5 * std::sqrt(p * (1 - p) / n)) << "beyond " << t;
  };
  expect_tail(beyond1, 1);
  expect_tail(beyond3, 3);
  expect_tail(beyond4, 3.5);  // the ziggurat's base strip and tail (r = 3.44)
}

INSTANTIATE_TEST_SUITE_P(Random, NormalSource, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "FillNormal" : "Normal"; });

}  // namespace
}  // namespace cimvp
