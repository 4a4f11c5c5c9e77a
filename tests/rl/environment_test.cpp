// The quantization environment: LeNet-5's layer features computed by hand
// from its architecture (nn/zoo.h), their min-max normalization, the state
// sequence of an episode, and the action -> bits mapping with constraints.
#include <gtest/gtest.h>

#include "common/error.h"
#include "nn/zoo.h"
#include "rl/quantization_env.h"

using namespace cimvp;
using namespace cimvp::rl;

namespace {

// LeNet-5 by hand: conv1 1->6 5x5 on 28x28 (pad 2), conv2 6->16 5x5 on the
// pooled 14x14, fc1 400->120, fc2 120->84, fc3 84->10.
// columns: type, in, out, stride, kernel, weights, feature map, index
const double kRaw[5][8] = {
    {1, 1, 6, 1, 5, 150, 784, 0},
    {1, 6, 16, 1, 5, 2400, 196, 1},
    {0, 400, 120, 0, 1, 48000, 1, 2},
    {0, 120, 84, 0, 1, 10080, 1, 3},
    {0, 84, 10, 0, 1, 840, 1, 4},
};

}  // namespace

TEST(Environment, RawFeaturesOfLenet5) {
  const Graph g = make_model_structure("lenet5");
  const auto q = g.quantizable_layers();
  ASSERT_EQ(q.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    const auto f = layer_features(g, q[i]);
    for (int j = 0; j < 7; ++j) EXPECT_EQ(f[size_t(j)], kRaw[i][j]) << "layer " << i << " feature " << j;
  }
}

TEST(Environment, FeaturesAreMinMaxNormalizedOverTheLayers) {
  const QuantizationEnvironment env(make_model_structure("lenet5"), {});
  const Eigen::MatrixXd& f = env.static_features();
  ASSERT_EQ(f.rows(), 5);
  ASSERT_EQ(f.cols(), 8);
  for (int j = 0; j < 8; ++j) {
    double lo = kRaw[0][j], hi = kRaw[0][j];
    for (int i = 1; i < 5; ++i) lo = std::min(lo, kRaw[i][j]), hi = std::max(hi, kRaw[i][j]);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(f(i, j), (kRaw[i][j] - lo) / (hi - lo), 1e-12) << i << "," << j;
  }
}

TEST(Environment, ConstantFeatureBecomesZero) {
  // Two 3x3 stride-1 convolutions: stride and kernel are the same everywhere.
  Graph g;
  int x = g.add_input("in", {3, 8, 8});
  x = g.add_conv("a", x, 4, 3, 1, 1);
  g.add_conv("b", x, 8, 3, 1, 1);
  const QuantizationEnvironment env(g, {});
  EXPECT_EQ(env.static_features().col(3).norm(), 0);  // stride
  EXPECT_EQ(env.static_features().col(4).norm(), 0);  // kernel
  EXPECT_EQ(env.static_features()(1, 2), 1.0);        // out channels 4 -> 0, 8 -> 1
}

TEST(Environment, EpisodeTakesWeightThenActivationStepsAndCarriesThePreviousBits) {
  QuantizationEnvironment env(make_model_structure("lenet5"), {});
  EXPECT_EQ(env.steps(), 10u);
  Eigen::VectorXd s = env.reset();
  EXPECT_EQ(s.size(), kStateFeatures);
  EXPECT_EQ(s[8], 1.0);  // before the first step: max_bits / max_bits
  EXPECT_EQ(s[9], 0.0);  // weight step
  const double actions[10] = {0.0, 1.0, 0.5, 0.3, 0.99, 0.01, 0.2, 0.8, 0.6, 0.4};
  int previous = 0;
  for (int t = 0; t < 10; ++t) {
    s = env.state();
    EXPECT_EQ(s[9], double(t % 2));
    EXPECT_EQ(s[7], (t / 2) / 4.0);  // normalized layer index
    if (t > 0) {
      EXPECT_EQ(s[8], previous / 8.0);  // the previous step's bits over max_bits
    }
    previous = env.step(actions[t]);
  }
  EXPECT_TRUE(env.done());
  const Policy p = env.policy();
  // bits = round(1.5 + 7 a): 0 -> 2 (1.5 ties to even), 1 -> 8 (8.5 clamps), 0.5 -> 5, 0.3 -> 4 (3.6)
  EXPECT_EQ(p.weight_bits, (std::vector<int>{2, 5, 8, 3, 6}));
  EXPECT_EQ(p.activation_bits, (std::vector<int>{8, 4, 2, 7, 4}));
  EXPECT_THROW(env.step(0.5), Error);
}

TEST(Environment, ActionToBitsGivesEveryWidthAnEqualShare) {
  // 7 widths in 2..8: [0, 1/7) -> 2, [1/7, 2/7) -> 3, ... (boundaries aside).
  for (int b = 2; b <= 8; ++b) {
    const double mid = (b - 2 + 0.5) / 7.0;
    EXPECT_EQ(action_to_bits(mid, 2, 8), b);
    EXPECT_EQ(action_to_bits((b - 2 + 0.05) / 7.0, 2, 8), b);
    EXPECT_EQ(action_to_bits((b - 2 + 0.95) / 7.0, 2, 8), b);
  }
  EXPECT_EQ(action_to_bits(0.0, 2, 8), 2);
  EXPECT_EQ(action_to_bits(1.0, 2, 8), 8);
  EXPECT_EQ(action_to_bits(0.5, 4, 4), 4);
  EXPECT_EQ(action_to_bits(0.74, 1, 4), 3);  // 0.5 + 2.96 = 3.46
}

TEST(Environment, FirstAndLastLayersFixedAtW8A8) {
  EnvironmentOptions o;
  o.first_last_w8a8 = true;
  QuantizationEnvironment env(make_model_structure("lenet5"), o);
  env.reset();
  while (!env.done()) env.step(0.0);
  const Policy p = env.policy();
  EXPECT_EQ(p.weight_bits, (std::vector<int>{8, 2, 2, 2, 8}));
  // The state shows the bits the constraint made, not the action's.
  EXPECT_EQ(env.state_for(2, 8)[8], 1.0);
  EXPECT_EQ(p.activation_bits, (std::vector<int>{8, 2, 2, 2, 8}));
}

TEST(Environment, WeightBitsSnapToMultiplesOfTheCellBits) {
  EnvironmentOptions o;
  o.weight_multiple_of = 4;  // allowed weight bits 4, 8
  const QuantizationEnvironment env(make_model_structure("lenet5"), o);
  // unconstrained 2, 3, 4, 5 -> 4; 6 (tie between 4 and 8) -> 8; 7, 8 -> 8
  const int expect[7] = {4, 4, 4, 4, 8, 8, 8};
  for (int b = 2; b <= 8; ++b) {
    const double a = (b - 2 + 0.5) / 7.0;
    EXPECT_EQ(env.bits_for(2, a), expect[b - 2]) << "weight step, unconstrained " << b;
    EXPECT_EQ(env.bits_for(3, a), b) << "activation steps are not constrained";
  }
  o.weight_multiple_of = 3;  // 3 and 6 in 2..8: 2 -> 3, 4 -> 3, 5 -> 6, 8 -> 6
  const QuantizationEnvironment env3(make_model_structure("lenet5"), o);
  EXPECT_EQ(env3.bits_for(0, 0.5 / 7), 3);
  EXPECT_EQ(env3.bits_for(0, 2.5 / 7), 3);
  EXPECT_EQ(env3.bits_for(0, 3.5 / 7), 6);
  EXPECT_EQ(env3.bits_for(0, 6.5 / 7), 6);
}

TEST(Environment, LoweringGoesFromTheLastLayerBackAndKeepsTheConstraints) {
  EnvironmentOptions o;
  o.first_last_w8a8 = true;
  o.weight_multiple_of = 2;
  QuantizationEnvironment env(make_model_structure("lenet5"), o);
  env.reset();
  Policy p = uniform_policy(5, 8, 8);
  // Asked after each layer; the first answer is for the policy as given.
  std::vector<Policy> asked;
  const Policy fit = env.lowered_until(p, [&](const Policy& q) {
    asked.push_back(q);
    return asked.size() == 4;
  });
  ASSERT_EQ(asked.size(), 4u);
  EXPECT_EQ(asked[0].weight_bits, (std::vector<int>{8, 8, 8, 8, 8}));
  EXPECT_EQ(asked[1].weight_bits, (std::vector<int>{8, 8, 8, 6, 8}));  // fc3 (last) is fixed; weights step by 2
  EXPECT_EQ(asked[1].activation_bits, (std::vector<int>{8, 8, 8, 7, 8}));
  EXPECT_EQ(asked[3].weight_bits, (std::vector<int>{8, 6, 6, 6, 8}));  // conv1 (first) is fixed
  EXPECT_EQ(fit.activation_bits, (std::vector<int>{8, 7, 7, 7, 8}));
  // Nothing fits: down to the lowest bits the constraints allow, then it stops.
  const Policy lowest = env.lowest_policy();
  EXPECT_EQ(lowest.weight_bits, (std::vector<int>{8, 2, 2, 2, 8}));
  EXPECT_EQ(lowest.activation_bits, (std::vector<int>{8, 2, 2, 2, 8}));
  EXPECT_EQ(env.lowered_until(p, [](const Policy&) { return false; }).weight_bits, lowest.weight_bits);
}

// Lowering moves weights and activations together; restoring gives back
// every bit the budget still allows: here weights are free except conv1's,
// and each layer's activation bits cost by layer.
TEST(Environment, RestoringGivesBackWhatTheBudgetAllows) {
  EnvironmentOptions o;
  o.weight_multiple_of = 2;
  QuantizationEnvironment env(make_model_structure("lenet5"), o);
  const std::vector<int> per_bit{5, 4, 3, 2, 1};
  auto cost = [&](const Policy& q) {
    int c = q.weight_bits[0];
    for (size_t k = 0; k < 5; ++k) c += q.activation_bits[k] * per_bit[k];
    return c;
  };
  const int budget = 70;  // W8A8 costs 128
  auto fits = [&](const Policy& q) { return cost(q) <= budget; };
  Policy proposal = uniform_policy(5, 8, 8);
  proposal.activation_bits[4] = 6;
  const Policy lowered = env.lowered_until(proposal, fits);
  const Policy restored = env.restored_within(lowered, proposal, fits);
  ASSERT_TRUE(fits(lowered));
  EXPECT_TRUE(fits(restored));
  EXPECT_LT(cost(lowered), cost(restored));
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_GE(restored.weight_bits[k], lowered.weight_bits[k]);
    EXPECT_GE(restored.activation_bits[k], lowered.activation_bits[k]);
    EXPECT_LE(restored.activation_bits[k], proposal.activation_bits[k]);  // never above the proposal
    if (k > 0) {
      EXPECT_EQ(restored.weight_bits[k], 8) << "free weights come back, layer " << k;
    }
    // Nothing more fits: one more activation step of any layer breaks the budget.
    if (restored.activation_bits[k] < proposal.activation_bits[k]) {
      Policy up = restored;
      ++up.activation_bits[k];
      EXPECT_FALSE(fits(up)) << "layer " << k;
    }
  }
  EXPECT_LT(lowered.weight_bits[1], 8);  // the lowering did take free weight bits
  // A proposal that fits is left as it is.
  EXPECT_EQ(env.restored_within(uniform_policy(5, 2, 2), uniform_policy(5, 2, 2), fits).weight_bits,
            uniform_policy(5, 2, 2).weight_bits);
}

TEST(Environment, BadOptionsAreErrors) {
  const Graph g = make_model_structure("lenet5");
  EnvironmentOptions o;
  o.min_bits = 5, o.max_bits = 4;
  EXPECT_THROW(QuantizationEnvironment(g, o), Error);
  o = {};
  o.max_bits = 9;
  EXPECT_THROW(QuantizationEnvironment(g, o), Error);
  o = {};
  o.min_bits = 5, o.max_bits = 7, o.weight_multiple_of = 4;
  try {
    QuantizationEnvironment env(g, o);
    FAIL() << "no multiple of 4 in 5..7";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of the cell bits"), std::string::npos) << e.what();
  }
  Graph empty;
  empty.add_input("in", {1, 4, 4});
  EXPECT_THROW(QuantizationEnvironment(empty, {}), Error);
}
