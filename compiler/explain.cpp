// The per-layer table that `cimvp compile --explain` prints: what the
// compiler decided for each op, and with a resident placement which layer
// parts each core's crossbars hold.
#include "compiler/explain.h"

#include <cstdio>
#include <sstream>
#include <vector>

namespace cimvp {

std::string explain(const CompileResult& result, const ArchConfig& arch) {
  std::ostringstream s;
  char line[256];
  s << "architecture " << arch.name << ": " << arch.cores() << " cores x " << arch.crossbars_per_core()
    << " crossbars of " << arch.crossbar.rows << " x " << arch.crossbar.cols << ", " << arch.crossbar.cell_bits << "-bit cells, "
    << arch.dac.bits << "-bit DAC, " << mapping_name(arch.crossbar.mapping) << "\n\n";
  s << "  layer                 kind            w  a  in-slices cells/w   matrix      packs tiles   used groups cores "
       "crossbars    MVMs\n";
  int64_t weight_cells = 0, allocated_cells = 0;
  for (const LayerPlan& l : result.plan) {
    // used: the cells holding the layer's weights over the cells of the
    // crossbars its tiles take (a grouped layer's packs leave the zeros
    // between their groups in their tiles).
    char used[16] = "     -";
    if (l.allocated_cells > 0)
      std::snprintf(used, sizeof used, "%5.1f%%", 100.0 * double(l.weight_cells) / double(l.allocated_cells));
    weight_cells += l.weight_cells;
    allocated_cells += l.allocated_cells;
    char packs[16] = "    -";
    if (l.weight_bits > 0) std::snprintf(packs, sizeof packs, "%5d", l.packs);
    std::snprintf(line, sizeof line, "  %-20s  %-13s  %2d %2d  %9d %7d  %5d x %-5d %s %5d %s %6d %5d %5d %8lld\n",
                  l.name.c_str(), l.kind.c_str(), l.weight_bits, l.activation_bits, l.input_slices, l.weight_slices,
                  l.matrix_rows, l.matrix_cols, packs, l.tiles, used, l.groups, l.cores, l.crossbars,
                  (long long)l.predicted_mvms);
    s << line;
  }
  int tiles = 0;
  for (const LayerPlan& l : result.plan) tiles += l.tiles;
  if (allocated_cells > 0) {
    std::snprintf(line, sizeof line,
                  "\n  %d tiles (one copy of the weights): %lld cells hold weights of %lld allocated (%.1f%%)\n",
                  tiles, (long long)weight_cells, (long long)allocated_cells,
                  100.0 * double(weight_cells) / double(allocated_cells));
    s << line;
  }
  size_t instructions = 0;
  for (const auto& c : result.image.cores) instructions += c.code.size();
  s << "\n  " << result.image.blocks.size() << " weight blocks, " << instructions << " instructions, "
    << placement_name(result.placement) << " placement";
  if (result.placement == Placement::Resident || result.placement == Placement::Mixed) {
    if (result.placement == Placement::Resident) {
      int crossbars = 0;
      for (const LayerPlan& l : result.plan) crossbars += l.crossbars;
      s << ": " << crossbars << " of " << arch.cores() * arch.crossbars_per_core()
        << " crossbars hold weights, programmed once before inference\n\n";
    } else {
      const int n = result.resident.per_layer_crossbars;
      s << ": crossbars 0-" << n - 1 << " of every core are reprogrammed by the per-layer layers; "
        << result.resident.crossbars << " crossbars above them hold the resident layers' weights, programmed once"
        << " before inference\n\n";
    }
    // Per core: which layer parts its crossbars hold (column tiles, output rows).
    auto range = [](int first, int end) {  // [first, end) as "a" or "a-b"
      return end - first == 1 ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(end - 1);
    };
    std::vector<std::string> cores(size_t(arch.cores()));
    for (size_t i = 0; i < result.resident.ops.size(); ++i)
      for (const ColumnPart& part : result.resident.ops[i])
        for (const PartReplica& r : part.replicas) {
          const std::string rows =
              result.plan[i].kind != std::string("dense") ? ", rows " + range(r.row0, r.row1) : std::string();
          cores[size_t(r.core)] += "  " + result.plan[i].name + "[xb " +
                                   range(r.first_crossbar, r.first_crossbar + r.crossbars) + ": column tiles " +
                                   range(part.col_tile0, part.col_tile1) + rows + "]";
          for (const PartHelper& h : r.helpers)
            cores[size_t(h.core)] += "  " + result.plan[i].name + "[xb " +
                                     range(h.first_crossbar, h.first_crossbar + h.row_tile1 - h.row_tile0) +
                                     ": column tile " + std::to_string(part.col_tile0) + ", row tiles " +
                                     range(h.row_tile0, h.row_tile1) + rows + ", partial sums to core " +
                                     std::to_string(r.core) + "]";
        }
    for (size_t c = 0; c < cores.size(); ++c)
      if (!cores[c].empty()) s << "  core " << c << ":" << cores[c] << "\n";
  } else {
    s << "\n";
  }
  return s.str();
}

}  // namespace cimvp
