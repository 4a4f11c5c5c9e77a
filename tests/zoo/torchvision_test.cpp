// torchvision's fourteen networks (issue 22), exported by
// scripts/export_torchvision.sh (the ctest fixture zoo.ExportTorchvision)
// into the build tree (CIMVP_TORCHVISION_DIR): each either compiles timing-only for
// large.yaml and runs, or is refused with the one message naming the
// operator and the node that it is refused for today. The table below is
// what cimvp supports; a network that starts compiling must move to the
// first kind. Those of kFunctional also run functionally (random weights,
// random input): the VP equals the integer reference bit for bit.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "common/error.h"
#include "compiler/io_layout.h"
#include "flow/build.h"
#include "flow/pipeline.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp {
namespace {

struct Network {
  const char* name;
  const char* refused;  // nullptr: compiles and runs; otherwise the message's operator and reason
};

const Network kNetworks[] = {
    {"resnet18", nullptr},
    {"resnet50", nullptr},
    {"vgg11", nullptr},
    {"alexnet", nullptr},
    {"mobilenet_v2", nullptr},
    {"mnasnet0_5", nullptr},
    {"regnet_x_400mf", nullptr},
    {"mobilenet_v3_small", nullptr},
    {"squeezenet1_0", nullptr},
    {"googlenet", nullptr},
    {"densenet121", nullptr},
    {"inception_v3", nullptr},
    {"efficientnet_b0", nullptr},
    {"shufflenet_v2_x0_5", nullptr},
};

// The export (the fixture) writes them here; a missing file is an error
// naming it, never a skip.
std::string exported(const std::string& name) { return std::string(CIMVP_TORCHVISION_DIR) + "/" + name + ".onnx"; }

void PrintTo(const Network& n, std::ostream* os) { *os << n.name; }

class Torchvision : public ::testing::TestWithParam<Network> {};

TEST_P(Torchvision, CompilesAndRunsOrIsRefusedNamingTheNode) {
  const Network& n = GetParam();
  const std::string path = exported(n.name);
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/large.yaml"));
  flow::BuildOptions options;
  options.compile.timing_only = true;
  if (n.refused) {
    try {
      const ModelFile model = load_model_structure(path);
      flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch, options);
      FAIL() << n.name << " compiles now: move it to the networks that do";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), path + ": " + n.refused);
    }
    return;
  }
  const ModelFile model = load_model_structure(path);
  const flow::Build built = flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch, options);
  flow::Pipeline pipeline(arch);
  pipeline.load(built, n.name);
  const Report report = pipeline.time();
  EXPECT_GT(report.inference_cycles, 0u);
  EXPECT_GT(report.totals.mvms, 0u);
}

INSTANTIATE_TEST_SUITE_P(Zoo, Torchvision, ::testing::ValuesIn(kNetworks),
                         [](const ::testing::TestParamInfo<Network>& i) { return std::string(i.param.name); });

// Grouped convolutions and ReLU6 (mobilenet_v2), ceil-mode max pooling and
// concatenation (squeezenet1_0, googlenet), batch norms executed between
// concatenations and average pools after a Pad (densenet121), hard swish,
// SiLU and squeeze-and-excitation (mobilenet_v3_small, efficientnet_b0),
// 1x7 and 7x1 convolutions (inception_v3), channel shuffles and splits
// (shufflenet_v2_x0_5).
const char* const kFunctional[] = {"mobilenet_v2",       "squeezenet1_0",   "googlenet",    "densenet121",
                                   "mobilenet_v3_small", "efficientnet_b0", "inception_v3", "shufflenet_v2_x0_5"};

class TorchvisionFunctional : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchvisionFunctional, OnTheVpEqualsTheIntegerReference) {
  const std::string name = GetParam();
  ModelFile model = load_model_spec(exported(name));
  model.random_weights = true;  // torchvision's random initialization: calibrated on generated inputs
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/large.yaml"));
  const flow::Build built = flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch);
  const QuantizedNetwork& q = built.network;
  ReferenceExecutor reference(q);
  flow::Pipeline pipeline(arch);
  pipeline.load(built, name);
  std::mt19937 rng(1);
  const std::vector<int8_t> x = test::random_image(rng, q);
  const RunResult r = pipeline.run(RunMode::Functional, {input_bytes(q, x)});
  EXPECT_EQ(output_values(pipeline.image(), r.outputs[0]), reference.run(x));
}

INSTANTIATE_TEST_SUITE_P(Zoo, TorchvisionFunctional, ::testing::ValuesIn(kFunctional),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

}  // namespace
}  // namespace cimvp
