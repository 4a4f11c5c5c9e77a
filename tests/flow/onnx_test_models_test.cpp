// ONNX's own test models (Debian's libonnx-testdata: pytorch-converted,
// pytorch-operator, simple; the recurrent simple_rnn ones aside): the 2-D
// image models in scope compile for large.yaml (W8A8, timing only), as
// `cimvp compile --timing-only` does; every other one is refused with one
// cimvp::Error naming the file (docs/onnx.md lists why each is out of scope).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "common/error.h"
#include "config/arch_config.h"
#include "flow/build.h"
#include "nn/model_source.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

const std::set<std::string> kCompile = {
    "pytorch-converted/test_AvgPool2d", "pytorch-converted/test_AvgPool2d_stride",
    "pytorch-converted/test_BatchNorm2d_eval", "pytorch-converted/test_BatchNorm2d_momentum_eval",
    "pytorch-converted/test_ConstantPad2d", "pytorch-converted/test_Conv2d", "pytorch-converted/test_Conv2d_depthwise",
    "pytorch-converted/test_Conv2d_depthwise_padded", "pytorch-converted/test_Conv2d_depthwise_strided",
    "pytorch-converted/test_Conv2d_depthwise_with_multiplier", "pytorch-converted/test_Conv2d_dilated",
    "pytorch-converted/test_Conv2d_groups", "pytorch-converted/test_Conv2d_groups_thnn",
    "pytorch-converted/test_Conv2d_no_bias", "pytorch-converted/test_Conv2d_padding",
    "pytorch-converted/test_Conv2d_strided", "pytorch-converted/test_ELU", "pytorch-converted/test_LeakyReLU",
    "pytorch-converted/test_LeakyReLU_with_negval", "pytorch-converted/test_Linear",
    "pytorch-converted/test_Linear_no_bias", "pytorch-converted/test_LogSoftmax", "pytorch-converted/test_MaxPool2d",
    "pytorch-converted/test_MaxPool2d_stride_padding_dilation", "pytorch-converted/test_PReLU_1d",
    "pytorch-converted/test_PReLU_1d_multiparam", "pytorch-converted/test_PReLU_2d",
    "pytorch-converted/test_PReLU_2d_multiparam", "pytorch-converted/test_PReLU_3d",
    "pytorch-converted/test_PReLU_3d_multiparam", "pytorch-converted/test_ReLU", "pytorch-converted/test_ReflectionPad2d",
    "pytorch-converted/test_ReplicationPad2d", "pytorch-converted/test_SELU", "pytorch-converted/test_Sigmoid",
    "pytorch-converted/test_Softmax", "pytorch-converted/test_Softplus", "pytorch-converted/test_Tanh",
    "pytorch-converted/test_ZeroPad2d", "pytorch-converted/test_log_softmax_dim3",
    "pytorch-converted/test_log_softmax_lastdim", "pytorch-converted/test_softmax_functional_dim3",
    "pytorch-converted/test_softmax_lastdim", "pytorch-operator/test_operator_clip",
    "pytorch-operator/test_operator_conv", "pytorch-operator/test_operator_flatten", "pytorch-operator/test_operator_pad",
    "pytorch-operator/test_operator_selu", "pytorch-operator/test_operator_view", "simple/test_single_relu_model"};

TEST(OnnxTestModels, ThoseInScopeCompileAndTheOthersAreRefusedNamingTheFile) {
  const std::string root = "/usr/share/libonnx-testdata/data/";
  ASSERT_TRUE(std::filesystem::exists(root + "pytorch-converted")) << "libonnx-testdata is not installed (scripts/install_deps.sh)";
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/large.yaml"));
  flow::BuildOptions options;
  options.compile.timing_only = true;
  std::set<std::string> compiled;
  int models = 0;
  for (const char* set : {"pytorch-converted", "pytorch-operator", "simple"})
    for (const auto& dir : std::filesystem::directory_iterator(root + set)) {
      const std::string name = std::string(set) + "/" + dir.path().filename().string();
      const std::string file = dir.path().string() + "/model.onnx";
      if (name.find("test_simple_rnn") != std::string::npos || !std::filesystem::exists(file)) continue;
      ++models;
      try {
        const ModelFile model = load_model_structure(file);
        flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch, options);
        compiled.insert(name);
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << name << ": " << e.what();
      }
    }
  EXPECT_EQ(models, 140);
  EXPECT_EQ(compiled, kCompile);
}

}  // namespace
}  // namespace cimvp
