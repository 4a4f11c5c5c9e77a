#include "flow/adc_calibration.h"

#include <algorithm>

#include "models/adc.h"

namespace cimvp::flow {

AdcCalibrationSummary choose_adc_ranges(const ColumnSumRecorder& recorder, const ArchConfig& arch,
                                        FirmwareImage& image) {
  const AdcModel adc(arch);
  const AdcRangeMethod method = adc_range_method(arch.adc.calibration);
  AdcCalibrationSummary s;
  s.method = arch.adc.calibration;
  s.architecture = adc.full_scale();
  image.version = kImageVersion;  // the first that holds full scales
  const auto& blocks = recorder.blocks();
  for (size_t b = 0; b < blocks.size() && b < image.blocks.size(); ++b) {
    if (blocks[b].empty()) continue;
    std::vector<int64_t>& full_scales = image.blocks[b].adc_full_scale;
    full_scales.clear();
    for (const ColumnSumRecorder::Histogram& h : blocks[b]) {
      const int64_t f = std::min(choose_full_scale(h, adc.bits(), method, adc.full_scale()), AdcModel::kMaxFullScale);
      full_scales.push_back(f);
      s.smallest = s.groups == 0 ? f : std::min(s.smallest, f);
      s.largest = std::max(s.largest, f);
      ++s.groups;
    }
  }
  return s;
}

}  // namespace cimvp::flow
