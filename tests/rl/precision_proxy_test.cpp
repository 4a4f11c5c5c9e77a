// The reward of a latency-only search: effective bits from the bit widths
// alone (rl/precision_proxy.h).
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "rl/precision_proxy.h"

using namespace cimvp;
using namespace cimvp::rl;

TEST(PrecisionProxy, UniformPoliciesKeepTheirBits) {
  EXPECT_NEAR(effective_bits(uniform_policy(5, 8, 8)), 8.0, 1e-12);
  EXPECT_NEAR(effective_bits(uniform_policy(5, 4, 4)), 4.0, 1e-12);
  EXPECT_NEAR(precision_proxy(uniform_policy(5, 8, 8)), 1.0, 1e-12);
  EXPECT_NEAR(precision_proxy(uniform_policy(3, 2, 2)), 0.25, 1e-12);
}

TEST(PrecisionProxy, NoiseAddsUpSoTheStarvedLayerDominates) {
  // One layer's weights at 2 bits among 50 layers at W8A8: the noise of 99
  // quantizers at 4^-8 and one at 4^-2 over 100.
  Policy p = uniform_policy(50, 8, 8);
  p.weight_bits[7] = 2;
  const double expected = -std::log((99 * std::pow(4.0, -8) + std::pow(4.0, -2)) / 100) / std::log(4.0);
  EXPECT_NEAR(effective_bits(p), expected, 1e-12);
  EXPECT_NEAR(effective_bits(p), 5.31, 0.01);
  // The same six bits taken evenly from six layers keep more precision.
  Policy even = uniform_policy(50, 8, 8);
  for (int l = 0; l < 6; ++l) even.weight_bits[size_t(l)] = 7;
  EXPECT_GT(effective_bits(even), 7.5);
  // Weights and activations count alike.
  Policy a = uniform_policy(50, 8, 8);
  a.activation_bits[7] = 2;
  EXPECT_DOUBLE_EQ(effective_bits(a), effective_bits(p));
}

TEST(PrecisionProxy, MalformedPoliciesAreErrors) {
  EXPECT_THROW(effective_bits(Policy{}), Error);
  Policy p = uniform_policy(3, 8, 8);
  p.activation_bits.pop_back();
  EXPECT_THROW(effective_bits(p), Error);
}
