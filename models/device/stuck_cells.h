// Stuck-at faults: a fraction of the cells is stuck at g_min (stuck-at-low,
// high resistance) or at g_max (stuck-at-high), whatever is programmed.
// Faults belong to the array, not to a programming: whether the cell at
// (row, column) is stuck is a hash of the crossbar's stream and the cell's
// position, so every programming of a crossbar sees the same faults, for
// any tile size.
#pragma once

#include "models/device/cell_effect.h"

namespace cimvp {

class StuckCells : public CellEffect {
 public:
  StuckCells(double low_rate, double high_rate, float g_min, float g_max)
      : low_(low_rate), high_(high_rate), g_min_(g_min), g_max_(g_max) {}
  const char* name() const override { return "stuck cells"; }
  bool redrawn_per_programming() const override { return false; }
  void program(Conductances& g, Random& rng) const override;

 private:
  double low_, high_;
  float g_min_, g_max_;
};

}  // namespace cimvp
