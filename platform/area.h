// The area model: silicon area per core and per chip from the architecture
// (docs/energy-area.md). Crossbar cells, ADCs (by resolution and sample
// rate), DACs (by bits, one per row), the local buffer (by size), the GPEU
// (by lanes) and the NoC router (by link width); global memory (DRAM) is off
// chip and not counted.
#pragma once

#include <map>
#include <string>

#include "config/arch_config.h"

namespace cimvp {

struct AreaBreakdown {
  std::map<std::string, double> core_mm2;  // per component kind, one core
  double core_total_mm2 = 0;
  double chip_total_mm2 = 0;  // cores x core
  int adcs_per_crossbar = 0;  // ceil(crossbar.cols / adc.cols_per_adc)
};

AreaBreakdown area(const ArchConfig& arch);

}  // namespace cimvp
