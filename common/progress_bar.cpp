#include "common/progress_bar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cimvp {

std::string progress_bar(int64_t done, int64_t total, int width) {
  const int filled = total > 0 ? int(std::clamp<int64_t>(int64_t(width) * done / total, 0, width)) : width;
  return "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "]";
}

std::string duration_text(double seconds) {
  if (std::isnan(seconds) || seconds > 1e7) return "?";  // no estimate yet
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

}  // namespace cimvp
