// Trends a CIM architect expects, on the compiler's mapping and the energy
// and area models: more cell bits need fewer crossbars;
// larger crossbars cut tiles but need a finer ADC for exact column sums,
// which costs energy per conversion and area per crossbar. The system-level
// trends (ADC bits against a run's energy, cores against latency) run real
// sweeps in tests/apps/sweep_cli_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "compiler/compile.h"
#include "nn/model_source.h"
#include "platform/area.h"
#include "platform/energy.h"

namespace cimvp {
namespace {

int64_t crossbar_tiles(const ArchConfig& arch, const std::string& model_name, int bits) {
  const ModelFile model = load_model_structure(model_name);
  const QuantizedNetwork q = quantize_any(model, uniform_policy(model.graph.quantizable_layers().size(), bits, bits));
  CompileOptions options;
  options.timing_only = true;
  options.placement = Placement::PerLayer;
  int64_t tiles = 0;
  for (const LayerPlan& l : compile(q, arch, options).plan) tiles += l.tiles;
  return tiles;
}

// The fewest ADC bits that digitize every column sum exactly.
int ideal_adc_bits(const ArchConfig& a) {
  return int(std::ceil(std::log2(double(a.max_column_sum()) + 1)));
}

TEST(SweepTrends, MoreCellBitsNeedFewerCrossbars) {
  ArchConfig a = load_arch_config(std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml");
  int64_t last = INT64_MAX;
  for (int cell_bits : {1, 2, 4, 8}) {
    a.crossbar.cell_bits = cell_bits;
    a.adc.bits = 24;
    const int64_t tiles = crossbar_tiles(a, "vgg-small", 8);
    EXPECT_LT(tiles, last) << cell_bits << " bits per cell";
    last = tiles;
  }
}

TEST(SweepTrends, LargerCrossbarsCutTilesButRaiseAdcCost) {
  ArchConfig a = load_arch_config(std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml");
  int64_t last_tiles = INT64_MAX;
  double last_adc_pj = 0, last_adc_area_per_crossbar = 0;
  for (int size : {64, 128, 256, 512}) {
    a.crossbar.rows = a.crossbar.cols = size;
    a.adc.bits = ideal_adc_bits(a);  // exact column sums at this size
    const int64_t tiles = crossbar_tiles(a, "vgg-small", 8);
    const double adc_pj = event_energies(a).adc_pj;
    const double adc_area_per_crossbar = area(a).core_mm2.at("adc") / a.crossbars_per_core();
    EXPECT_LT(tiles, last_tiles) << size;
    EXPECT_GT(adc_pj, last_adc_pj) << size;
    EXPECT_GT(adc_area_per_crossbar, last_adc_area_per_crossbar) << size;
    last_tiles = tiles, last_adc_pj = adc_pj, last_adc_area_per_crossbar = adc_area_per_crossbar;
  }
}

}  // namespace
}  // namespace cimvp
