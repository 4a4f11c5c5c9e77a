#include "rl/progress_line.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cimvp::rl {

std::string duration_text(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

std::string progress_line(const SearchProgress& p, int width) {
  const int filled = p.episodes > 0 ? int(int64_t(width) * p.episodes_done / p.episodes) : 0;
  std::string bar = "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "]";
  char buf[160];
  const int digits = int(std::to_string(p.episodes).size());
  std::snprintf(buf, sizeof buf, " %*d/%d", digits, p.episodes_done, p.episodes);
  std::string line = bar + buf;
  if (p.has_best)
    std::snprintf(buf, sizeof buf, "  best %.2f (%.2fx, %.2f %%)", p.best_reward, p.best_speedup, 100 * p.best_accuracy);
  else
    std::snprintf(buf, sizeof buf, "  best: none yet");
  line += buf;
  return line + "  ETA " + duration_text(p.eta_seconds);
}

}  // namespace cimvp::rl
