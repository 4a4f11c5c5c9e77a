// Standalone padding (OpKind::Pad, nn/pad.h): constant values, reflections,
// edge copies, unequal sides. The float forward against PyTorch's own output
// for ONNX's pad test models; the VP against the integer reference bit for
// bit for every mode; the trainer's gradients (a reflected position's
// gradient reaches its source twice); the model file and ONNX keep it.
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

void expect_pytorchs_output(const std::string& dir, PadMode mode) {
  ASSERT_TRUE(std::filesystem::exists(dir + "model.onnx")) << "libonnx-testdata is not installed (scripts/install_deps.sh)";
  const OnnxImport im = import_onnx(dir + "model.onnx");
  const Graph& g = im.model.graph;
  const Node& pad = g.nodes[size_t(g.output())];
  ASSERT_EQ(pad.kind, OpKind::Pad) << dir;
  EXPECT_EQ(pad.pad.mode, mode) << dir;
  const OnnxTensor x = read_onnx_tensor(dir + "test_data_set_0/input_0.pb");
  const OnnxTensor y = read_onnx_tensor(dir + "test_data_set_0/output_0.pb");
  const size_t in_size = size_t(g.input_shape().size()), out_size = size_t(g.output_shape().size());
  const size_t images = size_t(x.dims[0]);
  ASSERT_EQ(x.values.size(), images * in_size) << dir;
  ASSERT_EQ(y.values.size(), images * out_size) << dir;
  for (size_t i = 0; i < images; ++i) {
    const std::vector<float> image(x.values.begin() + long(i * in_size), x.values.begin() + long((i + 1) * in_size));
    const std::vector<float> got = forward_all(g, image)[size_t(g.output())];
    for (size_t k = 0; k < out_size; ++k) ASSERT_EQ(got[k], float(y.values[i * out_size + k])) << dir << " " << i << ", " << k;
  }
}

TEST(Pad, FloatForwardEqualsPyTorchsOutputForOnnxsPadModels) {
  const std::string root = "/usr/share/libonnx-testdata/data/pytorch-converted/";
  expect_pytorchs_output(root + "test_ConstantPad2d/", PadMode::Constant);
  expect_pytorchs_output(root + "test_ZeroPad2d/", PadMode::Constant);
  expect_pytorchs_output(root + "test_ReflectionPad2d/", PadMode::Reflect);
  expect_pytorchs_output(root + "test_ReplicationPad2d/", PadMode::Edge);
}

// 3x7x6 -> pad (mode, top 2, left 1, bottom 3, right 2) -> conv 3x3 (pads
// its input again: a Pad's output has a border of its own) -> max pool ->
// dense.
ModelFile pad_net(PadMode mode, float value) {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "pad";
  int x = g.add_input("input", {3, 7, 6});
  PadSpec p;
  p.top = 2, p.left = 1, p.bottom = 3, p.right = 2, p.mode = mode, p.value = value;
  x = g.add_pad("pad", x, p);
  x = g.add_conv("conv", x, 4, 3, 1, 1);
  x = g.add_maxpool("pool", x, 2, 2, 0);
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 31, 0.5f);
  model.random_weights = true;
  return model;
}

// (One SoC per process: one mode per test.)
TEST(Pad, TheVpEqualsTheIntegerReferenceConstant) {
  EXPECT_EQ(pad_net(PadMode::Constant, 0.7f).graph.nodes[1].shape, (Shape{3, 12, 9}));
  test::expect_vp_equals_reference(pad_net(PadMode::Constant, 0.7f), {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 32);
}
TEST(Pad, TheVpEqualsTheIntegerReferenceSaturatedConstant) {
  test::expect_vp_equals_reference(pad_net(PadMode::Constant, -9.f), {uniform_policy(2, 8, 8)}, 34);
}
TEST(Pad, TheVpEqualsTheIntegerReferenceReflect) {
  test::expect_vp_equals_reference(pad_net(PadMode::Reflect, 0), {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 35);
}
TEST(Pad, TheVpEqualsTheIntegerReferenceEdge) {
  test::expect_vp_equals_reference(pad_net(PadMode::Edge, 0), {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 36);
}

TEST(Pad, TheIntegerConstantIsTheValueOnTheGridSaturated) {
  ModelFile model = pad_net(PadMode::Constant, 0.7f);
  const Policy policy = uniform_policy(2, 8, 8);
  QuantizedNetwork q = quantize_model(model, policy);
  const QOp& op = q.ops[0];
  ASSERT_EQ(op.kind, QOpKind::Pad);
  const QTensor& t = q.tensors[size_t(op.output)];
  EXPECT_EQ(op.pad_integer, std::clamp(int32_t(std::round(0.7 / t.scale)), t.lo(), t.hi()));
  model.graph.nodes[1].pad.value = -1e6f;
  EXPECT_EQ(quantize_model(model, policy).ops[0].pad_integer, t.lo());
}

TEST(Pad, TheModelFileAndOnnxKeepIt) {
  for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
    const ModelFile model = pad_net(mode, mode == PadMode::Constant ? 0.25f : 0.f);
    const ModelFile back = parse_model(serialize_model(model), "pad.cimvp");
    const OnnxImport im = test::expect_onnx_round_trip(model, 33);
    EXPECT_EQ(back.graph.nodes[size_t(back.graph.find("pad"))].pad, model.graph.nodes[1].pad) << pad_mode_name(mode);
    // ONNX carries the value on the tensor's grid, as cimvp computes with it.
    const Node& n = im.model.graph.nodes[size_t(im.model.graph.find("pad"))];
    PadSpec without_value = n.pad;
    without_value.value = model.graph.nodes[1].pad.value;
    EXPECT_EQ(without_value, model.graph.nodes[1].pad) << pad_mode_name(mode);
    EXPECT_NEAR(n.pad.value, model.graph.nodes[1].pad.value, 0.05) << pad_mode_name(mode);
  }
}

TEST(Pad, AReflectionWiderThanTheInputIsRefused) {
  Graph g;
  g.name = "bad";
  const int x = g.add_input("input", {1, 3, 3});
  PadSpec p;
  p.top = 3, p.mode = PadMode::Reflect;
  try {
    g.add_pad("wide", x, p);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'wide' (pad): a reflection must be narrower"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cimvp
