// Dilated convolutions (ONNX dilations; Node::dilation): the kernel's taps
// d pixels apart. The float forward against PyTorch's own output for ONNX's
// test_Conv2d_dilated; the VP against the integer reference bit for bit,
// dense and grouped (the gather copies each kernel row's taps d pixels
// apart); the model file and ONNX keep it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "compiler/compile.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/onnx_import.h"
#include "tests/support/random_data.h"
#include "tests/support/vp_equals_reference.h"

namespace cimvp {
namespace {

TEST(DilatedConv, FloatForwardEqualsPyTorchsOutputForOnnxsTest) {
  const std::string dir = "/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d_dilated/";
  ASSERT_TRUE(std::filesystem::exists(dir + "model.onnx")) << "libonnx-testdata is not installed (scripts/install_deps.sh)";
  const OnnxImport im = import_onnx(dir + "model.onnx");
  const Graph& g = im.model.graph;
  ASSERT_EQ(g.nodes[size_t(g.quantizable_layers()[0])].dilation, 2);
  const OnnxTensor x = read_onnx_tensor(dir + "test_data_set_0/input_0.pb");
  const OnnxTensor y = read_onnx_tensor(dir + "test_data_set_0/output_0.pb");
  ASSERT_EQ(x.dims.size(), 4u);
  const size_t in_size = size_t(g.input_shape().size()), out_size = size_t(g.output_shape().size());
  const size_t images = size_t(x.dims[0]);
  ASSERT_EQ(x.values.size(), images * in_size);
  ASSERT_EQ(y.values.size(), images * out_size);
  for (size_t i = 0; i < images; ++i) {
    const std::vector<float> image(x.values.begin() + long(i * in_size), x.values.begin() + long((i + 1) * in_size));
    const std::vector<float> got = forward_all(g, image)[size_t(g.output())];
    for (size_t k = 0; k < out_size; ++k) ASSERT_NEAR(got[k], y.values[i * out_size + k], 1e-4) << i << ", " << k;
  }
}

// 3x11x11 -> 3x3 dilation 2, padding 2 -> 3x3 dilation 3, stride 2, in 4
// groups -> dense.
ModelFile dilated_net() {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "dilated";
  int x = g.add_input("input", {3, 11, 11});
  x = g.add_relu("r1", g.add_conv_rect("d2", x, 8, 3, 3, 1, 2, 2, 1, 2));
  x = g.add_conv_rect("d3g4", x, 8, 3, 3, 2, 3, 3, 4, 3);
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 12, 0.5f);
  for (Node& n : g.nodes)  // the grouped layer: zero across groups, as a grouped weight is kept
    if (n.name == "d3g4")
      for (int o = 0; o < 8; ++o)
        for (int c = 0; c < 8; ++c)
          if (o / 2 != c / 2)
            for (int t = 0; t < 9; ++t) n.weight[size_t((o * 8 + c) * 9 + t)] = 0.f;
  model.random_weights = true;
  return model;
}

TEST(DilatedConv, TheVpEqualsTheIntegerReferenceDenseAndGrouped) {
  const ModelFile model = dilated_net();
  EXPECT_EQ(model.graph.nodes[size_t(model.graph.find("d2"))].shape, (Shape{8, 11, 11}));
  EXPECT_EQ(model.graph.nodes[size_t(model.graph.find("d3g4"))].shape, (Shape{8, 6, 6}));  // (11 + 6 - 7) / 2 + 1
  test::expect_vp_equals_reference(model, {uniform_policy(3, 8, 8), uniform_policy(3, 4, 3)}, 13, 3);
}

TEST(DilatedConv, TheModelFileAndOnnxKeepIt) {
  const ModelFile model = dilated_net();
  const ModelFile back = parse_model(serialize_model(model), "dilated.cimvp");
  EXPECT_EQ(back.graph.nodes[size_t(back.graph.find("d3g4"))].dilation, 3);
  const OnnxImport im = test::expect_onnx_round_trip(model, 14);
  EXPECT_EQ(im.model.graph.nodes[size_t(im.model.graph.find("d2"))].dilation, 2);
  EXPECT_EQ(im.model.graph.nodes[size_t(im.model.graph.find("d3g4"))].dilation, 3);
}

}  // namespace
}  // namespace cimvp
