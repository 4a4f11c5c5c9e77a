// `cimvp report` on a bit-width search's folder (docs/search.md): the
// summary against its baselines, every episode's accuracy against speedup
// with the target, the search's progress, and the found policy per layer.
#pragma once

#include <string>

namespace cimvp {

// Throws cimvp::Error naming the file and the column or key it misses.
// `cimvp`: the binary that measures the found policy's and W8A8's time per
// layer (policy_layer_times.h); "" leaves that chart out.
std::string search_report_html(const std::string& folder, const std::string& cimvp);

}  // namespace cimvp
