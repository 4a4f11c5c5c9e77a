// Programming (device-to-device) variation: each cell lands near, not on,
// its target conductance, drawn once per programming event.
//   normal:    g' = max(0, g + sigma (L - 1) N(0, 1))  (sigma relative to the range)
//   lognormal: g' = g exp(sigma N(0, 1))               (sigma of ln g)
// A conductance cannot be negative: normal draws below 0 read 0.
#pragma once

#include "models/device/cell_effect.h"

namespace cimvp {

class ProgrammingVariation : public CellEffect {
 public:
  ProgrammingVariation(double sigma, bool lognormal, int levels)
      : sigma_(sigma), lognormal_(lognormal), range_(levels - 1) {}
  const char* name() const override { return "programming variation"; }
  void program(Conductances& g, Random& rng) const override;

 private:
  double sigma_;
  bool lognormal_;
  int range_;
};

}  // namespace cimvp
