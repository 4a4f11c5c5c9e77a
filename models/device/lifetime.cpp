#include "models/device/lifetime.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

double refresh_phase(uint64_t inference) {
  constexpr double kGolden = 0.6180339887498948482;  // (sqrt(5) - 1) / 2
  const double x = 0.5 + double(inference) * kGolden;
  return x - std::floor(x);
}

double read_age_s(const DeviceParams& d, uint64_t inference) {
  if (!refreshes(d)) return d.read_time_s;
  return std::max(d.drift_t0_s, refresh_phase(inference) * d.refresh_interval_s);
}

double refresh_share(const DeviceParams& d, double inference_seconds) {
  return refreshes(d) ? inference_seconds / d.refresh_interval_s : 0.0;
}

}  // namespace cimvp
