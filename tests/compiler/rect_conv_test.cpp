// Non-square convolutions (Inception's 1x7 and 7x1, with padding only
// along the kernel's long side): the float forward against a convolution
// written here; the VP against the integer reference bit for bit; the model
// file and ONNX keep the window.
#include <gtest/gtest.h>

#include <random>

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

// 3x13x11 -> 1x7 conv 8 (pad 0, 3) + ReLU -> 7x1 conv 8 (pad 3, 0) + ReLU
// -> 3x5 conv 6 stride 2 (pad 1, 2), 2 groups, + ReLU -> dense 10.
Graph inception_rows(uint32_t seed) {
  Graph g;
  g.name = "inception_rows";
  int x = g.add_input("input", {3, 13, 11});
  x = g.add_relu("relu1", g.add_conv_rect("conv1x7", x, 8, 1, 7, 1, 0, 3));
  x = g.add_relu("relu2", g.add_conv_rect("conv7x1", x, 8, 7, 1, 1, 3, 0));
  x = g.add_relu("relu3", g.add_conv_rect("conv3x5", x, 6, 3, 5, 2, 1, 2, 2));
  g.add_dense("fc", x, 10);
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, 0.3f);
  for (Node& n : g.nodes) {
    for (float& v : n.bias) v = 0.1f * w(rng);
    for (size_t j = 0; j < n.weight.size(); ++j) {
      const size_t per_out = n.weight.size() / size_t(n.out_channels), taps = per_out / size_t(n.in_channels);
      n.weight[j] = n.kind != OpKind::Conv2d || n.connects(int(j / per_out), int(j % per_out / taps)) ? w(rng) : 0.f;
    }
  }
  return g;
}

TEST(RectConv, ForwardIsTheConvolutionOfItsWindow) {
  const Graph g = inception_rows(1);
  EXPECT_EQ(g.nodes[size_t(g.find("conv1x7"))].shape, (Shape{8, 13, 11}));
  EXPECT_EQ(g.nodes[size_t(g.find("conv3x5"))].shape, (Shape{6, 7, 6}));  // (13+2-3)/2+1, (11+4-5)/2+1
  std::vector<float> x(3 * 13 * 11);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& v : x) v = u(rng);
  const auto all = forward_all(g, x);
  for (const char* name : {"conv1x7", "conv7x1", "conv3x5"}) {
    const Node& n = g.nodes[size_t(g.find(name))];
    const Shape is = g.nodes[size_t(n.inputs[0])].shape;
    const std::vector<float>& in = all[size_t(n.inputs[0])];
    const int kh = n.kernel, kw = n.kw(), ph = n.padding, pw = n.pw(), s = n.stride;
    for (int o = 0; o < n.out_channels; ++o)
      for (int i = 0; i < n.shape.h; ++i)
        for (int j = 0; j < n.shape.w; ++j) {
          double sum = n.bias[size_t(o)];
          for (int c = 0; c < is.c; ++c)
            for (int dy = 0; dy < kh; ++dy)
              for (int dx = 0; dx < kw; ++dx) {
                const int yy = i * s - ph + dy, xx = j * s - pw + dx;
                if (yy < 0 || xx < 0 || yy >= is.h || xx >= is.w) continue;
                sum += double(n.weight[((size_t(o) * size_t(is.c) + size_t(c)) * size_t(kh) + size_t(dy)) * size_t(kw) +
                                       size_t(dx)]) *
                       in[(size_t(c) * size_t(is.h) + size_t(yy)) * size_t(is.w) + size_t(xx)];
              }
          ASSERT_NEAR(all[size_t(g.find(name))][(size_t(o) * size_t(n.shape.h) + size_t(i)) * size_t(n.shape.w) + size_t(j)],
                      sum, 1e-4)
              << name;
        }
  }
}

TEST(RectConv, TheVpEqualsTheIntegerReferenceBitForBit) {
  ModelFile model;
  model.graph = inception_rows(3);
  model.random_weights = true;
  const size_t layers = model.graph.quantizable_layers().size();
  test::expect_vp_equals_reference(model, {uniform_policy(layers, 8, 8), uniform_policy(layers, 4, 3)}, 4, 2);
}

TEST(RectConv, TheModelFileAndOnnxKeepTheWindow) {
  ModelFile model;
  model.graph = inception_rows(5);
  model.random_weights = true;
  const ModelFile back = parse_model(serialize_model(model), "rows.cimvp");
  const Node& n = back.graph.nodes[size_t(back.graph.find("conv3x5"))];
  EXPECT_EQ(n.kernel, 3);
  EXPECT_EQ(n.kw(), 5);
  EXPECT_EQ(n.padding, 1);
  EXPECT_EQ(n.pw(), 2);
  const OnnxImport im = test::expect_onnx_round_trip(model, 9, 1);  // runs the ONNX checker
  const Node& m = im.model.graph.nodes[size_t(im.model.graph.find("conv1x7"))];
  EXPECT_EQ(m.kernel, 1);
  EXPECT_EQ(m.kw(), 7);
  EXPECT_EQ(m.pw(), 3);
}

}  // namespace
}  // namespace cimvp
