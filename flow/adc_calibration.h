// ADC range calibration: each weight block's column groups get the ADC full
// scale that suits the column sums they produce on training images, as
// designs with coarse ADCs (PRIME's 6-bit sense amplifiers, ISAAC's 8-bit
// ADCs) set their references from the expected sums instead of the largest
// possible one. Pipeline::load runs it when the architecture asks
// (adc.calibration: max or mse): the image runs functionally on
// adc.calibration_images training images with every crossbar computing the
// exact product and counting its column sums (models/column_sum_recorder.h),
// then choose_adc_ranges writes each group's full scale into the image's
// blocks (WeightBlock::adc_full_scale), where the crossbars read it.
//
// The sums observed are the ideal network's: no device or ADC error is in
// the loop, so one calibration serves every device draw.
#pragma once

#include "config/arch_config.h"
#include "firmware/image.h"
#include "flow/pipeline.h"
#include "models/column_sum_recorder.h"

namespace cimvp::flow {

// Sets adc_full_scale of every block `recorder` saw (one full scale per
// column group, chosen by arch.adc.calibration; a group whose sums were all
// zero keeps the architecture's full scale). Blocks never read keep none.
AdcCalibrationSummary choose_adc_ranges(const ColumnSumRecorder& recorder, const ArchConfig& arch,
                                        FirmwareImage& image);

}  // namespace cimvp::flow
