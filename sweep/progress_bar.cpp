#include "sweep/progress_bar.h"

#include <cstdio>

namespace cimvp {

std::string sweep_progress_line(size_t done, size_t total, size_t failed, double elapsed, int width) {
  const int filled = total ? int(double(width) * double(done) / double(total)) : width;
  std::string bar = "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "]";
  char text[160];
  std::snprintf(text, sizeof text, " %zu/%zu points", done, total);
  std::string line = bar + text;
  if (failed) line += "  " + std::to_string(failed) + " failed";
  if (done > 0 && done < total) {
    const double eta = elapsed / double(done) * double(total - done);
    std::snprintf(text, sizeof text, "  ETA %dm%02ds", int(eta) / 60, int(eta) % 60);
    line += text;
  }
  return line;
}

}  // namespace cimvp
