// The random streams of the device models: reproducible from the seed,
// different for different identities, and normal() is a standard normal
// (moments, tails and the shape of its distribution function).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/random.h"
#include "common/random_lanes.h"

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

// normal() one at a time, or Random::fill_normal() or RandomLanes'
// fill_normal() in blocks of odd and even sizes (below, at and above the
// lanes' step of 32).
enum class Source { Normal, FillNormal, Lanes };
class NormalSource : public ::testing::TestWithParam<Source> {};

TEST_P(NormalSource, HasTheMomentsAndTailsOfAStandardNormal) {
  Random r(2);
  RandomLanes lanes(2);
  const int n = 400000;
  double m1 = 0, m2 = 0, m4 = 0;
  int beyond1 = 0, beyond3 = 0, beyond4 = 0;
  std::vector<float> block;
  size_t next = 0;
  const size_t sizes[] = {57, 64, 7, 32, 100};
  size_t turn = 0;
  for (int i = 0; i < n; ++i) {
    if (GetParam() != Source::Normal && next == block.size()) {
      block.resize(sizes[turn++ % 5]);
      if (GetParam() == Source::Lanes)
        lanes.fill_normal(block.data(), block.size());
      else
        r.fill_normal(block.data(), block.size());
      next = 0;
    }
    const double x = GetParam() != Source::Normal ? double(block[next++]) : r.normal();
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

INSTANTIATE_TEST_SUITE_P(Random, NormalSource, ::testing::Values(Source::Normal, Source::FillNormal, Source::Lanes),
                         [](const ::testing::TestParamInfo<Source>& i) {
                           return i.param == Source::Normal ? "Normal" : i.param == Source::FillNormal ? "FillNormal" : "Lanes";
                         });

TEST(RandomLanes, SameSeedSameStreamWhateverTheBlockSizes) {
  RandomLanes a(5), b(5), c(6);
  std::vector<float> x(200), y(200), z(200);
  a.fill_normal(x.data(), 200);
  size_t done = 0;
  for (size_t k : {13, 64, 5, 32, 1, 85}) {
    b.fill_normal(y.data() + done, k);
    done += k;
  }
  ASSERT_EQ(done, 200u);
  c.fill_normal(z.data(), 200);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  a.reseed(9);
  b.reseed(9);
  a.fill_normal(x.data(), 40);
  b.fill_normal(y.data(), 40);
  EXPECT_EQ(x, y);
}

TEST(RandomLanes, NeighbouringNormalsAreUncorrelated) {
  // Lanes and halves of a step side by side: the correlation of each
  // normal with the next, and with the one a lane and a half apart.
  RandomLanes r(3);
  const size_t n = 320000;
  std::vector<float> x(n);
  r.fill_normal(x.data(), n);
  for (size_t lag : {size_t(1), size_t(16), size_t(17), size_t(32)}) {
    double c = 0;
    for (size_t i = 0; i + lag < n; ++i) c += double(x[i]) * double(x[i + lag]);
    EXPECT_NEAR(c / double(n - lag), 0.0, 5 / std::sqrt(double(n))) << "lag " << lag;
  }
}

}  // namespace
}  // namespace cimvp
