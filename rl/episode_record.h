// One episode of the search as the search reports it: the policy, what the
// evaluator said, the cost ratio and reward computed from it; and its row in
// episodes.csv.
#pragma once

#include <string>

#include "nn/policy.h"
#include "rl/binary_io.h"
#include "rl/policy_evaluator.h"

namespace cimvp::rl {

struct EpisodeRecord {
  int episode = 0;     // 0-based
  std::string kind;    // "warmup" (random actions before DDPG), "explore" (DDPG), "random" (random search)
  Policy policy;
  PolicyResult result;
  double cost_ratio = 0;    // cost / cost of W8A8 (the objective's cost)
  double speedup = 0;       // W8A8 latency / latency
  double reward = 0;
  bool meets_target = false;  // accuracy >= base accuracy - budget
};

// "8-4-4-2": bits per layer joined by '-'.
std::string bits_text(const std::vector<int>& bits);
// The CSV header and one row (with its newline). Numbers are printed with %.9g:
// the same record always gives the same bytes.
std::string csv_header();
std::string csv_row(const EpisodeRecord& r);

void save_result(BinaryWriter& w, const PolicyResult& r);
PolicyResult load_result(BinaryReader& r);
void save_record(BinaryWriter& w, const EpisodeRecord& r);
EpisodeRecord load_record(BinaryReader& r);

}  // namespace cimvp::rl
