// Channel picks (OpKind::Channels): ShuffleNet's channel shuffle and split.
// The float forward against indices computed here; PyTorch's export of a
// shuffle (Reshape, Transpose, Reshape) and split (Shape, Gather, Div,
// Slice) imported as picks, composed where one reads another; the VP
// against the integer reference bit for bit; the model file and ONNX keep them.
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

// The shuffle of c channels in g groups: output i * g + k is input k * (c / g) + i.
std::vector<int> shuffle(int c, int g) {
  std::vector<int> out;
  for (int i = 0; i < c / g; ++i)
    for (int k = 0; k < g; ++k) out.push_back(k * (c / g) + i);
  return out;
}

// A ShuffleNetV2 unit on 2x10x10: conv 8 + ReLU, split into halves, the
// second through 1x1 conv + ReLU, concatenated with the first, shuffled in
// 2 groups, its odd channels (a stride-2 pick) -> dense 10.
Graph shuffle_unit(uint32_t seed) {
  Graph g;
  g.name = "shuffle_unit";
  int x = g.add_input("input", {2, 10, 10});
  x = g.add_relu("relu0", g.add_conv("conv0", x, 8, 3, 1, 1));
  const int left = g.add_channels("left", x, {0, 1, 2, 3});
  int right = g.add_channels("right", x, {4, 5, 6, 7});
  right = g.add_relu("relu1", g.add_conv("conv1", right, 4, 1));
  x = g.add_channels("shuffle", g.add_concat("cat", {left, right}), shuffle(8, 2));
  x = g.add_channels("odd", x, {1, 3, 5, 7, 0});
  g.add_dense("fc", x, 10);
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, 0.4f);
  for (Node& n : g.nodes) {
    for (float& v : n.weight) v = w(rng);
    for (float& v : n.bias) v = 0.1f * w(rng);
  }
  return g;
}

TEST(Channels, ForwardPicksTheListedChannels) {
  const Graph g = shuffle_unit(1);
  std::vector<float> x(2 * 10 * 10);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& v : x) v = u(rng);
  const auto all = forward_all(g, x);
  const auto& cat = all[size_t(g.find("cat"))];
  const auto& shuffled = all[size_t(g.find("shuffle"))];
  const int want[8] = {0, 4, 1, 5, 2, 6, 3, 7};  // two groups of four, interleaved
  for (int j = 0; j < 8; ++j)
    for (int p = 0; p < 100; ++p) ASSERT_EQ(shuffled[size_t(j * 100 + p)], cat[size_t(want[j] * 100 + p)]);
  EXPECT_EQ(g.nodes[size_t(g.find("odd"))].shape, (Shape{5, 10, 10}));
  Graph bad = g;
  bad.nodes[size_t(g.find("odd"))].channels = {1, 9};
  try {
    bad.infer_shapes();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "node 'odd' (channels): channel 9 is not one of the input's 8");
  }
}

TEST(Channels, TheVpEqualsTheIntegerReferenceBitForBit) {
  ModelFile model;
  model.graph = shuffle_unit(3);
  model.random_weights = true;
  const size_t layers = model.graph.quantizable_layers().size();
  test::expect_vp_equals_reference(model, {uniform_policy(layers, 8, 8), uniform_policy(layers, 4, 5)}, 4, 2);
}

TEST(Channels, TheModelFileAndOnnxKeepThePicks) {
  ModelFile model;
  model.graph = shuffle_unit(5);
  model.random_weights = true;
  const ModelFile back = parse_model(serialize_model(model), "shuffle.cimvp");
  EXPECT_EQ(back.graph.nodes[size_t(back.graph.find("shuffle"))].channels, shuffle(8, 2));
  const OnnxImport im = test::expect_onnx_round_trip(model, 9, 1);  // runs the ONNX checker
  // The pick of a pick comes back as one pick of the concatenation.
  const int odd = im.model.graph.find("odd");
  ASSERT_GE(odd, 0);
  EXPECT_EQ(im.model.graph.nodes[size_t(odd)].channels, (std::vector<int>{4, 5, 6, 7, 0}));
  EXPECT_EQ(im.model.graph.find("shuffle"), -1) << "read by nothing once composed";
}

}  // namespace
}  // namespace cimvp
