// Wall time since a steady_clock time point, in seconds: what the progress
// lines, the evaluator's time split and the benchmarks report.
#pragma once

#include <chrono>

namespace cimvp {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace cimvp
