#include "rl/progress_line.h"

#include <cstdio>

#include "common/progress_bar.h"
#include "rl/precision_proxy.h"

namespace cimvp::rl {

std::string progress_line(const SearchProgress& p, int width) {
  const std::string bar = progress_bar(p.episodes_done, p.episodes, width);
  char buf[160];
  const int digits = int(std::to_string(p.episodes).size());
  std::snprintf(buf, sizeof buf, " %*d/%d", digits, p.episodes_done, p.episodes);
  std::string line = bar + buf;
  if (p.has_best && p.precision_proxy)
    std::snprintf(buf, sizeof buf, "  best %.2f (%.2fx, %.2f bits)", p.best_reward, p.best_speedup,
                  kBaselineBits * p.best_accuracy);
  else if (p.has_best)
    std::snprintf(buf, sizeof buf, "  best %.2f (%.2fx, %.2f %%)", p.best_reward, p.best_speedup, 100 * p.best_accuracy);
  else
    std::snprintf(buf, sizeof buf, "  best: none yet");
  line += buf;
  return line + "  ETA " + duration_text(p.eta_seconds);
}

}  // namespace cimvp::rl
