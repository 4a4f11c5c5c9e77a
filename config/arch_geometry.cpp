// Derived quantities of an ArchConfig: how weight tiles occupy crossbars and
// what the ADC must resolve. The compiler tiles with these and the crossbar
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

int ArchConfig::physical_cols(int cols, int weight_bits) const {
  const int cells = cols * slices_per_weight(weight_bits);
  switch (mapping) {
    case WeightMapping::DifferentialColumn: return 2 * cells;  // positive and negative column
    case WeightMapping::DifferentialRow: return cells;
    case WeightMapping::Offset: return cells + 1;  // one shared reference column
  }
  return cells;
}

int ArchConfig::physical_rows(int rows) const {
  return mapping == WeightMapping::DifferentialRow ? 2 * rows : rows;
}

int ArchConfig::max_tile_cols(int weight_bits) const {
  const int s = slices_per_weight(weight_bits);
  switch (mapping) {
    case WeightMapping::DifferentialColumn: return crossbar_cols / (2 * s);
    case WeightMapping::DifferentialRow: return crossbar_cols / s;
    case WeightMapping::Offset: return (crossbar_cols - 1) / s;
  }
  return 0;
}

int ArchConfig::max_tile_rows() const {
  return mapping == WeightMapping::DifferentialRow ? crossbar_rows / 2 : crossbar_rows;
}

int64_t ArchConfig::max_column_sum() const {
  return int64_t(crossbar_rows) * ((int64_t(1) << cell_bits) - 1) * ((int64_t(1) << dac_bits) - 1);
}

bool ArchConfig::adc_is_ideal() const {
  const int64_t fs = effective_adc_full_scale();
  const int64_t top_code = adc_bits >= 62 ? INT64_MAX : (int64_t(1) << adc_bits) - 1;
  return fs >= max_column_sum() && top_code >= fs;
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
  mix(mesh_rows); mix(mesh_cols); mix(pes_per_core); mix(crossbars_per_pe);
  mix(crossbar_rows); mix(crossbar_cols); mix(cell_bits); mix(int(mapping)); mix(dac_bits);
  mix(buffer_bytes); mix(memory_bytes);
  return h;
}

}  // namespace cimvp
