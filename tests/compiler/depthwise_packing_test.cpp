// Grouped and depthwise convolutions packed onto crossbars
// (compiler/group_packing.h): the crossbars a depthwise layer takes, counted
// here by hand from the crossbar's geometry, against one depthwise channel
// per crossbar; and the VP equal to the integer reference bit for bit with
// packs of many channels, short last packs, groups taller than a tile and
// 1x1 packs, resident and per layer. The run report's crossbars per layer
// are the compiler's.
#include <gtest/gtest.h>

#include <random>

#include "compiler/compile.h"
#include "compiler/explain.h"
#include "compiler/io_layout.h"
#include "models/adc.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/grouped_weights.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp {
namespace {

const LayerPlan& plan_of(const CompileResult& r, const std::string& name) {
  for (const LayerPlan& l : r.plan)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

// One 3x3 depthwise layer of `channels` channels on large.yaml.
// By hand: a crossbar of R rows and C columns of cells holds, with W-bit
// weights in c-bit cells under a differential mapping, floor(R / 9) channels'
// 9 taps on its rows and floor(C / (2 ceil(W / c))) outputs on its columns.
TEST(DepthwisePacking, TakesTheCrossbarsCountedByHandAtLeastFourTimesFewerThanAChannelPerCrossbar) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/large.yaml"));
  ASSERT_EQ(arch.crossbar.mapping, WeightMapping::DifferentialColumn);
  const int rows = arch.crossbar.rows, cols = arch.crossbar.cols, cell_bits = arch.crossbar.cell_bits;
  const int weight_bits = 8, taps = 9;
  const int cells_per_weight = 2 * ((weight_bits + cell_bits - 1) / cell_bits);  // 2 x 2 on large.yaml
  const int channels_per_crossbar = std::min(rows / taps, cols / cells_per_weight);  // min(28, 64)
  EXPECT_EQ(channels_per_crossbar, 28);
  // (At 32 channels packing saves nothing, 2 tiles either way, and the dense matrix is kept.)
  for (int channels : {96, 576, 960}) {
    ModelFile model;
    model.graph.name = "dw" + std::to_string(channels);
    const int x = model.graph.add_input("input", {channels, 6, 6});
    model.graph.add_conv("dw", x, channels, 3, 1, 1, channels);
    test::fill_grouped_weights(model.graph, uint32_t(channels));
    model.random_weights = true;
    const QuantizedNetwork q = quantize_model(model, uniform_policy(1, weight_bits, 8));
    CompileOptions options;
    options.timing_only = true;
    options.placement = Placement::Resident;
    const CompileResult compiled = compile(q, arch, options);
    const LayerPlan& dw = plan_of(compiled, "dw");

    const int one_channel_per_crossbar = channels;
    const int packed = (channels + channels_per_crossbar - 1) / channels_per_crossbar;
    EXPECT_EQ(dw.tiles, packed) << channels << " channels\n" << explain(compiled, arch);
    EXPECT_EQ(dw.packs, packed);
    int placed = 0;  // the crossbars one copy of the layer takes on the chip
    for (const ColumnPart& part : compiled.resident.ops[size_t(q.layers[0])]) placed += part.tiles;
    EXPECT_EQ(placed, packed);
    EXPECT_GE(one_channel_per_crossbar, 4 * packed) << channels << " channels";
    // Its cells: 9 weights of 4 cells per channel, of whole crossbars.
    EXPECT_EQ(dw.weight_cells, int64_t(channels) * taps * cells_per_weight);
    EXPECT_EQ(dw.allocated_cells, int64_t(packed) * rows * cols);
  }
}

// 3x12x12 -> conv 16 -> depthwise 3x3 (16 groups: packs of 7, 7, 2 on 64 x
// 64 crossbars) -> 3x3 in 4 groups (a pack per group) -> 3x3 in 2 groups,
// stride 2 (groups of 72 rows: two row tiles each) -> 1x1 to 96 -> 1x1
// depthwise (packs of 8 channels, no gather) -> dense 10.
Graph grouped_net(uint32_t seed) {
  Graph g;
  g.name = "grouped";
  int x = g.add_input("input", {3, 12, 12});
  x = g.add_relu("relu1", g.add_conv("conv1", x, 16, 3, 1, 1));
  x = g.add_relu("relu2", g.add_conv("dw", x, 16, 3, 1, 1, 16));
  x = g.add_relu("relu3", g.add_conv("g4", x, 16, 3, 1, 1, 4));
  x = g.add_relu("relu4", g.add_conv("g2", x, 32, 3, 2, 1, 2));
  x = g.add_relu("relu5", g.add_conv("pw", x, 96, 1, 1, 0));
  x = g.add_relu("relu6", g.add_conv("dw1x1", x, 96, 1, 2, 0, 96));
  g.add_dense("fc", x, 10);
  test::fill_grouped_weights(g, seed);
  return g;
}

// default.yaml with 64 x 64 crossbars, 32 per core (128 in all, so that the
// network's 69 tiles fit at once): 8 weights of 8 bits per crossbar row.
ArchConfig small_crossbars() {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  arch.crossbar.rows = arch.crossbar.cols = 64;
  arch.core.crossbars_per_pe = 16;
  return arch;
}

TEST(DepthwisePacking, TheVpEqualsTheIntegerReferenceBitForBitResidentAndPerLayer) {
  ModelFile model;
  model.graph = grouped_net(1);
  model.random_weights = true;
  const ArchConfig arch = small_crossbars();
  ASSERT_TRUE(AdcModel(arch).exact());  // bit exactness is defined for an ideal ADC
  Soc soc("soc", arch);
  std::mt19937 rng(2);
  for (int bits : {8, 4}) {
    const QuantizedNetwork q = quantize_model(model, uniform_policy(7, bits, bits));
    ReferenceExecutor reference(q);
    for (Placement placement : {Placement::Resident, Placement::PerLayer})
      for (int cores : {0, 1}) {
        if (placement == Placement::Resident && cores == 1) continue;  // 32 crossbars hold too few tiles
        CompileOptions options;
        options.placement = placement;
        options.max_cores = cores;
        const CompileResult compiled = compile(q, arch, options);
        const std::string what = "w" + std::to_string(bits) + " " + placement_name(placement) + " cores " +
                                 std::to_string(cores) + "\n" + explain(compiled, arch);
        if (bits == 8) {  // the packs of 8-bit weights, by hand (64 rows, 64 / (2 x 4) = 8 weights a row)
          EXPECT_EQ(plan_of(compiled, "dw").packs, 3) << what;     // 7 channels of 9 taps, 7, 2
          EXPECT_EQ(plan_of(compiled, "dw").tiles, 3) << what;     // dense: 3 row tiles x 2 column tiles
          EXPECT_EQ(plan_of(compiled, "g4").tiles, 4) << what;     // 36 rows x 4 outputs each; dense 3 x 2
          EXPECT_EQ(plan_of(compiled, "g2").tiles, 8) << what;     // 2 x (2 row tiles x 2 column tiles); dense 3 x 4
          EXPECT_EQ(plan_of(compiled, "dw1x1").tiles, 12) << what; // 8 channels each; dense 2 x 12
          EXPECT_EQ(plan_of(compiled, "conv1").packs, 1) << what;
        }
        soc.load(compiled.image, "grouped");
        for (int image = 0; image < 2; ++image) {
          const std::vector<int8_t> x = test::random_image(rng, q);
          const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
          ASSERT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x)) << what;
          // The report's crossbars per layer are those the compiler programmed for it.
          for (const LayerReport& l : r.report.layers)
            for (const LayerPlan& p : compiled.plan) {
              if (p.name != l.name || p.weight_bits == 0 || p.groups > 1) continue;  // one programming round
              EXPECT_EQ(l.events.crossbars_used, uint64_t(p.crossbars)) << l.name << " " << what;
            }
        }
      }
  }
}

}  // namespace
}  // namespace cimvp
