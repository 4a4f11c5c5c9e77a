// Lifetime and refresh (device.refresh_interval_s = T, docs/device.md):
//  - each inference carries t_inf / T of the set-up's time and energy, where
//    the set-up is computed here from the image alone (every resident
//    crossbar's xprog: program_ns + physical rows x program_row_ns on its
//    core, cells x the programming energy per cell, static power over it);
//  - the figures of merit describe that deployed inference;
//  - a per-layer image has nothing resident: nothing to refresh;
//  - inference k reads its cells at the documented age
//    a_k = max(t0, frac(1/2 + k (sqrt(5) - 1) / 2) T): its outputs equal
//    those of a fresh SoC whose device.read_time_s is a_k, and the count
//    starts again with a new seed.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "flow/pipeline.h"
#include "nn/model_source.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

void expect_rel(double got, double want, const char* what) {
  EXPECT_LE(std::abs(got - want), 1e-12 * std::abs(want)) << what << ": " << got << " vs " << want;
}

struct SetupCost {
  double seconds = 0, joules = 0;
};

// The set-up of `image` on `arch` from the image alone: every core programs
// its crossbars one after another from the start of the run, the cores at
// once; each xprog takes program_ns + physical rows x program_row_ns and
// programs physical rows x columns cells of
// (2^cell_bits - 1) x cell_program_pj_per_level each.
SetupCost setup_of(const FirmwareImage& image, const ArchConfig& arch) {
  const CrossbarParams& x = arch.crossbar;
  double longest_ns = 0, cells = 0;
  for (const CoreProgram& core : image.cores) {
    double ns = 0;
    for (const LayerRange& range : core.layers) {
      if (image.layer_names[range.layer] != kSetupLayerName) continue;
      for (uint32_t pc = range.begin; pc < range.end; ++pc) {
        const Instruction& in = core.code[pc];
        EXPECT_EQ(in.op, Opcode::Xprog) << "the set-up only programs crossbars";
        const WeightBlock& b = image.blocks[size_t(in.imm1)];
        const int rows = x.physical_rows(int(b.rows)), cols = x.physical_cols(int(b.cols), b.weight_bits);
        ns += x.program_ns + rows * x.program_row_ns;
        cells += double(rows) * cols;
      }
    }
    longest_ns = std::max(longest_ns, ns);
  }
  SetupCost s;
  s.seconds = longest_ns * 1e-9;
  const double pj_per_cell = ((1 << x.cell_bits) - 1) * arch.energy.cell_program_pj_per_level;
  s.joules = cells * pj_per_cell * 1e-12 + arch.energy.static_mw_per_core * 1e-3 * arch.cores() * s.seconds;
  return s;
}

ArchConfig default_arch() { return load_arch_config(test::source_path("configs/arch/default.yaml")); }

flow::Build lenet5(const ArchConfig& arch, bool functional, Placement placement = Placement::Auto) {
  flow::BuildOptions options;
  options.compile.timing_only = !functional;
  options.compile.placement = placement;
  const ModelFile model = functional ? load_model_spec("lenet5") : load_model_structure("lenet5");
  return flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch, options);
}

TEST(Refresh, EachInferenceCarriesItsShareOfTheSetUp) {
  ArchConfig arch = default_arch();
  arch.energy.static_mw_per_core = 25.0;  // so that the set-up's static energy is charged too
  arch.device.refresh_interval_s = 0.01;  // 10 ms: a share large enough to see
  flow::Pipeline pipeline(arch);
  pipeline.load(lenet5(arch, false), "lenet5");
  const Report r = pipeline.time();
  const SetupCost setup = setup_of(pipeline.image(), arch);
  ASSERT_GT(setup.seconds, 0);
  expect_rel(r.setup_seconds, setup.seconds, "set-up time");
  expect_rel(r.setup_energy_joules, setup.joules, "set-up energy");
  const double share = r.inference_seconds / 0.01;
  expect_rel(r.refresh_seconds, setup.seconds * share, "refresh time per inference");
  expect_rel(r.refresh_energy_joules, setup.joules * share, "refresh energy per inference");
  expect_rel(r.deployed_inference_seconds, r.inference_seconds + setup.seconds * share, "deployed time");
  expect_rel(r.deployed_inference_energy_joules, r.inference_energy_joules + setup.joules * share, "deployed energy");
  // The figures of merit describe the deployed inference.
  expect_rel(r.figures.inferences_per_second, 1 / r.deployed_inference_seconds, "inferences per second");
  expect_rel(r.figures.average_power_watts, r.deployed_inference_energy_joules / r.deployed_inference_seconds,
             "average power");
  expect_rel(r.figures.tops_per_watt, double(r.figures.operations) / r.deployed_inference_energy_joules * 1e-12,
             "TOPS/W");
  // The simulated run is unchanged: set-up + inference is the run.
  expect_rel(r.setup_energy_joules + r.inference_energy_joules, r.energy_joules, "set-up + inference");
  expect_rel(r.setup_seconds + r.inference_seconds, r.seconds, "set-up + inference time");
}

TEST(Refresh, NeverRefreshedChargesNothing) {
  const ArchConfig arch = default_arch();
  ASSERT_EQ(arch.device.refresh_interval_s, 0);
  flow::Pipeline pipeline(arch);
  pipeline.load(lenet5(arch, false), "lenet5");
  const Report r = pipeline.time();
  EXPECT_GT(r.setup_seconds, 0);
  EXPECT_EQ(r.refresh_seconds, 0);
  EXPECT_EQ(r.refresh_energy_joules, 0);
  EXPECT_EQ(r.deployed_inference_seconds, r.inference_seconds);
  EXPECT_EQ(r.deployed_inference_energy_joules, r.inference_energy_joules);
}

TEST(Refresh, APerLayerImageHasNothingResidentToRefresh) {
  ArchConfig arch = default_arch();
  arch.device.refresh_interval_s = 0.01;
  flow::Pipeline pipeline(arch);
  pipeline.load(lenet5(arch, false, Placement::PerLayer), "lenet5");
  const Report r = pipeline.time();
  EXPECT_EQ(r.setup_cycles, 0u);
  EXPECT_EQ(r.refresh_seconds, 0);
  EXPECT_EQ(r.refresh_energy_joules, 0);
  EXPECT_EQ(r.deployed_inference_seconds, r.inference_seconds);
}

// The documented ages, computed here on their own.
double documented_age(const DeviceParams& d, uint64_t k) {
  const double golden = (std::sqrt(5.0) - 1) / 2;
  const double x = 0.5 + double(k) * golden;
  return std::max(d.drift_t0_s, (x - std::floor(x)) * d.refresh_interval_s);
}

TEST(Refresh, InferenceKReadsAtTheDocumentedAge) {
  ArchConfig aging = default_arch();  // programming variation and drift; no read noise, so a run's
  aging.device.program_sigma = 0.02;  // outputs depend on its cells alone
  aging.device.drift_nu = 0.05;
  aging.device.drift_nu_sigma = 0.01;
  aging.device.drift_t0_s = 20;
  aging.device.refresh_interval_s = 86400;
  const int runs = 3;
  // Every SoC is elaborated before the first run: a fresh one per age.
  std::vector<ArchConfig> fixed(runs, aging);
  std::vector<double> ages;
  for (int k = 0; k < runs; ++k) {
    ages.push_back(documented_age(aging.device, uint64_t(k)));
    fixed[size_t(k)].device.refresh_interval_s = 0;
    fixed[size_t(k)].device.read_time_s = ages.back();
  }
  EXPECT_EQ(ages[0], 43200);  // the first inference reads half-way through the interval
  flow::Pipeline refreshed(aging);
  std::vector<std::unique_ptr<flow::Pipeline>> at_age;
  for (const ArchConfig& a : fixed) at_age.push_back(std::make_unique<flow::Pipeline>(a));

  const flow::Build build = lenet5(aging, true);
  const QuantizedNetwork& net = build.network;
  std::vector<uint8_t> input(net.input_tensor().shape.size(), 0);
  for (size_t i = 0; i < input.size(); ++i) input[i] = uint8_t(i * 7 % 100);
  refreshed.load(build, "lenet5");
  std::vector<TensorBytes> outputs;
  for (int k = 0; k < runs; ++k) {
    outputs.push_back(refreshed.run(RunMode::Functional, {input}).outputs[0]);
    EXPECT_EQ(refreshed.soc().read_age_s(), ages[size_t(k)]) << "inference " << k;
    at_age[size_t(k)]->load(build, "lenet5");
    EXPECT_EQ(at_age[size_t(k)]->run(RunMode::Functional, {input}).outputs[0], outputs.back())
        << "inference " << k << " at " << ages[size_t(k)] << " s";
    EXPECT_EQ(at_age[size_t(k)]->soc().read_age_s(), ages[size_t(k)]);
  }
  EXPECT_NE(outputs[0], outputs[1]) << "the cells read at another age";
  // A timing run is no inference of the deployment: the count goes on.
  refreshed.time();
  refreshed.run(RunMode::Functional, {input});
  EXPECT_EQ(refreshed.soc().read_age_s(), documented_age(aging.device, 3));
  // A new seed (or a new load) starts the deployment again.
  refreshed.soc().set_device_seed(uint64_t(aging.device.seed));
  EXPECT_EQ(refreshed.run(RunMode::Functional, {input}).outputs[0], outputs[0]);
  EXPECT_EQ(refreshed.soc().read_age_s(), ages[0]);
}

}  // namespace
}  // namespace cimvp
