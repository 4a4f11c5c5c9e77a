// Multi-core placement on configs/arch/default.yaml (2 x 2 cores): a network
// spread over all cores computes exactly what it computes on one core (and
// what the integer reference computes), in fewer cycles.
#include <gtest/gtest.h>

#include <random>

#include "models/adc.h"
#include "compiler/compile.h"
#include "compiler/explain.h"
#include "compiler/io_layout.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp {
namespace {

using test::random_policy;

using test::random_image;

struct Outcome {
  std::vector<std::vector<int32_t>> outputs;
  uint64_t cycles = 0;
  int cores_used = 0;
};

Outcome run_on(Soc& soc, const ArchConfig& arch, const QuantizedNetwork& q, int max_cores,
               const std::vector<std::vector<int8_t>>& images) {
  CompileOptions options;
  options.max_cores = max_cores;
  const CompileResult compiled = compile(q, arch, options);
  Outcome o;
  for (const auto& core : compiled.image.cores) {
    bool works = false;
    for (const Instruction& in : core.code) works = works || in.op == Opcode::Mvm;
    o.cores_used += works ? 1 : 0;
  }
  soc.load(compiled.image, q.name);
  for (const auto& x : images) {
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
    o.outputs.push_back(output_values(compiled.image, r.outputs[0]));
    o.cycles = r.report.cycles;
  }
  return o;
}

TEST(MultiCore, AllCoresGiveTheSameOutputsAsOneCoreInFewerCycles) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  ASSERT_EQ(arch.cores(), 4);
  ASSERT_TRUE(AdcModel(arch).exact());
  Soc soc("soc", arch);
  std::mt19937 rng(11);
  for (const std::string name : {"lenet5", "vgg-small", "resnet-small"}) {
    const ModelFile model = load_model_spec(name, 3);
    const size_t layers = model.graph.quantizable_layers().size();
    for (int trial = 0; trial < 3; ++trial) {
      const Policy policy = trial == 0 ? uniform_policy(layers, 8, 8) : random_policy(rng, layers);
      const QuantizedNetwork q = quantize_model(model, policy);
      SCOPED_TRACE(name + " w" + ::testing::PrintToString(policy.weight_bits) + " a" +
                   ::testing::PrintToString(policy.activation_bits));
      std::vector<std::vector<int8_t>> images;
      for (int i = 0; i < 3; ++i) images.push_back(random_image(rng, q));
      const Outcome one = run_on(soc, arch, q, 1, images);
      const Outcome all = run_on(soc, arch, q, 0, images);
      EXPECT_EQ(one.cores_used, 1);
      EXPECT_EQ(all.cores_used, 4);
      ReferenceExecutor reference(q);
      for (size_t i = 0; i < images.size(); ++i) {
        EXPECT_EQ(one.outputs[i], reference.run(images[i])) << "image " << i;
        EXPECT_EQ(all.outputs[i], one.outputs[i]) << "image " << i;
      }
      EXPECT_LT(all.cycles, one.cycles);
      // Four cores: at least 1.5x faster on these networks.
      EXPECT_LT(double(all.cycles) * 1.5, double(one.cycles)) << one.cycles << " vs " << all.cycles;
    }
  }
}

// With one crossbar per core, most layers of the small networks have more
// tiles than a core holds: their output channels are split over the cores
// (each core programs only its part's tiles), still bit exact, with fewer
// crossbar programs per core than one core reprogramming everything.
TEST(MultiCore, OutputChannelsSplitOverCoresWhenTilesExceedACore) {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  arch.core.pes = 1;
  arch.core.crossbars_per_pe = 1;
  ASSERT_EQ(arch.crossbars_per_core(), 1);
  Soc soc("soc", arch);
  std::mt19937 rng(12);
  for (const std::string name : {"vgg-small", "resnet-small"}) {
    const ModelFile model = load_model_spec(name, 4);
    const size_t layers = model.graph.quantizable_layers().size();
    for (int trial = 0; trial < 2; ++trial) {
      const Policy policy = trial == 0 ? uniform_policy(layers, 8, 8) : random_policy(rng, layers);
      const QuantizedNetwork q = quantize_model(model, policy);
      SCOPED_TRACE(name + " w" + ::testing::PrintToString(policy.weight_bits));
      const CompileResult compiled = compile(q, arch);
      // Every convolution with several column tiles has its channels split:
      // with one crossbar per core a core holding all tiles would program
      // them in `tiles` rounds. (A single column of tiles cannot be split.)
      int split = 0;
      for (const LayerPlan& l : compiled.plan) {
        if (l.kind != std::string("conv2d")) continue;
        const int tile_cols = arch.crossbar.max_tile_cols(l.weight_bits);
        if ((l.matrix_cols + tile_cols - 1) / tile_cols < 2) continue;
        EXPECT_LT(l.groups, l.tiles) << l.name << "\n" << explain(compiled, arch);
        ++split;
      }
      if (trial == 0) {
        EXPECT_GT(split, 0);  // at W8A8 the wider layers have several column tiles
      }
      std::vector<std::vector<int8_t>> images = {random_image(rng, q), random_image(rng, q)};
      const Outcome one = run_on(soc, arch, q, 1, images);
      const Outcome all = run_on(soc, arch, q, 0, images);
      ReferenceExecutor reference(q);
      for (size_t i = 0; i < images.size(); ++i) {
        EXPECT_EQ(one.outputs[i], reference.run(images[i])) << "image " << i;
        EXPECT_EQ(all.outputs[i], one.outputs[i]) << "image " << i;
      }
      EXPECT_LT(all.cycles, one.cycles);
    }
  }
}

// large.yaml holds all of ResNet-18's tiles (727 at W8A8), its 4608-row
// layers within one core's 32 crossbars: the placement is resident, every
// crossbar is programmed once before inference, never during it, and the
// spare crossbars replicate layers. Reprogramming layer by layer instead
// (per-layer placement) is much slower per inference.
TEST(MultiCore, Resnet18OnLargeIsResident) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/large.yaml"));
  Soc soc("soc", arch);
  const ModelFile model = load_model_structure("resnet18");
  const QuantizedNetwork q = quantize_any(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8));
  CompileOptions options;
  options.timing_only = true;
  const CompileResult compiled = compile(q, arch, options);
  ASSERT_EQ(compiled.placement, Placement::Resident);
  EXPECT_EQ(compiled.image.blocks.size(), 727u);  // each tile once; replicas program the same block
  int programmed = 0;
  for (const LayerPlan& l : compiled.plan) {
    if (l.kind != std::string("conv2d") && l.kind != std::string("dense")) continue;
    EXPECT_EQ(l.groups, 1) << l.name;
    programmed += l.crossbars;
  }
  EXPECT_GT(programmed, 727);  // replicas
  EXPECT_LE(programmed, arch.crossbars_per_core() * arch.cores());
  soc.load(compiled.image, "resnet18");
  const RunResult r = soc.run(RunMode::Timing);
  EXPECT_EQ(r.report.totals.crossbar_programs, uint64_t(programmed));
  ASSERT_EQ(r.report.layers[0].name, kSetupLayerName);
  EXPECT_EQ(r.report.layers[0].events.crossbar_programs, uint64_t(programmed));

  options.placement = Placement::PerLayer;
  const CompileResult per_layer = compile(q, arch, options);
  soc.load(per_layer.image, "resnet18 per layer");
  const RunResult pl = soc.run(RunMode::Timing);
  EXPECT_LT(double(r.report.inference_cycles) * 2, double(pl.report.inference_cycles))
      << r.report.inference_cycles << " vs " << pl.report.inference_cycles;
}

}  // namespace
}  // namespace cimvp
