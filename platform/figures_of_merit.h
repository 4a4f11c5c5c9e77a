// Figures of merit that CIM papers report, derived from a run's counts
// (platform/report.h): operations, throughput, efficiency, power and how
// much of the crossbars the work uses. They describe the inference, after
// any set-up (resident weights programmed once are not part of it), with
// its share of the refreshes when the architecture has a refresh interval
// (Report::deployed_inference_seconds and _energy_joules).
#pragma once

#include <cstdint>

#include "config/arch_config.h"
#include "models/events.h"

namespace cimvp {

// Operations count 2 per multiply-accumulate that the crossbars compute
// (EventCounts::macs); digital work (GPEU) is not counted as operations.
struct FiguresOfMerit {
  uint64_t operations = 0;
  double tops = 0;                   // operations per second / 1e12
  double tops_per_watt = 0;          // operations per joule / 1e12
  double tops_per_mm2 = 0;           // tops / chip area
  double average_power_watts = 0;    // inference energy / inference time
  double inferences_per_second = 0;  // one inference per run (1 / its time with the refresh share)
  double crossbar_utilization = 0;   // active cells / cells of the crossbars read, over every Mvm
};

// Active cells over the cells of the crossbars read by `events`' Mvms
// (0 without Mvms): 1 when every Mvm uses whole crossbars.
double crossbar_utilization(const ArchConfig& arch, const EventCounts& events);

struct LayerReport;
// A layer's allocated_cells and programmed_cell_share from its events'
// crossbars_used and cells_used.
void set_programmed_cell_share(const ArchConfig& arch, LayerReport& layer);

}  // namespace cimvp
