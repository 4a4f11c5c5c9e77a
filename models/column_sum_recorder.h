// What an ADC range calibration observes: how often each column sum reached
// the converters of each weight block's column groups. A crossbar with a
// recorder (Crossbar::set_column_sum_recorder) computes its products
// exactly, as an ideal ADC would, and counts the magnitude of every
// non-zero column sum it converts; flow/adc_calibration.h then chooses each
// group's full scale from the counts (choose_full_scale below).
//
// Column group k of a block holds the columns of weight slice k (under
// every signed mapping); group `slices` the offset mapping's reference
// column (models/weight_mapping.h). The crossbar counts each group's sums
// per input slice (histogram t * groups + k): the columns of a group in
// one input slice have one significance in shift-and-add, and the input
// slices see different digits (the high bits of a ReLU output are mostly
// 0), so a full scale per group and slice loses the least where it
// matters most.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimvp {

class ColumnSumRecorder {
 public:
  using Histogram = std::vector<uint64_t>;  // count of each column sum magnitude, index = magnitude

  // The histograms of `block`'s column groups (created on first use with
  // `groups` groups). Throws cimvp::Error when a block asks for another
  // group count than before.
  std::vector<Histogram>& block(uint32_t block, size_t groups);
  // Blocks seen so far, indexed by block; a block never seen has no groups.
  const std::vector<std::vector<Histogram>>& blocks() const { return blocks_; }

  static void count(Histogram& h, int64_t magnitude) {
    if (magnitude <= 0) return;  // 0 converts exactly at any full scale
    if (uint64_t(magnitude) >= h.size()) h.resize(size_t(magnitude) + 1, 0);
    ++h[size_t(magnitude)];
  }

 private:
  std::vector<std::vector<Histogram>> blocks_;
};

// How a full scale is chosen from a group's histogram.
enum class AdcRangeMethod {
  Max,  // the largest observed column sum: nothing clips
  Mse,  // the least squared conversion error over the observed sums
};
AdcRangeMethod adc_range_method(const std::string& name);  // "max" or "mse"; throws otherwise

// The full scale of a `bits`-bit ADC for the column sums counted in `h`;
// `fallback` when nothing non-zero was counted. Mse searches 256 candidates
// evenly spaced up to the largest observed sum, and that sum itself; the
// error is what AdcModel::quantize makes of every counted sum.
int64_t choose_full_scale(const ColumnSumRecorder::Histogram& h, int bits, AdcRangeMethod method, int64_t fallback);

}  // namespace cimvp
