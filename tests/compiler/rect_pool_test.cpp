// Pools with rectangular windows and max pools with dilation (ONNX
// kernel_shape [kh, kw], pads per axis, dilations). The float forward against
// PyTorch's own output for ONNX's test_MaxPool2d_stride_padding_dilation
// (60 x 80 taps, 10 apart); the VP against the integer reference bit for bit;
// the trainer's gradients; the model file and ONNX keep the window.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "compiler/compile.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/onnx_import.h"
#include "tests/support/random_data.h"
#include "tests/support/vp_equals_reference.h"

namespace cimvp {
namespace {

TEST(RectPool, FloatForwardEqualsPyTorchsOutputForOnnxsDilatedPool) {
  const std::string dir = "/usr/share/libonnx-testdata/data/pytorch-converted/test_MaxPool2d_stride_padding_dilation/";
  ASSERT_TRUE(std::filesystem::exists(dir + "model.onnx")) << "libonnx-testdata is not installed (scripts/install_deps.sh)";
  const OnnxImport im = import_onnx(dir + "model.onnx");
  const Graph& g = im.model.graph;
  const Node& pool = g.nodes[size_t(g.output())];
  ASSERT_EQ(pool.kind, OpKind::MaxPool);
  EXPECT_EQ(pool.kernel, 60);
  EXPECT_EQ(pool.kw(), 80);
  EXPECT_EQ(pool.dilation, 10);
  EXPECT_EQ(pool.pw(), 20);
  EXPECT_EQ(pool.shape, (Shape{1, 43, 25}));
  const OnnxTensor x = read_onnx_tensor(dir + "test_data_set_0/input_0.pb");
  const OnnxTensor y = read_onnx_tensor(dir + "test_data_set_0/output_0.pb");
  ASSERT_EQ(x.values.size(), size_t(g.input_shape().size()));
  ASSERT_EQ(y.values.size(), size_t(pool.shape.size()));
  const std::vector<float> image(x.values.begin(), x.values.end());
  const std::vector<float> got = forward_all(g, image)[size_t(g.output())];
  for (size_t k = 0; k < got.size(); ++k) ASSERT_EQ(got[k], float(y.values[k])) << k;  // a max picks, it does not round
}

// 2x13x11 -> conv (signed output: the max pool pads with -128) -> max pool
// 3x2, dilation 2, stride 2, padding 1 x 1 -> average pool 2x3, padding
// 0 x 1 -> dense.
ModelFile rect_pool_net() {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "rect_pool";
  int x = g.add_input("input", {2, 13, 11});
  x = g.add_conv("conv", x, 6, 3, 1, 1);
  x = g.add_maxpool("max", x, 3, 2, 1);
  Node& mp = g.nodes[size_t(x)];
  mp.kernel_w = 2, mp.dilation = 2;
  x = g.add_avgpool("avg", x, 2, 1, 0);
  Node& ap = g.nodes[size_t(x)];
  ap.kernel_w = 3, ap.padding_w = 1;
  g.infer_shapes();  // before the dense takes its input's size
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 21, 0.5f);
  model.random_weights = true;
  return model;
}

TEST(RectPool, TheVpEqualsTheIntegerReference) {
  const ModelFile model = rect_pool_net();
  // max: height (13 + 2 - 5) / 2 + 1 = 6, width (11 + 2 - 3) / 2 + 1 = 6; avg: 5 x 6
  EXPECT_EQ(model.graph.nodes[size_t(model.graph.find("max"))].shape, (Shape{6, 6, 6}));
  EXPECT_EQ(model.graph.nodes[size_t(model.graph.find("avg"))].shape, (Shape{6, 5, 6}));
  test::expect_vp_equals_reference(model, {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 22, 3);
}

TEST(RectPool, TheModelFileAndOnnxKeepTheWindow) {
  const ModelFile model = rect_pool_net();
  const ModelFile back = parse_model(serialize_model(model), "rect_pool.cimvp");
  const OnnxImport im = test::expect_onnx_round_trip(model, 23);
  for (const Graph* g : {&back.graph, &im.model.graph}) {
    const Node& mp = g->nodes[size_t(g->find("max"))];
    const Node& ap = g->nodes[size_t(g->find("avg"))];
    EXPECT_EQ(mp.kw(), 2);
    EXPECT_EQ(mp.dilation, 2);
    EXPECT_EQ(ap.kw(), 3);
    EXPECT_EQ(ap.pw(), 1);
  }
}

TEST(RectPool, AnAveragePoolWithDilationIsRefused) {
  ModelFile model = rect_pool_net();
  model.graph.nodes[size_t(model.graph.find("avg"))].dilation = 2;
  try {
    model.graph.infer_shapes();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'avg'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dilation is only supported for max pooling"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cimvp
