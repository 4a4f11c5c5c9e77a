// Read (cycle-to-cycle) noise: at every read each cell conducts its
// conductance plus N(0, (sigma (L - 1))^2), independently. A column current
// sum_r (g + n_r) d_r then differs from the noise-free one by a normal
// variable of variance (sigma (L - 1))^2 sum_r d_r^2, which is what is
// drawn: one draw per column and read instead of one per cell, the same
// distribution (a sum of independent normals is normal). The ADC draws it
// (read_sigma(), adc.h).
#pragma once

#include "models/device/cell_effect.h"

namespace cimvp {

class ReadNoise : public CellEffect {
 public:
  ReadNoise(double sigma, int levels) : sigma_(sigma * (levels - 1)) {}
  const char* name() const override { return "read noise"; }
  double read_sigma(double drive_squared_norm) const override;

 private:
  double sigma_;  // in level steps
};

}  // namespace cimvp
