// `cimvp report` on a bit-width search's folder (docs/search.md): the
// summary against its baselines, every episode's accuracy against speedup
// with the target, the search's progress, and the found policy per layer.
#pragma once

#include <string>

namespace cimvp {

// Throws cimvp::Error naming the file and the column or key it misses.
std::string search_report_html(const std::string& folder);

}  // namespace cimvp
