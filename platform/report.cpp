#include "platform/report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/provenance.h"
#include "firmware/image.h"
#include "models/device/lifetime.h"

namespace cimvp {
namespace {

nlohmann::json events_json(const EventCounts& e) {
  return {{"instructions", e.instructions},       {"mvms", e.mvms},
          {"crossbar_column_reads", e.crossbar_column_reads}, {"dac_conversions", e.dac_conversions},
          {"adc_conversions", e.adc_conversions}, {"cells_programmed", e.cells_programmed},
          {"crossbar_programs", e.crossbar_programs}, {"buffer_bytes", e.buffer_bytes},
          {"gpeu_ops", e.gpeu_ops},               {"noc_flit_hops", e.noc_flit_hops},
          {"memory_bytes_transferred", e.memory_bytes_transferred},           {"bytes_moved", e.bytes_moved},
          {"macs", e.macs}, {"crossbar_activations", e.crossbar_activations}, {"active_cells", e.active_cells},
          {"crossbars_used", e.crossbars_used}, {"cells_used", e.cells_used}};
}

nlohmann::json layer_json(const LayerReport& l) {
  nlohmann::json lj = events_json(l.events);
  lj["name"] = l.name;
  lj["start_cycle"] = l.start_cycle;
  lj["end_cycle"] = l.end_cycle;
  lj["cycles"] = l.cycles;
  lj["seconds"] = l.seconds;
  lj["dynamic_energy_joules"] = l.dynamic_energy_joules;
  lj["static_energy_joules"] = l.static_energy_joules;
  lj["energy_joules"] = l.energy_joules;
  lj["crossbar_utilization"] = l.crossbar_utilization;
  lj["allocated_cells"] = l.allocated_cells;
  lj["programmed_cell_share"] = l.programmed_cell_share;
  return lj;
}

std::string si(double value, const char* unit) {
  const char* prefixes[] = {"", "m", "u", "n", "p", "f"};
  int i = 0;
  while (value != 0 && std::abs(value) < 1 && i < 5) {
    value *= 1000;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g %s%s", value, prefixes[i], unit);
  return buf;
}

}  // namespace

nlohmann::json to_json(const Report& r) {
  nlohmann::json j;
  j["cimvp"] = provenance_json();
  j["arch"] = r.arch;
  j["architecture"] = architecture_json(r.architecture);
  j["mode"] = r.mode;
  j["cycles"] = r.cycles;
  j["picoseconds"] = r.picoseconds;
  j["seconds"] = r.seconds;
  j["energy_joules"] = r.energy_joules;
  j["setup_cycles"] = r.setup_cycles;
  j["inference_cycles"] = r.inference_cycles;
  j["inference_seconds"] = r.inference_seconds;
  j["inference_energy_joules"] = r.inference_energy_joules;
  j["setup_seconds"] = r.setup_seconds;
  j["setup_energy_joules"] = r.setup_energy_joules;
  j["refresh_seconds"] = r.refresh_seconds;
  j["refresh_energy_joules"] = r.refresh_energy_joules;
  j["deployed_inference_seconds"] = r.deployed_inference_seconds;
  j["deployed_inference_energy_joules"] = r.deployed_inference_energy_joules;
  j["components"] = r.components;
  j["area"] = {{"core_components_mm2", r.core_area_mm2}, {"core_mm2", r.core_mm2}, {"chip_mm2", r.chip_mm2}};
  j["totals"] = events_json(r.totals);
  j["cores"] = nlohmann::json::array();
  for (const CoreReport& c : r.cores) {
    nlohmann::json cj = events_json(c.events);
    cj["id"] = c.id;
    cj["busy_cycles"] = c.busy_cycles;
    cj["wait_cycles"] = c.wait_cycles;
    cj["end_cycle"] = c.end_cycle;
    cj["dynamic_energy_joules"] = c.dynamic_energy_joules;
    cj["static_energy_joules"] = c.static_energy_joules;
    cj["energy_joules"] = c.energy_joules;
    j["cores"].push_back(cj);
  }
  j["layers"] = nlohmann::json::array();
  for (const LayerReport& l : r.layers) j["layers"].push_back(layer_json(l));
  j["outside_layers"] = layer_json(r.outside_layers);
  const FiguresOfMerit& f = r.figures;
  j["figures_of_merit"] = {{"operations", f.operations},
                           {"tops", f.tops},
                           {"tops_per_watt", f.tops_per_watt},
                           {"tops_per_mm2", f.tops_per_mm2},
                           {"average_power_watts", f.average_power_watts},
                           {"inferences_per_second", f.inferences_per_second},
                           {"crossbar_utilization", f.crossbar_utilization}};
  j["host_seconds"] = r.host_seconds;
  return j;
}

std::string format_summary(const Report& r) {
  std::ostringstream s;
  char line[256];
  s << "architecture " << r.arch << ", " << r.mode << " run\n";
  s << "  cycles        " << r.cycles << "\n";
  s << "  time          " << si(r.seconds, "s") << "\n";
  s << "  energy        " << si(r.energy_joules, "J") << "\n";
  if (r.setup_cycles > 0)
    s << "  inference     " << r.inference_cycles << " cycles, " << si(r.inference_seconds, "s") << ", "
      << si(r.inference_energy_joules, "J") << " (after " << r.setup_cycles << " cycles of set-up: "
      << kSetupLayerName << ")\n";
  if (refreshes(r.architecture.device)) {
    const double interval = r.architecture.device.refresh_interval_s;
    if (r.setup_cycles > 0) {
      std::snprintf(line, sizeof line,
                    "  refresh       every %.6g s: +%s, +%s per inference (%.4g of the set-up: inference time / "
                    "interval)\n",
                    interval, si(r.refresh_seconds, "s").c_str(),
                    si(r.refresh_energy_joules, "J").c_str(), r.inference_seconds / interval);
      s << line;
      s << "  deployed      " << si(r.deployed_inference_seconds, "s") << ", "
        << si(r.deployed_inference_energy_joules, "J") << " per inference (inference + refresh)\n";
    } else {
      std::snprintf(line, sizeof line,
                    "  refresh       every %.6g s: nothing resident to refresh (the inference programs its own "
                    "weights)\n",
                    interval);
      s << line;
    }
  }
  s << "  instructions  " << r.totals.instructions << ", MVMs " << r.totals.mvms << ", ADC conversions "
    << r.totals.adc_conversions << "\n";
  const FiguresOfMerit& f = r.figures;
  std::snprintf(line, sizeof line,
                "  per inference %.4g operations, %.4g TOPS, %.4g TOPS/W, %.4g TOPS/mm2, %s average power, "
                "%.4g inferences/s\n",
                double(f.operations), f.tops, f.tops_per_watt, f.tops_per_mm2, si(f.average_power_watts, "W").c_str(),
                f.inferences_per_second);
  s << line;
  std::snprintf(line, sizeof line, "  crossbars     %.1f %% of the cells of the crossbars read are used\n",
                100 * f.crossbar_utilization);
  s << line;
  s << "  host time     " << si(r.host_seconds, "s") << "\n";
  s << "\n  core       busy cycles   wait cycles  instructions          MVMs     bytes moved\n";
  for (const CoreReport& c : r.cores) {
    if (c.events.instructions == 0) continue;
    std::snprintf(line, sizeof line, "  %4d  %14llu  %12llu  %12llu  %12llu  %14llu\n", c.id,
                  (unsigned long long)c.busy_cycles, (unsigned long long)c.wait_cycles,
                  (unsigned long long)c.events.instructions, (unsigned long long)c.events.mvms,
                  (unsigned long long)c.events.bytes_moved);
    s << line;
  }
  if (!r.layers.empty()) {
    // crossbar use: active cells per Mvm; crossbars and programmed: the
    // crossbars the layer read and the share of their cells it programmed.
    s << "\n  layer                         cycles          time        energy          MVMs  crossbar use  crossbars"
         "  programmed\n";
    auto row = [&](const LayerReport& l) {
      std::snprintf(line, sizeof line, "  %-22s  %12llu  %12s  %12s  %12llu  %10.1f %%  %9llu  %8.1f %%\n",
                    l.name.c_str(), (unsigned long long)l.cycles, si(l.seconds, "s").c_str(),
                    si(l.energy_joules, "J").c_str(), (unsigned long long)l.events.mvms, 100 * l.crossbar_utilization,
                    (unsigned long long)l.events.crossbars_used, 100 * l.programmed_cell_share);
      s << line;
    };
    for (const LayerReport& l : r.layers) row(l);
    if (r.outside_layers.events.instructions > 0 || r.outside_layers.energy_joules > 1e-9 * r.energy_joules)
      row(r.outside_layers);
  }
  s << "\n  energy by component\n";
  for (const auto& [name, joules] : r.components) {
    std::snprintf(line, sizeof line, "    %-12s %12s\n", name.c_str(), si(joules, "J").c_str());
    s << line;
  }
  std::snprintf(line, sizeof line, "\n  area          %.4g mm2 per core, %.4g mm2 per chip\n", r.core_mm2, r.chip_mm2);
  s << line;
  for (const auto& [name, mm2] : r.core_area_mm2) {
    std::snprintf(line, sizeof line, "    %-12s %12.4g mm2 per core\n", name.c_str(), mm2);
    s << line;
  }
  return s.str();
}

void write_json_file(const nlohmann::json& json, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error(path + ": cannot open for writing");
  out << json.dump(2) << "\n";
  if (!out) throw Error(path + ": write failed");
}

}  // namespace cimvp
