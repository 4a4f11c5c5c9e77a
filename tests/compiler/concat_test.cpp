// Concatenation along channels and ceil-mode max pooling (issue 22: the
// blocks of SqueezeNet, GoogLeNet, Inception and DenseNet). The float
// forward against values stacked and pooled by hand here; the VP against
// the integer reference bit for bit; the model file and ONNX keep both.
#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/onnx_export.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"
#include "tests/support/vp_equals_reference.h"

namespace cimvp {
namespace {

// 2x16x16 -> conv 6 + ReLU -> max pool 3/2 ceil mode (8x8, floor mode: 7x7)
// -> [1x1 conv 4 + ReLU (unsigned) | 3x3 conv 5 (signed)] -> concat (9)
// -> conv 6 + ReLU -> concat with the first branch again (10) -> dense 10.
Graph inception_like(uint32_t seed) {
  Graph g;
  g.name = "inception_like";
  int x = g.add_input("input", {2, 16, 16});
  x = g.add_relu("relu0", g.add_conv("conv0", x, 6, 3, 1, 1));
  x = g.add_maxpool("pool", x, 3, 2, 0, true);
  const int a = g.add_relu("relu_a", g.add_conv("branch_a", x, 4, 1));
  const int b = g.add_conv("branch_b", x, 5, 3, 1, 1);
  x = g.add_concat("cat1", {a, b});
  x = g.add_relu("relu_c", g.add_conv("conv_c", x, 6, 3, 1, 1));
  x = g.add_concat("cat2", {x, a});
  g.add_dense("fc", x, 10);
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, 0.3f);
  for (Node& n : g.nodes) {
    for (float& v : n.weight) v = w(rng);
    for (float& v : n.bias) v = 0.1f * w(rng);
  }
  return g;
}

TEST(Concat, ShapesAndForwardAreTheStackedInputs) {
  const Graph g = inception_like(1);
  const Node& pool = g.nodes[size_t(g.find("pool"))];
  // PyTorch's ceil mode: ceil((16 - 3) / 2) + 1 = 8, the last window starts
  // at 14, inside the input, and hangs one column over its edge.
  EXPECT_EQ(pool.shape, (Shape{6, 8, 8}));
  EXPECT_EQ(g.nodes[size_t(g.find("cat1"))].shape, (Shape{9, 8, 8}));
  EXPECT_EQ(g.nodes[size_t(g.find("cat2"))].shape, (Shape{10, 8, 8}));
  std::vector<float> x(2 * 16 * 16);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& v : x) v = u(rng);
  const auto all = forward_all(g, x);
  const auto& in = all[size_t(g.find("relu0"))];
  const auto& out = all[size_t(g.find("pool"))];
  for (int c = 0; c < 6; ++c)  // the hanging last row and column: the max of the positions inside
    for (int i = 0; i < 8; ++i) {
      float m = -1e30f;
      for (int row = 2 * i; row < std::min(2 * i + 3, 16); ++row)
        for (int col = 14; col < 16; ++col) m = std::max(m, in[size_t((c * 16 + row) * 16 + col)]);
      EXPECT_EQ(out[size_t(c * 64 + i * 8 + 7)], m) << c << "," << i;
    }
  const auto& a = all[size_t(g.find("relu_a"))];
  const auto& b = all[size_t(g.find("branch_b"))];
  const auto& cat = all[size_t(g.find("cat1"))];
  for (size_t j = 0; j < a.size(); ++j) ASSERT_EQ(cat[j], a[j]);
  for (size_t j = 0; j < b.size(); ++j) ASSERT_EQ(cat[a.size() + j], b[j]);
}

TEST(Concat, BadInputsAreRefusedNamingTheNode) {
  Graph g;
  const int x = g.add_input("input", {2, 8, 8});
  const int p = g.add_maxpool("pool", x, 2, 2);
  try {
    g.add_concat("cat", {x, p});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'cat' (concat): inputs differ in height x width: 'input' is 2x8x8, 'pool' is 2x4x4");
  }
  try {
    g.add_concat("cat", {x});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "node 'cat' (concat): has 1 inputs, expected 2 or more");
  }
  try {
    Node n;
    n.name = "avg";
    n.kind = OpKind::AvgPool;
    n.inputs = {x};
    n.kernel = 3;
    n.stride = 2;
    n.ceil_mode = true;
    g.nodes.push_back(n);
    g.infer_shapes();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "node 'avg' (avgpool): ceil_mode is only supported for max pooling");
  }
}

TEST(Concat, TheVpEqualsTheIntegerReferenceBitForBit) {
  ModelFile model;
  model.graph = inception_like(3);
  model.random_weights = true;  // calibrated on generated inputs
  const size_t layers = model.graph.quantizable_layers().size();
  test::expect_vp_equals_reference(model, {uniform_policy(layers, 8, 8), uniform_policy(layers, 4, 4)}, 4, 2);
}

TEST(Concat, TheModelFileAndOnnxKeepConcatAndCeilMode) {
  ModelFile model;
  model.graph = inception_like(5);
  model.random_weights = true;
  const ModelFile back = parse_model(serialize_model(model), "inception_like.cimvp");
  EXPECT_TRUE(back.graph.nodes[size_t(back.graph.find("pool"))].ceil_mode);
  EXPECT_EQ(back.graph.nodes[size_t(back.graph.find("cat2"))].inputs, model.graph.nodes[size_t(model.graph.find("cat2"))].inputs);
  const OnnxImport im = test::expect_onnx_round_trip(model, 9, 3);  // runs the ONNX checker
}

}  // namespace
}  // namespace cimvp
