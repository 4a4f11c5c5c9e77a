#include "platform/area.h"

#include <cmath>

#include "platform/energy.h"

namespace cimvp {

double adc_area_um2(const ArchConfig& a) {
  return a.area_adc_um2 * std::ldexp(1.0, a.adc_bits - 8) * adc_speed_factor(a);
}

AreaBreakdown area(const ArchConfig& a) {
  constexpr double mm2 = 1e-6;  // per um2
  AreaBreakdown r;
  r.adcs_per_crossbar = (a.crossbar_cols + a.adc_cols_per_adc - 1) / a.adc_cols_per_adc;
  const double crossbars = a.crossbars_per_core();
  const double cells = double(a.crossbar_rows) * a.crossbar_cols;
  const int lanes = a.gpeu_lanes > 0 ? a.gpeu_lanes : 16;
  const int link_bytes = a.noc_link_bytes > 0 ? a.noc_link_bytes : 16;
  r.core_mm2["crossbar"] = crossbars * cells * a.area_cell_um2 * mm2;
  r.core_mm2["adc"] = crossbars * r.adcs_per_crossbar * adc_area_um2(a) * mm2;
  r.core_mm2["dac"] = crossbars * a.crossbar_rows * double((1 << a.dac_bits) - 1) * a.area_dac_um2 * mm2;
  r.core_mm2["buffer"] = double(a.buffer_bytes) / 1024.0 * a.area_sram_um2_per_kib * mm2;
  r.core_mm2["gpeu"] = lanes * a.area_gpeu_um2_per_lane * mm2;
  r.core_mm2["noc"] = link_bytes * a.area_router_um2_per_link_byte * mm2;
  for (const auto& [name, value] : r.core_mm2) r.core_total_mm2 += value;
  r.chip_total_mm2 = r.core_total_mm2 * a.cores();
  return r;
}

}  // namespace cimvp
