// The metrics a sweep records (docs/sweeps.md), as the report names and
// scales them: a title, a base unit that takes an SI prefix, or a fixed
// unit and factor (accuracy in %, area in mm²).
#pragma once

#include <string>
#include <vector>

namespace cimvp {

struct MetricInfo {
  std::string key;          // in a record's "metrics", e.g. "latency_s"
  std::string title;        // e.g. "latency"
  std::string unit;         // base unit; SI-prefixed when `prefixed`
  bool prefixed = true;
  double factor = 1;        // fixed factor when not prefixed (accuracy: 100 for %)
  bool higher_is_better = false;
};

// In the order the report shows them: accuracy first.
const std::vector<MetricInfo>& sweep_metrics();

}  // namespace cimvp
