// The error that programming variation (programming_variation.h) puts on
// one signed integer weight once the crossbar stores it, in units of one
// weight LSB: noise-aware training (`cimvp train --arch`, docs/device.md)
// adds it to the fake-quantized weights, so it must be what the VP's
// cells do to the weight, not a guess.
//
// A weight of `weight_bits` bits is split over cells as weight_mapping.h
// says: slice k of significance 2^(k cell_bits), on a positive and a
// negative cell (differential-column, differential-row) or on one cell of
// w + 2^(wb-1) minus the row's reference cell (offset). Every cell is
// programmed, those at level 0 included, and each conducts its level plus
// g_min (on_off_ratio). The weight read back is sum over its cells of sign
// x significance x (g' - g_min), so its error is the same sum of the cells'
// errors g' - g, independent across cells:
//   mean = sum sign 2^(k cb) E[g' - g],  variance = sum 4^(k cb) Var[g' - g].
// Per cell, exactly:
//   normal, g' = max(0, g + s Z), s = sigma (L - 1), a = g / s:
//     E[g'] = g Phi(a) + s phi(a),  E[g'^2] = (g^2 + s^2) Phi(a) + g s phi(a)
//     (far from 0 that is mean 0, std s, and the weight's std is
//     sigma (L - 1) sqrt(sum over its cells of 4^(k cb)); a cell at
//     conductance 0 spreads upwards only: mean 0.40 s, std 0.58 s);
//   lognormal, g' = g exp(sigma Z): E[g' - g] = g (e^(sigma^2/2) - 1),
//     Var = g^2 e^(sigma^2) (e^(sigma^2) - 1) (a cell at g = 0 stays there).
// Not captured: the offset mapping's reference cell is shared by a row, so
// the errors of that row's weights are correlated (each weight's own mean
// and variance are right); flipped-columns (crossbar.encoding) stores some
// columns as complements L - 1 - l, which only the column's other weights
// decide: the levels are taken as stored directly. Other device effects
// (read noise, stuck cells, drift) are not part of this error.
#pragma once

#include "config/arch_config.h"

namespace cimvp {

struct WeightError {
  double mean = 0;     // weight LSBs
  double std_dev = 0;  // weight LSBs
};

// The error of `weight` (in -2^(wb-1) .. 2^(wb-1) - 1) of `weight_bits`
// bits under `crossbar`'s cell bits and mapping and `device`'s programming
// variation (device.program_sigma, device.program_distribution,
// device.on_off_ratio).
WeightError programmed_weight_error(const CrossbarParams& crossbar, const DeviceParams& device, int weight_bits,
                                    int weight);

}  // namespace cimvp
