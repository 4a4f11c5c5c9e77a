// Softmax and log-softmax (OpKind::Softmax, nn/softmax.h; the GPEU's softmax
// unit, common/softmax_unit.h). The float forward against PyTorch's own
// output for ONNX's six softmax test models; the integer unit against the
// float function on the grids (within one output step); the VP against the
// integer reference bit for bit, over channels and over width, softmax and
// log-softmax; the model file and ONNX keep it.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/error.h"
#include "common/softmax_unit.h"
#include "compiler/compile.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/onnx_import.h"
#include "nn/softmax.h"
#include "tests/support/random_data.h"
#include "tests/support/vp_equals_reference.h"

namespace cimvp {
namespace {

TEST(Softmax, FloatForwardEqualsPyTorchsOutputForOnnxsSoftmaxModels) {
  const std::string root = "/usr/share/libonnx-testdata/data/pytorch-converted/";
  for (const char* name : {"test_Softmax", "test_LogSoftmax", "test_softmax_lastdim", "test_log_softmax_lastdim",
                           "test_softmax_functional_dim3", "test_log_softmax_dim3"}) {
    const std::string dir = root + name + "/";
    ASSERT_TRUE(std::filesystem::exists(dir + "model.onnx")) << "libonnx-testdata is not installed (scripts/install_deps.sh)";
    const OnnxImport im = import_onnx(dir + "model.onnx");
    const Graph& g = im.model.graph;
    ASSERT_EQ(g.nodes[size_t(g.output())].kind, OpKind::Softmax) << name;
    const OnnxTensor x = read_onnx_tensor(dir + "test_data_set_0/input_0.pb");
    const OnnxTensor y = read_onnx_tensor(dir + "test_data_set_0/output_0.pb");
    const size_t in_size = size_t(g.input_shape().size()), images = x.values.size() / in_size;
    ASSERT_EQ(y.values.size(), images * in_size) << name;
    for (size_t i = 0; i < images; ++i) {
      const std::vector<float> image(x.values.begin() + long(i * in_size), x.values.begin() + long((i + 1) * in_size));
      const std::vector<float> got = forward_all(g, image)[size_t(g.output())];
      for (size_t k = 0; k < in_size; ++k)
        ASSERT_NEAR(got[k], y.values[i * in_size + k], 1e-5 * (1 + std::fabs(y.values[i * in_size + k]))) << name;
    }
  }
}

// The unit's integers against the float function of the dequantized input,
// rounded onto the output grid: within one output step.
TEST(Softmax, TheIntegerUnitIsWithinOneStepOfTheFunction) {
  std::mt19937 rng(5);
  for (bool log : {false, true})
    for (double s_in : {0.01, 0.05, 0.2}) {
      const int n = 10;
      const double s_out = log ? 12.0 / 127 : 1.0 / 255;
      const int32_t lo = log ? -128 : 0, hi = log ? 127 : 255;
      const std::vector<int32_t> k = softmax_constants(s_in, s_out, lo, hi, log, "t");
      for (int trial = 0; trial < 50; ++trial) {
        std::vector<int32_t> q(n), y(n);
        for (int32_t& v : q) v = int32_t(rng() % 256) - 128;
        softmax_unit(q.data(), y.data(), n, 1, log, k.data());
        std::vector<float> xf(n), yf(n);
        for (int i = 0; i < n; ++i) xf[size_t(i)] = float(s_in * q[size_t(i)]);
        softmax_forward({n, 1, 1}, SoftmaxAxis::Channels, log, xf.data(), yf.data());
        for (int i = 0; i < n; ++i) {
          const double want = std::clamp(double(yf[size_t(i)]) / s_out, double(lo), double(hi));
          ASSERT_LE(std::fabs(y[size_t(i)] - want), 1.0) << (log ? "log " : "") << s_in << " " << q[size_t(i)];
        }
      }
    }
}

// 3x6x5 -> conv (signed) -> softmax over width -> dense 7 -> softmax over
// the 7 scores (the output).
ModelFile softmax_net(bool log) {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "softmax";
  int x = g.add_input("input", {3, 6, 5});
  x = g.add_conv("conv", x, 4, 3, 1, 1);
  x = g.add_softmax("rows", x, SoftmaxAxis::Width, log);
  x = g.add_dense("fc", x, 7);
  g.add_softmax("scores", x, SoftmaxAxis::Channels, log);
  test::normal_weights(g, 51, 0.8f);
  model.random_weights = true;
  return model;
}

// (One SoC per process: one variant per test.)
TEST(Softmax, TheVpEqualsTheIntegerReference) {
  test::expect_vp_equals_reference(softmax_net(false), {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 52, 3);
}
TEST(Softmax, TheVpEqualsTheIntegerReferenceLog) {
  test::expect_vp_equals_reference(softmax_net(true), {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 53, 3);
}

TEST(Softmax, TheModelFileAndOnnxKeepIt) {
  for (bool log : {false, true}) {
    const ModelFile model = softmax_net(log);
    const ModelFile back = parse_model(serialize_model(model), "softmax.cimvp");
    const OnnxImport im = test::expect_onnx_round_trip(model, 54);
    for (const Graph* g : {&back.graph, &im.model.graph}) {
      const Node& rows = g->nodes[size_t(g->find("rows"))];
      const Node& scores = g->nodes[size_t(g->find("scores"))];
      EXPECT_EQ(rows.softmax_axis, SoftmaxAxis::Width);
      EXPECT_EQ(scores.softmax_axis, SoftmaxAxis::Channels);
      EXPECT_EQ(rows.log, log);
      EXPECT_EQ(scores.log, log);
    }
  }
}

// ONNX's softmax over axis 3 of [2, 3, 4, 5] is over each row's width; over
// axis 2 (height) it is refused, naming the node.
TEST(Softmax, OnnxAxesMapOrAreRefusedNamingTheNode) {
  const std::string file =
      "/usr/share/libonnx-testdata/data/pytorch-converted/test_softmax_functional_dim3/model.onnx";
  const ModelFile model = import_onnx(file).model;
  EXPECT_EQ(model.graph.nodes[size_t(model.graph.output())].softmax_axis, SoftmaxAxis::Width);
  onnx::ModelProto m;
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(m.ParseFromIstream(&in));
  ASSERT_EQ(m.graph().node(0).attribute(0).name(), "axis");
  m.mutable_graph()->mutable_node(0)->mutable_attribute(0)->set_i(2);
  try {
    import_onnx_bytes(m.SerializeAsString(), "h.onnx");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("h.onnx: Softmax node '1': unsupported axis 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cimvp
