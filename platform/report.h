// The report of one run: what `cimvp run` prints and writes as JSON.
// Cycles are counted at the architecture's clock; seconds are simulated time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/events.h"

namespace cimvp {

struct CoreReport {
  int id = 0;
  uint64_t busy_cycles = 0;   // from start to halt, minus time waiting for messages and barriers
  uint64_t wait_cycles = 0;
  uint64_t end_cycle = 0;     // when it halted, from the start of the run
  EventCounts events;
  double energy_joules = 0;   // dynamic energy of its events
};

struct LayerReport {
  std::string name;
  uint64_t start_cycle = 0;   // first instruction of the layer on any core
  uint64_t end_cycle = 0;     // end of its last instruction on any core
  uint64_t cycles = 0;        // end - start
  double seconds = 0;
  double energy_joules = 0;
  EventCounts events;
};

struct Report {
  std::string arch;
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
  std::map<std::string, double> components;  // energy per component kind, joules
  // Silicon area (platform/area.h): per component kind of one core, one
  // core, the chip. It follows from the architecture alone.
  std::map<std::string, double> core_area_mm2;
  double core_mm2 = 0;
  double chip_mm2 = 0;
  std::vector<CoreReport> cores;
  std::vector<LayerReport> layers;
  EventCounts totals;
  double host_seconds = 0;     // wall time of the run on this machine (not part of equality)
};

nlohmann::json to_json(const Report& report);
// A readable summary for people: totals, then per-core and per-layer tables.
std::string format_summary(const Report& report);
void write_json_file(const nlohmann::json& json, const std::string& path);

}  // namespace cimvp
