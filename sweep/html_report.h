// `cimvp report`: one self-contained HTML page (Vega-Lite charts, the
// libraries inlined, nothing fetched) for what a run, a sweep or a search
// asked: a sweep's folder (results.jsonl), a search's folder (summary.json,
// episodes.csv) or a run's report.json (or a folder holding one).
#pragma once

#include <string>

namespace cimvp {

// Throws cimvp::Error naming the path when it is none of these. `cimvp`:
// the binary a search report runs to measure time per layer ("" for none).
std::string report_html(const std::string& path, const std::string& cimvp = "");

}  // namespace cimvp
