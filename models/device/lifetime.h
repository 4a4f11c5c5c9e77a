// The lifetime of a deployment that refreshes its weights
// (device.refresh_interval_s = T, docs/device.md "Lifetime and refresh"):
// the chip reprograms its resident weights every T seconds and infers back
// to back in between, so the cells a read sees are between 0 and T seconds
// old, every age equally often.
//
// Ages. The VP reads inference k (counted from the image's load or the last
// new device.seed, functional runs only) at
//   a_k = max(t0, u_k T),   u_k = frac(1/2 + k (sqrt(5) - 1) / 2),
// t0 = device.drift_t0_s (cells read before t0 hold their programmed
// conductances, the drift law's reference). u_k is the golden-ratio
// sequence: any run of consecutive inferences spreads its ages evenly over
// the interval (the gaps between the sorted u_k take at most three values),
// so the accuracy of N images estimates the mean accuracy over a deployment
// with less spread than random ages would, and with no draw: the ages are
// the same for every seed. The first inference reads at T / 2.
//
// Cost. A refresh repeats the image's set-up (programming every resident
// crossbar); each inference of t_inf seconds carries t_inf / T of it
// (refresh_share), in time and in energy (platform/report.h).
#pragma once

#include <cstdint>

#include "config/arch_config.h"

namespace cimvp {

// True when the architecture refreshes its weights.
inline bool refreshes(const DeviceParams& d) { return d.refresh_interval_s > 0; }

// The fraction u_k in [0, 1) of the refresh interval at which inference k reads.
double refresh_phase(uint64_t inference);
// The age in seconds at which inference k reads the cells (a_k above);
// device.read_time_s when the architecture does not refresh.
double read_age_s(const DeviceParams& d, uint64_t inference);
// The share of one refresh that an inference of `inference_seconds`
// carries: inference_seconds / T; 0 when the architecture does not refresh.
double refresh_share(const DeviceParams& d, double inference_seconds);

}  // namespace cimvp
