// The one thing the search needs from the outside world: what a policy costs
// and how accurate it is. The concrete evaluators (VP cycles, the analytic
// model, accuracy after an optional fine-tune) live outside rl/; the search
// and its tests only see this interface.
#pragma once
#include <cstdint>
#include <string>
#include "nn/policy.h"
namespace cimvp::rl {
// What one policy costs and how accurate it is. Latency is steady-state time per inference.
struct PolicyResult {
  double accuracy = 0;         // fraction correct on the validation split
  double latency_seconds = 0;  // simulated seconds per inference (the search's cost)
  uint64_t cycles = 0;         // VP cycles per inference (0 for the analytic model)
  double energy_joules = 0;    // per inference
  std::string placement;       // "resident", "per-layer", "mixed" or "analytic"
};
// policy -> result. Implementations cache identical policies.
// The search calls evaluate() once for uniform W8A8 (the baseline) and once
// per episode; it assumes the answer depends only on the policy, which is
// what makes a resumed search identical to an uninterrupted one.
class PolicyEvaluator {
 public:
  virtual ~PolicyEvaluator() = default;
  virtual PolicyResult evaluate(const Policy& policy) = 0;
  // Latency and energy only (the accuracy may be left unmeasured): what the
  // cost-target mode asks for each time it lowers a policy's bits.
  virtual PolicyResult cost(const Policy& policy) { return evaluate(policy); }
};
}  // namespace cimvp::rl
