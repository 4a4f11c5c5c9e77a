#include "platform/figures_of_merit.h"

#include "firmware/image.h"
#include "platform/report.h"

namespace cimvp {

double crossbar_utilization(const ArchConfig& arch, const EventCounts& e) {
  if (e.crossbar_activations == 0) return 0;
  const double cells = double(arch.crossbar.rows) * double(arch.crossbar.cols);
  return double(e.active_cells) / (double(e.crossbar_activations) * cells);
}

void set_programmed_cell_share(const ArchConfig& arch, LayerReport& l) {
  l.allocated_cells = l.events.crossbars_used * uint64_t(arch.crossbar.rows) * uint64_t(arch.crossbar.cols);
  l.programmed_cell_share = l.allocated_cells ? double(l.events.cells_used) / double(l.allocated_cells) : 0;
}

FiguresOfMerit figures_of_merit(const Report& r) {
  EventCounts inference = r.totals;
  for (const LayerReport& l : r.layers)
    if (l.name == kSetupLayerName) inference = inference - l.events;
  FiguresOfMerit f;
  f.operations = 2 * inference.macs;
  const double ops = double(f.operations);
  // An inference of a deployment: with its share of the refreshes.
  const double seconds = r.deployed_inference_seconds, joules = r.deployed_inference_energy_joules;
  if (seconds > 0) {
    f.tops = ops / seconds * 1e-12;
    f.average_power_watts = joules / seconds;
    f.inferences_per_second = 1.0 / seconds;
  }
  if (joules > 0) f.tops_per_watt = ops / joules * 1e-12;
  if (r.chip_mm2 > 0) f.tops_per_mm2 = f.tops / r.chip_mm2;
  f.crossbar_utilization = crossbar_utilization(r.architecture, inference);
  return f;
}

}  // namespace cimvp
