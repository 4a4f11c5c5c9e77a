// The VP's time per layer of a network at a policy, for the search report
// (found policy against W8A8): the policy is compiled and run (timing only)
// by child `cimvp` processes, because SystemC runs one SoC per process and
// the report needs two.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/policy.h"

namespace cimvp {

struct LayerTimes {
  std::vector<std::pair<std::string, double>> seconds;  // per layer, the weight set-up left out
  std::string error;                                    // why there are none ("" when measured)
};

// `cimvp`: the binary to run; `architecture`: the architecture JSON of a
// report or summary (every parameter); `placement`: a placement name of
// the compiler's (compiler/compile.h), or "" or "analytic" for its choice.
LayerTimes vp_layer_times(const std::string& cimvp, const std::string& model, const Policy& policy,
                          const nlohmann::json& architecture, const std::string& placement);

}  // namespace cimvp
