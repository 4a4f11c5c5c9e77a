// The reward and cost ratio against values worked out by hand from the
// formula in DESIGN (percent points for accuracies).
#include <gtest/gtest.h>

#include "common/error.h"
#include "rl/reward.h"

using namespace cimvp::rl;

TEST(Reward, BelowTargetIsMinusTenPerPoint) {
  // base 90 %, budget 1 -> target 89; accuracy 87.5 is 1.5 points short.
  EXPECT_DOUBLE_EQ(reward(87.5, 89.0, 0.5), -15.0);
  EXPECT_DOUBLE_EQ(reward(88.99, 89.0, 0.1), -10.0 * (89.0 - 88.99));
  EXPECT_DOUBLE_EQ(reward(87.5, 89.0, 0.5, 2.0), -3.0);  // reward.miss_penalty = 2
}

TEST(Reward, AtOrAboveTargetRewardsSpeed) {
  // cost ratio 0.4 (2.5x faster), accuracy 89.5 vs target 89: 100 * 1.5 + 0.05
  EXPECT_DOUBLE_EQ(reward(89.5, 89.0, 0.4), 150.05);
  EXPECT_DOUBLE_EQ(reward(89.0, 89.0, 1.0), 0.0);  // W8A8 itself at the target
  EXPECT_DOUBLE_EQ(reward(90.0, 89.0, 2.0), -50.0 + 0.1);  // slower than W8A8
  EXPECT_THROW(reward(90.0, 89.0, 0.0), cimvp::Error);
}

TEST(Reward, CostRatioPerObjective) {
  PolicyResult base, r;
  base.latency_seconds = 2e-3, base.energy_joules = 4e-6;
  r.latency_seconds = 5e-4, r.energy_joules = 3e-6;
  CostModel m;
  EXPECT_DOUBLE_EQ(cost_ratio(r, base, m), 0.25);
  m.objective = Objective::Energy;
  EXPECT_DOUBLE_EQ(cost_ratio(r, base, m), 0.75);
  m.objective = Objective::Mix;
  m.latency_weight = 0.2;
  EXPECT_DOUBLE_EQ(cost_ratio(r, base, m), 0.2 * 0.25 + 0.8 * 0.75);
  EXPECT_DOUBLE_EQ(speedup(r, base), 4.0);
}

TEST(Reward, BaselineWithoutCostIsAnError) {
  PolicyResult base, r;
  base.latency_seconds = 1;  // energy 0
  r.latency_seconds = 1;
  CostModel m;
  EXPECT_NO_THROW(cost_ratio(r, base, m));
  m.objective = Objective::Energy;
  EXPECT_THROW(cost_ratio(r, base, m), cimvp::Error);
  base.latency_seconds = 0;
  m.objective = Objective::Latency;
  EXPECT_THROW(cost_ratio(r, base, m), cimvp::Error);
}

TEST(Reward, ObjectiveNames) {
  EXPECT_EQ(objective_from_name("mix"), Objective::Mix);
  EXPECT_STREQ(objective_name(Objective::Energy), "energy");
  EXPECT_THROW(objective_from_name("speed"), cimvp::Error);
}
