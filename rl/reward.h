// The search's reward (CIM-AQ's, after HAQ), given at the end of an episode
// to every one of its steps. Accuracies here are in PERCENT points (0..100),
// as HAQ and CIM-AQ compute them, so the factors -10 and 0.1 mean what they
// mean in the paper:
//   target = base_accuracy - allowed_drop
//   accuracy <  target:  R = -miss_penalty * (target - accuracy)   (paper: 10)
//   accuracy >= target:  R = 100 * (1 / cost_ratio - 1) + 0.1 * (accuracy - target)
// cost_ratio = cost(policy) / cost(uniform W8A8), where the cost is the
// latency, the energy, or a weighted mix of the two ratios.
#pragma once

#include <string>

#include "rl/policy_evaluator.h"

namespace cimvp::rl {

enum class Objective { Latency, Energy, Mix };
const char* objective_name(Objective o);
Objective objective_from_name(const std::string& name);  // throws cimvp::Error listing the names

struct CostModel {
  Objective objective = Objective::Latency;
  double latency_weight = 0.5;  // Mix only: w * latency ratio + (1 - w) * energy ratio
};

// cost(result) / cost(baseline). Throws cimvp::Error when the baseline's
// latency (or energy, when it counts) is not positive.
double cost_ratio(const PolicyResult& result, const PolicyResult& baseline, const CostModel& model);
// baseline latency / result latency (reported whatever the objective).
double speedup(const PolicyResult& result, const PolicyResult& baseline);

// HAQ's reward in its resource-constrained mode (the cost is held to a
// target by lowering bits, so only accuracy is left to reward):
//   R = 0.1 * (accuracy - base_accuracy), in percent points.
double constrained_reward(double accuracy_percent, double base_percent);

// accuracy, target in percent points; miss_penalty per point below target.
double reward(double accuracy_percent, double target_percent, double cost_ratio, double miss_penalty = 10.0);

}  // namespace cimvp::rl
