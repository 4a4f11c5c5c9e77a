// The pieces of the progress lines that long jobs (training, search, sweeps)
// redraw on a terminal with '\r':
//   [#######.............]  120/600 ...  ETA 12m03s
#pragma once

#include <cstdint>
#include <string>

namespace cimvp {

// "[####....]": `width` cells, done / total of them filled (all when total is 0).
std::string progress_bar(int64_t done, int64_t total, int width);
// "12m03s", "1h02m", "45s"; negative durations read "0s", unknown ones
// (NaN, or beyond 100 days) "?".
std::string duration_text(double seconds);

}  // namespace cimvp
