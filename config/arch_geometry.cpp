// Derived quantities of an ArchConfig: how weight tiles occupy crossbars and
// the largest column sum the ADC must resolve. The compiler tiles with these and the crossbar
// model checks programmed blocks with these, so both agree by construction.
#include <cstring>

#include "config/arch_config.h"

namespace cimvp {

const char* mapping_name(WeightMapping m) {
  switch (m) {
    case WeightMapping::DifferentialColumn: return "differential-column";
    case WeightMapping::DifferentialRow: return "differential-row";
    case WeightMapping::Offset: return "offset";
  }
  return "?";
}

int CrossbarParams::physical_cols(int tile_cols, int weight_bits) const {
  const int cells = tile_cols * slices_per_weight(weight_bits);
  switch (mapping) {
    case WeightMapping::DifferentialColumn: return 2 * cells;  // positive and negative column
    case WeightMapping::DifferentialRow: return cells;
    case WeightMapping::Offset: return cells + 1;  // one shared reference column
  }
  return cells;
}

int CrossbarParams::physical_rows(int tile_rows) const {
  return mapping == WeightMapping::DifferentialRow ? 2 * tile_rows : tile_rows;
}

int CrossbarParams::max_tile_cols(int weight_bits) const {
  const int s = slices_per_weight(weight_bits);
  switch (mapping) {
    case WeightMapping::DifferentialColumn: return cols / (2 * s);
    case WeightMapping::DifferentialRow: return cols / s;
    case WeightMapping::Offset: return (cols - 1) / s;
  }
  return 0;
}

int CrossbarParams::max_tile_rows() const {
  return mapping == WeightMapping::DifferentialRow ? rows / 2 : rows;
}

int64_t ArchConfig::max_column_sum() const {
  const int64_t cell_sum = int64_t(crossbar.rows) * ((int64_t(1) << crossbar.cell_bits) - 1);
  // Flipped columns hold at most half the column's range (crossbar.encoding).
  return (crossbar.flips_columns() ? cell_sum / 2 : cell_sum) * ((int64_t(1) << dac.bits) - 1);
}

uint64_t ArchConfig::fingerprint() const {
  // FNV-1a over the parameters a compiled image depends on, in a fixed order.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](int64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= uint64_t(v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  mix(mesh.rows); mix(mesh.cols); mix(core.pes); mix(core.crossbars_per_pe);
  mix(crossbar.rows); mix(crossbar.cols); mix(crossbar.cell_bits); mix(int(crossbar.mapping)); mix(dac.bits);
  mix(buffer.bytes); mix(memory.bytes);
  return h;
}

}  // namespace cimvp
