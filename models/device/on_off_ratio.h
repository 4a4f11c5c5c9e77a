// Finite on/off ratio: the highest-resistance state still conducts, so a
// cell at level 0 passes g_min and every level l conducts l + g_min. With
// g_max / g_min = ratio and g_max - g_min = L - 1 (level steps),
//   g_min = (L - 1) / (ratio - 1).
// The extra current of every driven row reaches the ADC: the differential
// mappings cancel it digitally (both columns or rows carry it), the offset
// mapping's reference column too; the ADC's range is spent on it either way.
#pragma once

#include "models/device/cell_effect.h"

namespace cimvp {

class OnOffRatio : public CellEffect {
 public:
  OnOffRatio(double ratio, int levels) : g_min_(float((levels - 1) / (ratio - 1))) {}
  const char* name() const override { return "on/off ratio"; }
  float g_min() const { return g_min_; }
  void program(Conductances& g, Random&) const override { g.array() += g_min_; }

 private:
  float g_min_;
};

}  // namespace cimvp
