#include "compiler/per_layer_mapping.h"

#include <algorithm>
#include <limits>

#include "compiler/code_generator.h"  // split(): the same ranges emit_conv cuts
#include "compiler/tiling.h"

namespace cimvp {
namespace {

// Per-pixel work outside the crossbars in cycles, after models/gpeu.h: each
// gather copy and the requantization of the part's `cols` outputs is a GPEU
// operation (start-up, lanes, buffer accesses), plus the issue of about ten
// instructions of loop and addressing. A width of 0 is infinitely wide.
double per_pixel_cycles(int gathers, int64_t patch_bytes, int64_t cols, const ArchConfig& a) {
  const auto per = [](double amount, int width) { return width > 0 ? amount / width : 0.0; };
  const double op = a.gpeu.startup_cycles + a.buffer.latency_cycles;
  const double gather = gathers * op + per(double(patch_bytes), a.gpeu.lanes) + per(2.0 * double(patch_bytes), a.buffer.width_bytes);
  const double requant = op + per(double(cols), a.gpeu.lanes) + per(5.0 * double(cols), a.buffer.width_bytes);
  return gather + requant + (10.0 + gathers) * a.core.issue_cycles;
}

// Estimated nanoseconds for one core that programs `tiles` and computes
// `pixels` output pixels with them. Programming and the MVM follow
// models/core.cpp (program_ns + rows x program_row_ns per crossbar; per
// input slice a DAC step, a read and the ADCs' turns over the widest
// crossbar's columns, crossbars in parallel). Groups of tiles beyond the
// core's crossbars run one after another.
// `per_core` crossbars hold the tiles; `programmed` is false for resident
// weights, which cost no programming per inference.
double core_ns(const std::vector<Tile>& tiles, int64_t pixels, int gathers, const QOp& op, const ArchConfig& a,
               int per_core, bool programmed) {
  if (tiles.empty() || pixels == 0) return 0;
  double program = 0;
  int widest = 0;
  int64_t patch_bytes = 0, cols = 0;
  for (const Tile& t : tiles) {
    if (programmed) program += a.crossbar.program_ns + a.crossbar.program_row_ns * a.crossbar.physical_rows(t.rows);
    widest = std::max(widest, a.crossbar.physical_cols(t.cols, op.weight_bits));
    patch_bytes += t.rows;  // over-counts rows shared by column tiles: an estimate
    if (t.row0 == tiles.front().row0) cols += t.cols;  // each column tile once
  }
  const int64_t groups = (int64_t(tiles.size()) + per_core - 1) / per_core;
  const int64_t turns = (widest + a.adc.cols_per_adc - 1) / std::max(1, a.adc.cols_per_adc);
  const double slice = a.dac.ns + a.crossbar.read_ns + double(turns) * a.adc.ns;
  const double mvm = a.dac.input_slices(op.activation_bits) * slice;
  double other = per_pixel_cycles(gathers, patch_bytes, cols, a) * a.cycle_ns();
  // A part of the channels is stored pixel by pixel (its channels of every
  // pixel), whole rows otherwise: a memory access across the mesh each.
  if (cols < op.out_channels)
    other += a.memory.latency_ns + (a.memory.bytes_per_ns > 0 ? double(cols) / a.memory.bytes_per_ns : 0.0) +
             double(a.noc.hop_cycles) * (a.mesh.rows + a.mesh.cols) * a.cycle_ns();
  return program + double(pixels) * (double(groups) * mvm + other);
}

struct Choice {
  int parts = 1;
  double ns = std::numeric_limits<double>::infinity();
};

Choice best_parts(const QOp& op, const Shape& in, const Shape& out, const ChannelPacking& packing, int cores,
                  const ArchConfig& arch, int per_core, bool programmed) {
  const TileGrid grid = tile_matrix(weight_matrix(op, in, packing, false), arch, op.name);
  int fewest = 1;  // parts that keep each within one core's crossbars, as far as the cores allow
  if (int(grid.tiles.size()) > per_core) {
    const int cols_per_part = std::max(1, per_core / grid.row_tiles);
    fewest = std::min(cores, (grid.col_tiles + cols_per_part - 1) / cols_per_part);
  }
  Choice best;
  for (int parts = fewest; parts <= std::max(fewest, std::min(cores, grid.col_tiles)); ++parts) {
    const auto col_ranges = codegen::split(grid.col_tiles, parts);
    const auto core_ranges = codegen::split(cores, parts);
    double slowest = 0;
    for (size_t j = 0; j < col_ranges.size(); ++j) {
      const auto [t0, t1] = col_ranges[j];
      std::vector<Tile> mine;
      for (int r = 0; r < grid.row_tiles; ++r)
        for (int c = t0; c < t1; ++c) mine.push_back(grid.at(r, c));
      const int packs = grid.col_pack[size_t(t1 - 1)] - grid.col_pack[size_t(t0)] + 1;
      const int gathers = packing.packs > 1 ? packs * op.kernel : 1;
      const int part_cores = core_ranges[j].second - core_ranges[j].first;
      const int64_t rows = (out.h + part_cores - 1) / part_cores;
      slowest = std::max(slowest, core_ns(mine, rows * out.w, gathers, op, arch, per_core, programmed));
    }
    if (slowest < best.ns) best = {parts, slowest};  // ties keep fewer parts: fewer crossbars programmed
  }
  return best;
}

}  // namespace

PerLayerMapping per_layer_mapping(const QOp& op, const Shape& in, const Shape& out, int cores,
                                  const ArchConfig& arch, int crossbars) {
  const int per_core = crossbars > 0 ? crossbars : arch.crossbars_per_core();
  PerLayerMapping best{channel_packing(op, arch), 1};
  const Choice plain = best_parts(op, in, out, best.packing, cores, arch, per_core, true);
  best.parts = plain.parts;
  best.ns = plain.ns;
  if (op.groups > 1 && cores > 1) {
    const ChannelPacking spread = channel_packing(op, arch, cores);
    const Choice even = best_parts(op, in, out, spread, cores, arch, per_core, true);
    if (even.ns < plain.ns) best = {spread, even.parts, even.ns};
  }
  return best;
}

double resident_estimate_ns(const QOp& op, const Shape& in, const Shape& out, const ArchConfig& arch) {
  return best_parts(op, in, out, channel_packing(op, arch), 1, arch, arch.crossbars_per_core(), false).ns;
}

}  // namespace cimvp
