// Every number of a report adds up (platform/report.h): the cores sum to the
// totals, the layers plus "(outside layers)" sum to the totals, set-up plus
// inference is the whole run, and the NoC's and the memory's own counters
// equal the flit-hops and bytes charged to the cores. For every preset and
// lenet5, vgg-small, resnet18 in timing mode and lenet5 in functional mode.
#include <cmath>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "flow/pipeline.h"
#include "nn/model_source.h"
#include "platform/energy.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

void expect_close(double sum, double total, const std::string& what) {
  EXPECT_LE(std::abs(sum - total), 1e-9 * std::abs(total)) << what << ": sum " << sum << " vs total " << total;
}

void expect_events_equal(const EventCounts& a, const EventCounts& b, const std::string& what) {
  EXPECT_TRUE(a == b) << what;
  EXPECT_EQ(a.noc_flit_hops, b.noc_flit_hops) << what;
  EXPECT_EQ(a.memory_bytes_transferred, b.memory_bytes_transferred) << what;
  EXPECT_EQ(a.mvms, b.mvms) << what;
}

void check_adds_up(const Report& r, const Soc& soc) {
  // the cores
  EventCounts cores;
  double core_energy = 0, core_dynamic = 0, core_static = 0;
  for (const CoreReport& c : r.cores) {
    cores += c.events;
    core_energy += c.energy_joules;
    core_dynamic += c.dynamic_energy_joules;
    core_static += c.static_energy_joules;
    expect_close(c.dynamic_energy_joules + c.static_energy_joules, c.energy_joules, "core dynamic + static");
  }
  expect_events_equal(cores, r.totals, "cores vs totals");
  expect_close(core_energy, r.energy_joules, "core energy");
  expect_close(core_static, r.components.at("static"), "core static energy");
  // the layers and what lies outside them
  EventCounts layers = r.outside_layers.events;
  double layer_energy = r.outside_layers.energy_joules;
  for (const LayerReport& l : r.layers) {
    layers += l.events;
    layer_energy += l.energy_joules;
    expect_close(l.dynamic_energy_joules + l.static_energy_joules, l.energy_joules, l.name + " dynamic + static");
    expect_close(l.dynamic_energy_joules, total(dynamic_energy(r.architecture, l.events)), l.name + " dynamic");
  }
  expect_events_equal(layers, r.totals, "layers vs totals");
  expect_close(layer_energy, r.energy_joules, "layer energy");
  EXPECT_GE(r.outside_layers.static_energy_joules, -1e-9 * r.energy_joules) << "layers overlap in time";
  // the components, the split into set-up and inference
  expect_close(total(r.components), r.energy_joules, "components");
  expect_close(r.setup_energy_joules + r.inference_energy_joules, r.energy_joules, "set-up + inference");
  const double static_watts = static_energy(r.architecture, 1.0);
  if (r.setup_cycles == 0) EXPECT_EQ(r.inference_energy_joules, r.energy_joules);
  else
    expect_close(r.inference_energy_joules,
                 total(dynamic_energy(r.architecture, r.totals - r.layers[0].events)) +
                     static_watts * r.inference_seconds,
                 "inference energy: its events and its time");
  // the targets' own counts
  EXPECT_EQ(r.totals.noc_flit_hops, soc.noc_flit_hops());
  EXPECT_EQ(r.totals.memory_bytes_transferred, soc.memory_bytes_transferred());
  // data movement is charged to layers, not lost (feature maps live in global memory)
  EXPECT_GT(r.totals.memory_bytes_transferred, 0u);
  EXPECT_GT(r.totals.noc_flit_hops, 0u);
  uint64_t layer_bytes = 0;
  for (const LayerReport& l : r.layers) layer_bytes += l.events.memory_bytes_transferred;
  EXPECT_EQ(layer_bytes + r.outside_layers.events.memory_bytes_transferred, r.totals.memory_bytes_transferred);
  EXPECT_GT(layer_bytes, 0u);
}

using Case = std::tuple<std::string, std::string, bool>;  // model, preset, functional

class EnergyAddsUp : public ::testing::TestWithParam<Case> {};

// The case's model at W8A8 on `pipeline`: one functional run on a fixed
// input, or one timing run of its structure.
Report run_w8a8(flow::Pipeline& pipeline, const std::string& model_name, bool functional) {
  flow::BuildOptions options;
  options.compile.timing_only = !functional;
  const ModelFile model = functional ? load_model_spec(model_name) : load_model_structure(model_name);
  pipeline.load(flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), pipeline.arch(),
                            options),
                model_name);
  if (!functional) return pipeline.time();
  std::vector<uint8_t> input(pipeline.loaded().network.input_tensor().shape.size(), 0);
  for (size_t i = 0; i < input.size(); ++i) input[i] = uint8_t(i * 7 % 100);
  return pipeline.run(RunMode::Functional, {input}).report;
}

TEST_P(EnergyAddsUp, LayersAndCoresSumToTheTotals) {
  const auto& [model_name, preset, functional] = GetParam();
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/" + preset + ".yaml"));
  // Static power is 0 in the presets; give it a value so that its split is tested too.
  arch.energy.static_mw_per_core = 25.0;
  flow::Pipeline pipeline(arch);
  check_adds_up(run_w8a8(pipeline, model_name, functional), pipeline.soc());
}

// With a refresh interval the report adds a line of its own, the refresh
// share of each inference (docs/device.md, "Lifetime and refresh"); the
// simulated run adds up as before, and the deployed inference is the
// inference plus that share.
class RefreshAddsUp : public ::testing::TestWithParam<Case> {};

TEST_P(RefreshAddsUp, TheRunStillAddsUpAndTheRefreshIsItsOwnLine) {
  const auto& [model_name, preset, functional] = GetParam();
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/" + preset + ".yaml"));
  arch.energy.static_mw_per_core = 25.0;
  arch.device.refresh_interval_s = 0.05;
  flow::Pipeline pipeline(arch);
  const Report r = run_w8a8(pipeline, model_name, functional);
  check_adds_up(r, pipeline.soc());
  const double share = r.inference_seconds / 0.05;
  expect_close(r.refresh_seconds, r.setup_seconds * share, "refresh time");
  expect_close(r.refresh_energy_joules, r.setup_energy_joules * share, "refresh energy");
  expect_close(r.deployed_inference_seconds, r.inference_seconds + r.refresh_seconds, "deployed time");
  expect_close(r.deployed_inference_energy_joules, r.inference_energy_joules + r.refresh_energy_joules,
               "deployed energy");
  if (r.setup_cycles > 0) EXPECT_GT(r.refresh_energy_joules, 0);
  else EXPECT_EQ(r.refresh_energy_joules, 0);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param) +
                     (std::get<2>(info.param) ? "_functional" : "_timing");
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Presets, EnergyAddsUp,
                         ::testing::Combine(::testing::Values("lenet5", "vgg-small", "resnet18"),
                                            ::testing::Values("default", "cim-aq-paper", "isaac-like", "prime-like",
                                                              "large"),
                                            ::testing::Values(false)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Functional, EnergyAddsUp,
                         ::testing::Combine(::testing::Values("lenet5"),
                                            ::testing::Values("default", "cim-aq-paper", "isaac-like", "prime-like",
                                                              "large"),
                                            ::testing::Values(true)),
                         case_name);

INSTANTIATE_TEST_SUITE_P(Presets, RefreshAddsUp,
                         ::testing::Combine(::testing::Values("lenet5"),
                                            ::testing::Values("default", "cim-aq-paper", "isaac-like", "prime-like",
                                                              "large"),
                                            ::testing::Bool()),
                         case_name);

}  // namespace
}  // namespace cimvp
