// `cimvp report` on a sweep's output folder (results.jsonl, sweep.json):
// docs/sweeps.md, "The report", lists what the page shows.
#pragma once

#include <string>

namespace cimvp {

// Throws cimvp::Error naming the file when the folder's results are unusable.
std::string sweep_report_html(const std::string& folder);

}  // namespace cimvp
