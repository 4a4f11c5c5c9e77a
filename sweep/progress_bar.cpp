#include "sweep/progress_bar.h"

#include "common/progress_bar.h"

namespace cimvp {

std::string sweep_progress_line(size_t done, size_t total, size_t failed, double elapsed, int width) {
  std::string line = progress_bar(int64_t(done), int64_t(total), width) + " " + std::to_string(done) + "/" +
                     std::to_string(total) + " points";
  if (failed) line += "  " + std::to_string(failed) + " failed";
  if (done > 0 && done < total) line += "  ETA " + duration_text(elapsed / double(done) * double(total - done));
  return line;
}

}  // namespace cimvp
