// The two latency sources of the search agree where they must: on the
// paper's preset (one crossbar, only programming and execution cost time)
// the VP's measured time per inference equals the analytic table for every
// policy, on every small zoo model; on the default preset the VP sees what
// the table cannot (resident weights, several cores), so they differ.
#include <gtest/gtest.h>

#include <random>

#include "nn/model_source.h"
#include "rl/evaluation/latency.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

Policy random_policy(std::mt19937& rng, size_t layers) {
  std::uniform_int_distribution<int> bits(1, 8);
  Policy p;
  for (size_t l = 0; l < layers; ++l) p.weight_bits.push_back(bits(rng)), p.activation_bits.push_back(bits(rng));
  return p;
}

TEST(SearchLatency, VpEqualsTheAnalyticTableOnThePaperPreset) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/cim-aq-paper.yaml"));
  std::mt19937 rng(5);
  rl::VpLatency vp(arch);  // one SoC per process and architecture, any number of models
  for (const char* name : {"lenet5", "vgg-small", "resnet-small"}) {
    const ModelFile model = load_model_structure(name);
    const size_t layers = model.graph.quantizable_layers().size();
    for (int trial = 0; trial < 4; ++trial) {
      const Policy p = trial == 0 ? uniform_policy(layers, 8, 8) : random_policy(rng, layers);
      const rl::LatencyResult measured = vp.measure(model, p);
      const rl::LatencyResult table = rl::analytic_latency(model, arch, p);
      EXPECT_NEAR(measured.seconds, table.seconds, 1e-12 * table.seconds) << name << " trial " << trial;
      EXPECT_EQ(measured.placement, "per-layer");
      EXPECT_EQ(table.placement, "analytic");
      EXPECT_GT(measured.cycles, 0u);
    }
  }
}

TEST(SearchLatency, TheVpSeesResidentWeightsTheTableDoesNot) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  const ModelFile model = load_model_structure("lenet5");
  rl::VpLatency vp(arch);
  const size_t layers = model.graph.quantizable_layers().size();
  const rl::LatencyResult w8a8 = vp.measure(model, uniform_policy(layers, 8, 8));
  EXPECT_EQ(w8a8.placement, "resident");
  EXPECT_GT(w8a8.energy_joules, 0);
  // Fewer input bits: fewer slices, so less time on the VP too.
  EXPECT_LT(vp.measure(model, uniform_policy(layers, 8, 4)).seconds, w8a8.seconds);
  EXPECT_NE(rl::analytic_latency(model, arch, uniform_policy(layers, 8, 8)).seconds, w8a8.seconds);
}

}  // namespace
}  // namespace cimvp
