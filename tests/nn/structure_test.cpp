// Structure-only (weightless) models for timing-only compiles: the zoo builds
// them without allocating parameters, and quantize_structure() gives the
// network quantize() gives in everything but weights, bias values and scales.
#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "nn/model_file.h"
#include "nn/quant.h"
#include "nn/zoo.h"
#include "tests/support/random_data.h"

using namespace cimvp;

namespace {

using test::random_images;
using test::random_policy;

void expect_same_structure(const QuantizedNetwork& s, const QuantizedNetwork& q) {
  EXPECT_EQ(s.name, q.name);
  EXPECT_EQ(s.policy, q.policy);
  EXPECT_EQ(s.input, q.input);
  EXPECT_EQ(s.output, q.output);
  EXPECT_EQ(s.layers, q.layers);
  ASSERT_EQ(s.tensors.size(), q.tensors.size());
  for (size_t i = 0; i < q.tensors.size(); ++i) {
    const QTensor &a = s.tensors[i], &b = q.tensors[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.shape, b.shape) << b.name;
    EXPECT_EQ(a.bits, b.bits) << b.name;
    EXPECT_EQ(a.is_signed, b.is_signed) << b.name;
    EXPECT_EQ(a.zero_point, b.zero_point) << b.name;
    EXPECT_GT(a.scale, 0) << b.name;
  }
  ASSERT_EQ(s.ops.size(), q.ops.size());
  for (size_t i = 0; i < q.ops.size(); ++i) {
    const QOp &a = s.ops[i], &b = q.ops[i];
    SCOPED_TRACE(b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.kernel, b.kernel);
    EXPECT_EQ(a.stride, b.stride);
    EXPECT_EQ(a.padding, b.padding);
    EXPECT_EQ(a.layer, b.layer);
    EXPECT_EQ(a.in_channels, b.in_channels);
    EXPECT_EQ(a.out_channels, b.out_channels);
    EXPECT_EQ(a.weight_bits, b.weight_bits);
    EXPECT_EQ(a.activation_bits, b.activation_bits);
    EXPECT_EQ(a.input_signed, b.input_signed);
    EXPECT_EQ(a.requantize, b.requantize);
    EXPECT_TRUE(a.weight.empty());
    EXPECT_EQ(a.bias.size(), b.bias.size());
    for (int32_t v : a.bias) EXPECT_EQ(v, 0);
    EXPECT_EQ(a.input_multipliers.size(), b.input_multipliers.size());
    EXPECT_EQ(a.requant.lo, b.requant.lo);
    EXPECT_EQ(a.requant.hi, b.requant.hi);
    EXPECT_EQ(a.requant.zero_point, b.requant.zero_point);
    EXPECT_EQ(a.requant.rounding, b.requant.rounding);
    if (b.kind != QOpKind::MaxPool && b.requantize) {
      // A valid Vreq configuration: normalized multiplier, shift in range.
      EXPECT_GE(a.requant.multiplier, 1 << 30);
      EXPECT_GE(a.requant.shift, 0);
      EXPECT_LE(a.requant.shift, 62);
    }
  }
}

}  // namespace

TEST(Structure, ZooStructureHasShapesButNoParameters) {
  for (const std::string& name : zoo_names()) {
    SCOPED_TRACE(name);
    const Graph s = make_model_structure(name);
    EXPECT_TRUE(s.structure_only);
    for (const Node& n : s.nodes) {
      EXPECT_TRUE(n.weight.empty() && n.bias.empty() && n.mean.empty() && n.var.empty()) << n.name;
    }
    if (name == "vgg16" || name == "resnet18") continue;  // the weighted ones are large
    const Graph g = make_model(name, 3);
    ASSERT_EQ(s.nodes.size(), g.nodes.size());
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      EXPECT_EQ(s.nodes[i].name, g.nodes[i].name);
      EXPECT_EQ(s.nodes[i].shape, g.nodes[i].shape);
      EXPECT_EQ(s.nodes[i].in_channels, g.nodes[i].in_channels);
    }
    EXPECT_EQ(s.parameter_count(), g.parameter_count());
    EXPECT_EQ(structure_of(g).parameter_count(), g.parameter_count());
  }
}

TEST(Structure, ImageNetModelsQuantizeWithoutWeights) {
  const Graph vgg = make_model("vgg16", 0, false);
  EXPECT_EQ(vgg.parameter_count(), 138357544);  // torchvision's vgg16
  const Graph rn = make_model_structure("resnet18");
  // torchvision's resnet18, plus our conv biases (4800 channels) and the BN running statistics (2 x 4800)
  EXPECT_EQ(rn.parameter_count(), 11689512 + 4800 + 9600);
  for (const Graph* g : {&vgg, &rn}) {
    const size_t layers = g->quantizable_layers().size();
    const QuantizedNetwork q = quantize_structure(*g, random_policy(layers, 5));
    EXPECT_EQ(q.layers.size(), layers);
    for (const QOp& op : q.ops) {
      EXPECT_TRUE(op.weight.empty()) << op.name;
      if (op.kind == QOpKind::Conv2d || op.kind == QOpKind::Dense) {
        EXPECT_EQ(op.bias.size(), size_t(op.out_channels));
      }
    }
    EXPECT_EQ(q.output_tensor().bits, 32);
    EXPECT_EQ(q.output_tensor().shape, (Shape{1000, 1, 1}));
  }
}

TEST(Structure, QuantizeStructureMatchesQuantize) {
  for (const char* name : {"lenet5", "vgg-small", "resnet-small"}) {
    SCOPED_TRACE(name);
    const Graph g = make_model(name, 7);
    const size_t layers = g.quantizable_layers().size();
    for (uint32_t trial = 0; trial < 4; ++trial) {
      const Policy p = trial == 0 ? uniform_policy(layers, 8, 8) : random_policy(layers, trial + 10 * layers);
      const Calibration c = calibrate(g, random_images(g.input_shape(), 2, trial), p);
      const QuantizedNetwork q = quantize(g, p, c);
      expect_same_structure(quantize_structure(g, p), q);                      // from a weighted graph
      expect_same_structure(quantize_structure(make_model_structure(name), p), q);  // from the structure
    }
  }
}

TEST(Structure, WeightsAreRefusedWhereTheyAreNeeded) {
  Graph s = make_model_structure("lenet5");
  const Policy p = uniform_policy(5, 8, 8);
  EXPECT_THROW(forward(s, std::vector<float>(784)), Error);
  EXPECT_THROW(calibrate(s, {std::vector<float>(784)}, p), Error);
  Calibration c;
  c.act_clip = {{"input", 1.f}, {"conv1", 1.f}, {"conv2", 1.f}, {"fc1", 1.f}, {"fc2", 1.f}};
  EXPECT_THROW(quantize(s, p, c), Error);
  ModelFile m;
  m.graph = s;
  EXPECT_THROW(serialize_model(m), Error);
  // A parameter in a structure-only graph is an error naming the node.
  s.nodes[1].bias.assign(6, 0.f);
  try {
    s.infer_shapes();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv1"), std::string::npos) << e.what();
  }
  // Builders of a structure-only graph allocate nothing.
  Graph b;
  b.structure_only = true;
  int x = b.add_input("in", {3, 8, 8});
  x = b.add_conv("c", x, 4, 3);
  x = b.add_batchnorm("bn", x);
  b.add_dense("d", x, 5);
  for (const Node& n : b.nodes) EXPECT_TRUE(n.weight.empty() && n.bias.empty() && n.mean.empty() && n.var.empty());
  const Graph f = fold_batch_norm(b);
  EXPECT_TRUE(f.structure_only);
  EXPECT_EQ(f.nodes.size(), 3u);
}
