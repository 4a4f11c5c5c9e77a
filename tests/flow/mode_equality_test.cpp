// Functional and timing mode are one timing model: a compiled network's run
// counts the same cycles, events and energy whether the VP computes the
// values (functional), only the time (timing), or runs an image compiled
// without weights (--timing-only). Compared on lenet5 and vgg-small on every
// preset, field by field of the whole report.
#include <string>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "flow/pipeline.h"
#include "nn/model_source.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

// The report without what differs by construction: the mode's name, the
// host's wall time and the provenance.
nlohmann::json comparable(const Report& r) {
  nlohmann::json j = nlohmann::json::parse(to_json(r).dump());
  for (const char* key : {"mode", "host_seconds", "cimvp"}) j.erase(key);
  return j;
}

void expect_same(const Report& a, const Report& b, const std::string& what) {
  EXPECT_EQ(a.cycles, b.cycles) << what;
  EXPECT_EQ(a.inference_cycles, b.inference_cycles) << what;
  EXPECT_TRUE(a.totals == b.totals) << what;
  const nlohmann::json diff = nlohmann::json::diff(comparable(a), comparable(b));
  EXPECT_TRUE(diff.empty()) << what << " differs: " << diff.dump().substr(0, 2000);
}

using Case = std::tuple<std::string, std::string>;  // model, preset

class ModeEquality : public ::testing::TestWithParam<Case> {};

TEST_P(ModeEquality, FunctionalTimingAndTimingOnlyRunsCountTheSame) {
  const auto& [model_name, preset] = GetParam();
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/" + preset + ".yaml"));
  flow::Pipeline pipeline(arch);
  const ModelFile model = load_model_spec(model_name);
  const Policy policy = uniform_policy(model.graph.quantizable_layers().size(), 8, 8);

  pipeline.load(flow::build(model, policy, arch), model_name);
  const QuantizedNetwork& net = pipeline.loaded().network;
  std::vector<uint8_t> input(net.input_tensor().shape.size());
  for (size_t i = 0; i < input.size(); ++i) input[i] = uint8_t(i * 37 % 251);
  const Report functional = pipeline.run(RunMode::Functional, {input}).report;
  const Report timing = pipeline.time();
  EXPECT_GT(functional.totals.mvms, 0u);
  expect_same(functional, timing, "functional vs timing");

  flow::BuildOptions structure_only;
  structure_only.compile.timing_only = true;
  pipeline.load(flow::build(load_model_structure(model_name), policy, arch, structure_only), model_name);
  ASSERT_TRUE(pipeline.image().timing_only);
  expect_same(functional, pipeline.time(), "functional vs the timing-only image");
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Presets, ModeEquality,
                         ::testing::Combine(::testing::Values("lenet5", "vgg-small"),
                                            ::testing::Values("default", "cim-aq-paper", "isaac-like", "prime-like",
                                                              "large")),
                         case_name);

}  // namespace
}  // namespace cimvp
