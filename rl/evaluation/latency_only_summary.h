// What a latency-only search (`accuracy: none`) reports: the network has no
// trained weights and no dataset, so there is nothing to fine-tune or test.
// The summary holds, for the search's best policy and for each baseline
// (uniform W8A8, W4A8, W4A4, always, and the best policies of the random
// and the analytic-latency searches when they ran), what the VP measures for the
// whole compiled network (cycles and latency per inference, energy,
// placement), the speedup over W8A8's VP latency, the cost ratio against
// the target, and the precision proxy (effective bits, rl/precision_proxy.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "rl/evaluation/network_evaluator.h"
#include "rl/search.h"

namespace cimvp::rl {

// The searches of a job, as run_search_job ran them.
struct LatencyOnlyRun {
  const SearchConfig& config;
  const ArchConfig& arch;
  size_t layers = 0;  // quantizable layers of the model
  const SearchOutcome& main;
  const std::optional<SearchOutcome>& random;    // with baselines and method: ddpg
  const std::optional<SearchOutcome>& analytic;  // with baselines and latency: vp
  const std::vector<std::string>& warnings;
  double search_seconds = 0;  // wall time of every search
};

// The summary (summary.json). Every policy is timed by `vp` (a VP latency
// evaluator: the searches' policies come from its cache).
nlohmann::json latency_only_summary(const LatencyOnlyRun& run, NetworkEvaluator& vp);

}  // namespace cimvp::rl
