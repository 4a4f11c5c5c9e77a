// The two latency sources of the search agree where they must: on the
// paper's preset (one crossbar, only programming and execution cost time)
// the VP's measured time per inference equals the analytic table for every
// policy, on every small zoo model; on the default preset the VP sees what
// the table cannot (weights resident after a set-up), so they differ.
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

// On the default preset every weight fits on the chip, so the VP programs
// the crossbars once, in the set-up, and an inference's time holds none of
// it: making programming ten times slower leaves the VP's time per inference
// unchanged, while the analytic table, which programs every layer for every
// inference, grows by exactly its write time.
TEST(SearchLatency, TheVpSeesResidentWeightsTheTableDoesNot) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  ArchConfig slow_writes = arch;
  slow_writes.crossbar.program_ns *= 10;
  slow_writes.crossbar.program_row_ns *= 10;
  rl::VpLatency vp(arch), vp_slow_writes(slow_writes);  // both SoCs before the first run
  const ModelFile model = load_model_structure("lenet5");
  const size_t layers = model.graph.quantizable_layers().size();
  const Policy w8a8 = uniform_policy(layers, 8, 8);

  const rl::LatencyResult measured = vp.measure(model, w8a8);
  EXPECT_EQ(measured.placement, "resident");
  EXPECT_GT(measured.report.setup_cycles, 0u);
  EXPECT_GT(measured.report.totals.crossbar_programs, 0u);
  const rl::LatencyResult measured_slow = vp_slow_writes.measure(model, w8a8);
  EXPECT_EQ(measured_slow.cycles, measured.cycles);
  EXPECT_GT(measured_slow.report.setup_cycles, measured.report.setup_cycles);

  // The table's write time: what it loses when programming is free.
  ArchConfig free_writes = arch;
  free_writes.crossbar.program_ns = free_writes.crossbar.program_row_ns = 0;
  const double table = rl::analytic_latency(model, arch, w8a8).seconds;
  const double table_writes = table - rl::analytic_latency(model, free_writes, w8a8).seconds;
  EXPECT_GT(table_writes, 0);
  EXPECT_NEAR(rl::analytic_latency(model, slow_writes, w8a8).seconds - table, 9 * table_writes, 1e-9 * table);
  // Fewer input bits: fewer slices, so less time on the VP too.
  EXPECT_LT(vp.measure(model, uniform_policy(layers, 8, 4)).seconds, measured.seconds);
}

// With a refresh interval the search's latency is one inference of the
// deployment: the simulated inference plus its share t_inf / T of the
// set-up (platform/report.h), computed here from the report's own fields.
TEST(SearchLatency, ARefreshIntervalAddsItsShareOfTheSetUp) {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  arch.device.refresh_interval_s = 1e-3;  // a millisecond: a visible share
  rl::VpLatency vp(arch);
  const ModelFile model = load_model_structure("lenet5");
  const rl::LatencyResult r = vp.measure(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8));
  ASSERT_GT(r.report.setup_seconds, 0);
  const double share = r.report.inference_seconds / 1e-3 * r.report.setup_seconds;
  EXPECT_GT(share, 0.01 * r.report.inference_seconds);
  EXPECT_NEAR(r.seconds, r.report.inference_seconds + share, 1e-12);
  EXPECT_GT(r.energy_joules, r.report.inference_energy_joules);
}

}  // namespace
}  // namespace cimvp
