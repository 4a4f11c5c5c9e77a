#include "rl/reward.h"

#include "common/error.h"

namespace cimvp::rl {

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::Latency: return "latency";
    case Objective::Energy: return "energy";
    case Objective::Mix: return "mix";
  }
  return "?";
}

Objective objective_from_name(const std::string& name) {
  for (Objective o : {Objective::Latency, Objective::Energy, Objective::Mix})
    if (name == objective_name(o)) return o;
  throw Error("objective '" + name + "' is unknown: expected latency, energy or mix");
}

double cost_ratio(const PolicyResult& result, const PolicyResult& baseline, const CostModel& model) {
  const bool latency = model.objective != Objective::Energy;
  const bool energy = model.objective != Objective::Latency;
  if (latency && !(baseline.latency_seconds > 0))
    throw Error("the W8A8 baseline has latency " + std::to_string(baseline.latency_seconds) +
                " s: the cost ratio needs a positive baseline latency");
  if (energy && !(baseline.energy_joules > 0))
    throw Error("the W8A8 baseline has energy " + std::to_string(baseline.energy_joules) +
                " J: the energy objective needs a positive baseline energy");
  const double lat = latency ? result.latency_seconds / baseline.latency_seconds : 0;
  const double en = energy ? result.energy_joules / baseline.energy_joules : 0;
  switch (model.objective) {
    case Objective::Latency: return lat;
    case Objective::Energy: return en;
    case Objective::Mix: return model.latency_weight * lat + (1 - model.latency_weight) * en;
  }
  return lat;
}

double speedup(const PolicyResult& result, const PolicyResult& baseline) {
  return result.latency_seconds > 0 ? baseline.latency_seconds / result.latency_seconds : 0;
}

double constrained_reward(double accuracy_percent, double base_percent) {
  return 0.1 * (accuracy_percent - base_percent);
}

double reward(double accuracy_percent, double target_percent, double ratio, double miss_penalty) {
  if (accuracy_percent < target_percent) return -miss_penalty * (target_percent - accuracy_percent);
  if (!(ratio > 0)) throw Error("reward: the cost ratio must be positive, got " + std::to_string(ratio));
  return 100.0 * (1.0 / ratio - 1.0) + 0.1 * (accuracy_percent - target_percent);
}

}  // namespace cimvp::rl
