#include "models/device/programmed_weight_error.h"

#include <cmath>
#include <string>

#include "common/error.h"
#include "models/device/on_off_ratio.h"
#include "models/weight_mapping.h"

namespace cimvp {

namespace {

// Mean and variance of g' - g for one cell at conductance g.
struct CellError {
  double mean = 0, variance = 0;
};

CellError cell_error(const DeviceParams& device, int levels, double g) {
  const double sigma = device.program_sigma;
  if (device.program_distribution == "lognormal") {
    const double e = std::exp(sigma * sigma);
    return {g * (std::sqrt(e) - 1), g * g * e * (e - 1)};
  }
  const double s = sigma * (levels - 1);
  const double a = g / s;
  const double pdf = std::exp(-0.5 * a * a) / std::sqrt(2 * M_PI);
  const double cdf = 0.5 * std::erfc(-a / std::sqrt(2.0));
  const double m1 = g * cdf + s * pdf;                    // E[max(0, g + s Z)]
  const double m2 = (g * g + s * s) * cdf + g * s * pdf;  // E[max(0, g + s Z)^2]
  return {m1 - g, m2 - m1 * m1};
}

}  // namespace

WeightError programmed_weight_error(const CrossbarParams& crossbar, const DeviceParams& device, int weight_bits,
                                    int weight) {
  // The slicing constants (slices, the offset mapping's reference cell) from
  // the mapping itself, so they cannot drift apart from what the VP stores.
  const CellLayout layout = cell_layout(crossbar, 1, 1, weight_bits);
  const int lo = -(1 << (weight_bits - 1)), hi = (1 << (weight_bits - 1)) - 1;
  if (weight < lo || weight > hi)
    throw Error("programmed weight error: weight " + std::to_string(weight) + " is outside the signed " +
                std::to_string(weight_bits) + "-bit range " + std::to_string(lo) + ".." + std::to_string(hi));
  if (device.program_sigma <= 0) return {};
  const int levels = 1 << crossbar.cell_bits;
  const double g_min = device.on_off_ratio > 0 ? OnOffRatio(device.on_off_ratio, levels).g_min() : 0.0;
  const uint32_t mask = uint32_t(levels - 1);
  WeightError out;
  double variance = 0;
  auto add_cell = [&](int level, int sign, int shift) {
    const CellError c = cell_error(device, levels, level + g_min);
    const double significance = std::ldexp(1.0, shift);
    out.mean += sign * significance * c.mean;
    variance += significance * significance * c.variance;
  };
  if (layout.mapping == WeightMapping::Offset) {
    const uint32_t u = uint32_t(weight - lo);
    for (int k = 0; k < layout.slices; ++k) add_cell(int((u >> (k * layout.cell_bits)) & mask), +1, k * layout.cell_bits);
    add_cell(layout.reference_level, -1, layout.reference_shift);
  } else {  // both differential mappings: a positive and a negative cell per slice
    const uint32_t m = uint32_t(std::abs(weight));
    for (int k = 0; k < layout.slices; ++k) {
      const int digit = int((m >> (k * layout.cell_bits)) & mask);
      add_cell(weight > 0 ? digit : 0, +1, k * layout.cell_bits);
      add_cell(weight < 0 ? digit : 0, -1, k * layout.cell_bits);
    }
  }
  out.std_dev = std::sqrt(variance);
  return out;
}

}  // namespace cimvp
