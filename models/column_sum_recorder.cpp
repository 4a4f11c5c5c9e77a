#include "models/column_sum_recorder.h"

#include <limits>

#include "common/error.h"
#include "models/adc.h"

namespace cimvp {

std::vector<ColumnSumRecorder::Histogram>& ColumnSumRecorder::block(uint32_t block, size_t groups) {
  if (block >= blocks_.size()) blocks_.resize(size_t(block) + 1);
  std::vector<Histogram>& b = blocks_[block];
  if (b.empty()) b.resize(groups);
  if (b.size() != groups)
    throw Error("ADC calibration: weight block " + std::to_string(block) + " was read with " +
                std::to_string(b.size()) + " and with " + std::to_string(groups) + " column groups");
  return b;
}

AdcRangeMethod adc_range_method(const std::string& name) {
  if (name == "max") return AdcRangeMethod::Max;
  if (name == "mse") return AdcRangeMethod::Mse;
  throw Error("ADC calibration: unknown method '" + name + "' (max or mse)");
}

int64_t choose_full_scale(const ColumnSumRecorder::Histogram& h, int bits, AdcRangeMethod method, int64_t fallback) {
  int64_t largest = 0;
  for (size_t v = h.size(); v-- > 1;)
    if (h[v]) {
      largest = int64_t(v);
      break;
    }
  if (largest == 0) return fallback;
  if (method == AdcRangeMethod::Max) return largest;
  // The observed sums, once each with their counts: the error of a
  // candidate is a pass over them.
  std::vector<std::pair<int64_t, double>> seen;
  for (size_t v = 1; v < h.size(); ++v)
    if (h[v]) seen.emplace_back(int64_t(v), double(h[v]));
  constexpr int kCandidates = 256;
  int64_t best = largest;
  double best_error = std::numeric_limits<double>::infinity();
  int64_t previous = 0;
  for (int i = kCandidates; i >= 1; --i) {  // from the largest down: ties keep the wider range
    const int64_t f = i == kCandidates ? largest : std::max<int64_t>(1, (largest * i + kCandidates - 1) / kCandidates);
    if (f == previous) continue;
    previous = f;
    const AdcModel adc(bits, f);
    double error = 0;
    for (const auto& [v, n] : seen) {
      const double e = double(adc.quantize(v) - v);
      error += n * e * e;
    }
    if (error < best_error) {
      best_error = error;
      best = f;
    }
  }
  return best;
}

}  // namespace cimvp
