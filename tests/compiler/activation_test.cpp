// Non-linear activations (sigmoid, hard sigmoid, SiLU, hard swish: one
// table each, Vlut on the GPEU) and element-wise products (Vmul8: SE
// blocks' per-channel scaling). The tables against the real functions;
// the VP against the integer reference bit for bit; the model file and
// ONNX keep them (PyTorch's x * sigmoid(x) imported as one SiLU).
#include <gtest/gtest.h>

#include <cmath>
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

// 3x12x12 -> conv 8 + ReLU6 -> squeeze-and-excitation (global pool, 1x1
// conv 4 + ReLU, 1x1 conv 8, hard sigmoid, channel product) -> conv 8 +
// hard swish -> conv 6 + SiLU -> conv 4 -> sigmoid -> dense 10.
Graph se_net(uint32_t seed) {
  Graph g;
  g.name = "se_net";
  int x = g.add_input("input", {3, 12, 12});
  x = g.add_relu("relu6", g.add_conv("conv1", x, 8, 3, 1, 1), 6.f);
  int s = g.add_global_avgpool("squeeze", x);
  s = g.add_relu("se_relu", g.add_conv("se_reduce", s, 4, 1));
  s = g.add_activation("se_gate", g.add_conv("se_expand", s, 8, 1), Activation::HardSigmoid);
  x = g.add_mul("excite", x, s);
  x = g.add_activation("hswish", g.add_conv("conv2", x, 8, 3, 2, 1), Activation::HardSwish);
  x = g.add_activation("silu", g.add_conv("conv3", x, 6, 3, 1, 1), Activation::Silu);
  x = g.add_activation("sigmoid", g.add_conv("conv4", x, 4, 1), Activation::Sigmoid);
  g.add_dense("fc", x, 10);
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, 0.4f);
  for (Node& n : g.nodes) {
    for (float& v : n.weight) v = w(rng);
    for (float& v : n.bias) v = 0.2f * w(rng);
  }
  return g;
}

TEST(Activation, FunctionsAndTablesAreTheDefinitions) {
  EXPECT_DOUBLE_EQ(activation_value(Activation::Sigmoid, 0), 0.5);
  EXPECT_DOUBLE_EQ(activation_value(Activation::HardSigmoid, -3), 0);
  EXPECT_DOUBLE_EQ(activation_value(Activation::HardSigmoid, 1.5), 0.75);
  EXPECT_DOUBLE_EQ(activation_value(Activation::HardSwish, 1.5), 1.125);
  EXPECT_NEAR(activation_value(Activation::Silu, 1), 1 / (1 + std::exp(-1.0)), 1e-15);
  EXPECT_NEAR(activation_value(Activation::Selu, -1), 1.0507009873554805 * 1.6732632423543772 * (std::exp(-1.0) - 1), 1e-7);
  EXPECT_NEAR(activation_value(Activation::Softplus, 2), std::log(1 + std::exp(2.0)), 1e-15);
  for (Activation f : {Activation::Sigmoid, Activation::HardSigmoid, Activation::Silu, Activation::HardSwish,
                       Activation::Tanh, Activation::Softplus, Activation::Elu, Activation::Selu})
    for (double x : {-4.0, -1.3, 0.2, 2.9, 5.0}) {  // derivatives against central differences
      const double h = 1e-6;
      EXPECT_NEAR(activation_derivative(f, x), (activation_value(f, x + h) - activation_value(f, x - h)) / (2 * h), 1e-6)
          << activation_name(f) << " at " << x;
    }
  // A signed 8-bit input at 1/16 onto an unsigned 8-bit output at 1/255:
  // every entry within half an output step of the real function.
  const double s_in = 1.0 / 16, s_out = 1.0 / 255;
  const std::vector<int32_t> t = activation_table(Activation::HardSigmoid, -128, 127, s_in, 0, s_out, 0, 0, 255);
  ASSERT_EQ(t.size(), 256u);
  EXPECT_EQ(t[size_t(-48 + 128)], 0);    // x = -3
  EXPECT_EQ(t[size_t(0 + 128)], 128);    // 127.5 rounds half up
  EXPECT_EQ(t[size_t(48 + 128)], 255);   // x = 3
  for (int q = -128; q < 128; ++q) {
    const double want = std::clamp(q * s_in / 6 + 0.5, 0.0, 1.0) / s_out;
    EXPECT_LE(std::fabs(t[size_t(q + 128)] - want), 0.5) << q;
  }
}

// ONNX's other element-wise functions (Tanh, Softplus, Elu, Selu) are tables
// too: the VP equals the reference, and the export names them back.
TEST(Activation, TanhSoftplusEluSeluRunAndRoundTrip) {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "smooth";
  int x = g.add_input("input", {2, 6, 6});
  x = g.add_activation("tanh", g.add_conv("c1", x, 4, 3, 1, 1), Activation::Tanh);
  x = g.add_activation("softplus", g.add_conv("c2", x, 4, 3, 1, 1), Activation::Softplus);
  x = g.add_activation("elu", g.add_conv("c3", x, 4, 3, 1, 1), Activation::Elu);
  x = g.add_activation("selu", g.add_conv("c4", x, 4, 3, 1, 1), Activation::Selu);
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 6, 0.5f);
  model.random_weights = true;
  test::expect_vp_equals_reference(model, {uniform_policy(5, 8, 8), uniform_policy(5, 4, 4)}, 7);
  const OnnxImport im = test::expect_onnx_round_trip(model, 8);
  for (const char* name : {"tanh", "softplus", "elu", "selu"})
    EXPECT_EQ(im.model.graph.nodes[size_t(im.model.graph.find(name))].function,
              model.graph.nodes[size_t(model.graph.find(name))].function) << name;
}

// Functions with parameters (ONNX LeakyRelu and PRelu of one slope, Elu's
// alpha, any Clip) and a ReLU of the network input, which no layer before
// it applies: tables like the others. The VP equals the reference; the
// model file and ONNX keep function and parameters (values exact in float).
TEST(Activation, LeakyReluEluClipAndInputReluRunAndRoundTrip) {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "params";
  int x = g.add_input("input", {2, 6, 6});
  x = g.add_activation("relu_in", x, Activation::Relu);
  x = g.add_activation("leaky", g.add_conv("c1", x, 4, 3, 1, 1), ActivationFn(Activation::LeakyRelu, 0.125));
  x = g.add_activation("elu", g.add_conv("c2", x, 4, 3, 1, 1), ActivationFn(Activation::Elu, 0.5));
  x = g.add_activation("clip", g.add_conv("c3", x, 4, 3, 1, 1), ActivationFn(Activation::Clip, -0.5, 0.75));
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 9, 0.5f);
  model.random_weights = true;
  EXPECT_DOUBLE_EQ(activation_value(g.nodes[size_t(g.find("leaky"))].function, -2), -0.25);
  EXPECT_DOUBLE_EQ(activation_value(g.nodes[size_t(g.find("clip"))].function, -2), -0.5);
  EXPECT_NEAR(activation_value(g.nodes[size_t(g.find("elu"))].function, -1), 0.5 * (std::exp(-1.0) - 1), 1e-15);
  for (const ActivationFn& f : {ActivationFn(Activation::LeakyRelu, 0.125), ActivationFn(Activation::Elu, 0.5),
                                ActivationFn(Activation::Clip, -0.5, 0.75), ActivationFn(Activation::Relu)})
    for (double v : {-1.3, -0.2, 0.3, 1.1}) {
      const double h = 1e-6;
      EXPECT_NEAR(activation_derivative(f, v), (activation_value(f, v + h) - activation_value(f, v - h)) / (2 * h), 1e-6)
          << activation_name(f.f) << " at " << v;
    }
  EXPECT_TRUE(activation_nonnegative(Activation::Relu));
  EXPECT_FALSE(activation_nonnegative(ActivationFn(Activation::Clip, -0.5, 0.75)));
  test::expect_vp_equals_reference(model, {uniform_policy(4, 8, 8), uniform_policy(4, 4, 4)}, 10);
  const ModelFile back = parse_model(serialize_model(model), "params.cimvp");
  const OnnxImport im = test::expect_onnx_round_trip(model, 11);
  for (const char* name : {"relu_in", "leaky", "elu", "clip"}) {
    const ActivationFn& want = model.graph.nodes[size_t(model.graph.find(name))].function;
    EXPECT_EQ(back.graph.nodes[size_t(back.graph.find(name))].function, want) << name;
    const Node& imported = im.model.graph.nodes[size_t(im.model.graph.find(name))];
    if (want.f == Activation::Relu)  // ONNX's Relu comes back a ReLU node; the quantizer makes it the same table
      EXPECT_EQ(imported.kind, OpKind::Relu) << name;
    else
      EXPECT_EQ(imported.function, want) << name;
  }
}

TEST(Activation, MulShapesAreCheckedNamingTheNode) {
  Graph g;
  const int x = g.add_input("input", {4, 6, 6});
  const int p = g.add_maxpool("pool", x, 2, 2);
  try {
    g.add_mul("mul", x, p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "node 'mul' (mul): 'pool' is 4x3x3: the second input must have the shape of "
                                     "'input' (4x6x6) or one value per channel (4x1x1)");
  }
}

TEST(Activation, TheVpEqualsTheIntegerReferenceBitForBit) {
  ModelFile model;
  model.graph = se_net(3);
  model.random_weights = true;  // calibrated on generated inputs
  const size_t layers = model.graph.quantizable_layers().size();
  test::expect_vp_equals_reference(model, {uniform_policy(layers, 8, 8), uniform_policy(layers, 3, 4)}, 4, 3);
}

TEST(Activation, TheModelFileAndOnnxKeepThem) {
  ModelFile model;
  model.graph = se_net(5);
  model.random_weights = true;
  const ModelFile back = parse_model(serialize_model(model), "se_net.cimvp");
  EXPECT_EQ(back.graph.nodes[size_t(back.graph.find("silu"))].function, Activation::Silu);
  // SiLU and hard swish go out as x * (hard) sigmoid(x) and come back as one node each.
  const OnnxImport im = test::expect_onnx_round_trip(model, 9, 3);  // runs the ONNX checker
  for (const Node& n : model.graph.nodes) {  // (the import adds a Flatten before the dense layer)
    const int i = im.model.graph.find(n.name);
    ASSERT_GE(i, 0) << n.name;
    EXPECT_EQ(im.model.graph.nodes[size_t(i)].kind, n.kind) << n.name;
    EXPECT_EQ(im.model.graph.nodes[size_t(i)].function, n.function) << n.name;
  }
}

}  // namespace
}  // namespace cimvp
