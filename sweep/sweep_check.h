// What a sweep's points need beyond their own values (sweep_config.h checks
// those while reading), checked before the first point runs, on one machine
// and under MPI alike:
//  - every point's architecture, the base with the point's parameters,
//    passes the rules between parameters (adc.cols_per_adc <= crossbar.cols);
//  - every model loads, and every policy file has one entry per quantizable
//    layer of every model.
// Errors are one cimvp::Error naming the sweep file's line and the point.
// And what a reader of the results must know about its points: those whose
// ADC does not digitize every column sum exactly, so that a timing-only
// sweep never ranks a design whose accuracy would collapse without a word.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sweep/sweep_config.h"

namespace cimvp {

struct SweepCheck {
  size_t points = 0;
  size_t architectures = 0;       // distinct parameter sets
  size_t inexact_adc_points = 0;  // points whose ADC loses column sums (adc_json's "exact" false)
  std::vector<std::string> warnings;
};

SweepCheck check_sweep(const SweepConfig& config);

}  // namespace cimvp
