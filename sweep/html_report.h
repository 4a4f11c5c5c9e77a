// `cimvp report`: one self-contained HTML file (inline SVG and CSS, no
// script, nothing fetched) from a sweep's output folder (results.jsonl) or a
// bit-width search's (episodes.csv, best-policy.yaml). docs/sweeps.md lists
// the plots.
#pragma once

#include <string>

namespace cimvp {

// Throws cimvp::Error naming the folder when it holds neither kind of output.
std::string report_html(const std::string& folder);
std::string sweep_report_html(const std::string& folder);
std::string search_report_html(const std::string& folder);

}  // namespace cimvp
