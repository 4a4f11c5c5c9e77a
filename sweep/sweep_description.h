// sweep.json in a sweep's output folder: the sweep as it ran (grid axes in
// the file's order, extra points, models, policies, metrics) and its base
// architecture with every parameter resolved, so the report can show what
// was swept and what every point started from without the YAML files.
#pragma once

#include <nlohmann/json.hpp>

#include "sweep/sweep_config.h"

namespace cimvp {

nlohmann::json sweep_description(const SweepConfig& config);

}  // namespace cimvp
