// The points of a sweep: every combination of the grid's values (the last
// axis varies fastest), then the explicit points, each crossed with every
// model and policy. A point's id is a hash of its parameters, model and
// policy, so it is the same in every run of the same sweep file: resume and
// MPI ranks recognize finished points by it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sweep/sweep_config.h"

namespace cimvp {

struct SweepPoint {
  size_t index = 0;   // position in the expansion
  std::string id;     // 16 hex digits
  std::vector<std::pair<std::string, std::string>> params;  // parameter key -> value
  size_t model = 0;   // index into SweepConfig::models
  std::string policy; // a uniform spec or a policy file
};

std::vector<SweepPoint> expand_points(const SweepConfig& config);
// The keys that any point sets, in first-seen order (the CSV's columns).
std::vector<std::string> swept_keys(const SweepConfig& config);
// Display name of a policy entry: the spec, or the policy file's stem.
std::string policy_label(const std::string& policy);
std::string model_label(const std::string& model_spec);

}  // namespace cimvp
