// How the per-layer placement shares a convolution out among the cores
// (compiler/per_layer_mapping.h), against counts made by hand on
// default.yaml: 4 cores of 8 crossbars of 256 x 256 2-bit cells,
// differential columns, 52.2 us to program a crossbar and about 0.2 us per
// 2-bit MVM. The VP equals the integer reference for the chosen mapping.
#include <gtest/gtest.h>

#include <random>

#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "compiler/per_layer_mapping.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/grouped_weights.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp {
namespace {

// One 3x3 depthwise layer of `channels` channels on a `side` x `side` input.
QuantizedNetwork depthwise(int channels, int side, int bits) {
  ModelFile model;
  model.graph.name = "dw" + std::to_string(channels);
  const int x = model.graph.add_input("input", {channels, side, side});
  model.graph.add_conv("dw", x, channels, 3, 1, 1, channels);
  test::fill_grouped_weights(model.graph, uint32_t(channels));
  model.random_weights = true;
  return quantize_model(model, uniform_policy(1, bits, bits));
}

const QOp& layer(const QuantizedNetwork& q) { return q.ops[size_t(q.layers[0])]; }
const Shape& shape_in(const QuantizedNetwork& q) { return q.tensors[size_t(layer(q).inputs[0])].shape; }
const Shape& shape_out(const QuantizedNetwork& q) { return q.tensors[size_t(layer(q).output)].shape; }

// 160 channels at 7 x 7 (mobilenet-small's last depthwise layer), 2-bit
// weights: 28 channels' 9 taps fill a crossbar's 256 rows, so the plain
// packing is 6 packs (5 x 28 + 20). Replicated, every core would program
// all 6 (over 300 us) for 13 of the 49 pixels; cut into 4 parts, a core
// programs at most 2 crossbars. Packs of 20 channels (8, a multiple of the
// 4 cores) put 2 x 180 rows on every core instead of up to 2 x 252.
TEST(PerLayerMapping, ManyTilesAndFewPixelsAreCutIntoEvenPacksOnePartPerCore) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  ASSERT_EQ(arch.cores(), 4);
  ASSERT_EQ(arch.crossbar.rows / 9, 28);
  const QuantizedNetwork q = depthwise(160, 7, 2);
  EXPECT_EQ(channel_packing(layer(q), arch).packs, 6);
  const PerLayerMapping m = per_layer_mapping(layer(q), shape_in(q), shape_out(q), arch.cores(), arch);
  EXPECT_EQ(m.packing.packs, 8);
  EXPECT_EQ(m.packing.in_channels, 20);
  EXPECT_EQ(m.parts, 4);

  CompileOptions options;
  options.placement = Placement::PerLayer;
  const CompileResult compiled = compile(q, arch, options);
  ASSERT_EQ(compiled.plan.size(), q.ops.size());
  for (const LayerPlan& l : compiled.plan)
    if (l.name == "dw") {
      EXPECT_EQ(l.packs, 8);
      EXPECT_EQ(l.crossbars, 8);  // each tile on one core: nothing duplicated
      EXPECT_EQ(l.cores, 4);
    }
  Soc soc("soc", arch);
  soc.load(compiled.image, q.name);
  ReferenceExecutor reference(q);
  std::mt19937 rng(3);
  for (int trial = 0; trial < 2; ++trial) {
    const std::vector<int8_t> x = test::random_image(rng, q);
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
    EXPECT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x));
    EXPECT_EQ(r.report.totals.crossbar_programs, 8u);
  }
}

// 16 channels at 28 x 28: one crossbar of 144 rows (30 us to program) and
// 784 pixels. Cut, a core would compute all 784 pixels of its channels
// (about 200 us of MVMs alone); replicated, each core programs the one
// crossbar and computes a quarter of the rows.
TEST(PerLayerMapping, OneTileAndManyPixelsIsReplicatedOnEveryCore) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  const QuantizedNetwork q = depthwise(16, 28, 2);
  const PerLayerMapping m = per_layer_mapping(layer(q), shape_in(q), shape_out(q), arch.cores(), arch);
  EXPECT_EQ(m.packing.packs, 1);
  EXPECT_EQ(m.parts, 1);
}

}  // namespace
}  // namespace cimvp
