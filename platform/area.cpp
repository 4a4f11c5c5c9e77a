#include "platform/area.h"

#include <cmath>

#include "models/adc.h"

namespace cimvp {

AreaBreakdown area(const ArchConfig& a) {
  constexpr double mm2 = 1e-6;  // per um2
  AreaBreakdown r;
  const AdcCosts adc(a);
  r.adcs_per_crossbar = adc.converters_per_crossbar;
  const double crossbars = a.crossbars_per_core();
  const double cells = double(a.crossbar.rows) * a.crossbar.cols;
  const int lanes = a.gpeu.lanes > 0 ? a.gpeu.lanes : 16;
  const int link_bytes = a.noc.link_bytes > 0 ? a.noc.link_bytes : 16;
  r.core_mm2["crossbar"] = crossbars * cells * a.area.cell_um2 * mm2;
  r.core_mm2["adc"] = crossbars * r.adcs_per_crossbar * adc.area_um2 * mm2;
  r.core_mm2["dac"] = crossbars * a.crossbar.rows * double((1 << a.dac.bits) - 1) * a.area.dac_um2 * mm2;
  r.core_mm2["buffer"] = double(a.buffer.bytes) / 1024.0 * a.area.sram_um2_per_kib * mm2;
  r.core_mm2["gpeu"] = lanes * a.area.gpeu_um2_per_lane * mm2;
  r.core_mm2["noc"] = link_bytes * a.area.router_um2_per_link_byte * mm2;
  for (const auto& [name, value] : r.core_mm2) r.core_total_mm2 += value;
  r.chip_total_mm2 = r.core_total_mm2 * a.cores();
  return r;
}

}  // namespace cimvp
