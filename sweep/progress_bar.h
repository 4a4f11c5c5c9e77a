// The sweep's progress line on stderr, redrawn with '\r':
//   [##########..........]  30/60 points  2 failed  ETA 41s
#pragma once

#include <string>

namespace cimvp {

std::string sweep_progress_line(size_t done, size_t total, size_t failed, double elapsed_seconds, int width = 20);

}  // namespace cimvp
