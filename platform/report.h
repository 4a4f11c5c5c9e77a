// The report of one run: what `cimvp run` prints and writes as JSON.
// Cycles are counted at the architecture's clock; seconds are simulated time.
//
// Everything adds up: the run's totals are the sum of its cores and the sum
// of its layers plus `outside_layers` (instructions in no layer range and
// the static energy of time no layer spans), events and energy alike; NoC
// flit-hops and global-memory bytes are charged to the core and layer whose
// transfer caused them. Energy is dynamic (events x per-event energy) plus
// static (static power x time): a core is powered for the whole run, a
// layer's share is the whole chip's static power over the layer's span.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "models/events.h"
#include "platform/figures_of_merit.h"

namespace cimvp {

struct CoreReport {
  int id = 0;
  uint64_t busy_cycles = 0;   // from start to halt, minus time waiting for messages and barriers
  uint64_t wait_cycles = 0;
  uint64_t end_cycle = 0;     // when it halted, from the start of the run
  EventCounts events;
  double dynamic_energy_joules = 0;  // its events
  double static_energy_joules = 0;   // its static power over the whole run
  double energy_joules = 0;          // dynamic + static
};

struct LayerReport {
  std::string name;
  uint64_t start_cycle = 0;   // first instruction of the layer on any core
  uint64_t end_cycle = 0;     // end of its last instruction on any core
  uint64_t cycles = 0;        // end - start
  double seconds = 0;
  double dynamic_energy_joules = 0;  // its events
  double static_energy_joules = 0;   // the chip's static power over its span
  double energy_joules = 0;          // dynamic + static
  EventCounts events;
  // Active cells over the cells of the crossbars its Mvms read (0 without Mvms).
  double crossbar_utilization = 0;
  // The crossbars the layer's Mvms read (events.crossbars_used) hold
  // events.cells_used programmed cells of allocated_cells (crossbars x rows x
  // columns); programmed_cell_share is their ratio (0 without Mvms).
  uint64_t allocated_cells = 0;
  double programmed_cell_share = 0;
};


struct Report {
  std::string arch;            // the architecture's name
  ArchConfig architecture;     // every parameter of it: the report reproduces the run
  std::string mode;            // "functional" or "timing"
  uint64_t picoseconds = 0;    // simulated time, exact
  uint64_t cycles = 0;
  double seconds = 0;
  double energy_joules = 0;
  // Set-up (the layer range named kSetupLayerName, e.g. programming resident
  // weights) and what follows it: the inference. Without set-up, the
  // inference is the whole run.
  uint64_t setup_cycles = 0;
  uint64_t inference_cycles = 0;
  double inference_seconds = 0;
  double inference_energy_joules = 0;
  double setup_seconds = 0;
  double setup_energy_joules = 0;  // dynamic and static energy of the set-up
  // Refresh (device.refresh_interval_s = T, models/device/lifetime.h): a
  // deployment repeats the set-up every T seconds of inferences run back to
  // back, so each inference carries inference_seconds / T of its time and
  // energy. Amortized shares, not part of the simulated run above (whose
  // totals still add up); 0 without a refresh interval or without set-up.
  double refresh_seconds = 0;
  double refresh_energy_joules = 0;
  // One inference of a deployment: the inference plus its refresh share
  // (equal to inference_* without a refresh interval). The figures of merit
  // describe it.
  double deployed_inference_seconds = 0;
  double deployed_inference_energy_joules = 0;
  std::map<std::string, double> components;  // energy per component kind, joules
  // Silicon area (platform/area.h): per component kind of one core, one
  // core, the chip. It follows from the architecture alone.
  std::map<std::string, double> core_area_mm2;
  double core_mm2 = 0;
  double chip_mm2 = 0;
  std::vector<CoreReport> cores;
  std::vector<LayerReport> layers;
  LayerReport outside_layers;  // named "(outside layers)"
  EventCounts totals;
  FiguresOfMerit figures;
  double host_seconds = 0;     // wall time of the run on this machine (not part of equality)
};

// The figures of merit of a report whose other fields are set
// (platform/figures_of_merit.cpp).
FiguresOfMerit figures_of_merit(const Report& report);

nlohmann::json to_json(const Report& report);
// A readable summary for people: totals, then per-core and per-layer tables.
std::string format_summary(const Report& report);
void write_json_file(const nlohmann::json& json, const std::string& path);

}  // namespace cimvp
