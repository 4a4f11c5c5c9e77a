// A bounded ReLU (Node::max; ReLU6, ONNX Clip(0, 6)): the float forward
// clamps to [0, max]; quantized, the domain's clip never exceeds the bound,
// so the quantizer's saturation is the bound, in calibration, training and
// quantization alike; the VP equals the integer reference bit for bit; the
// model file and ONNX (as Clip) keep it; bad bounds are refused naming the
// node.
#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "nn/model_file.h"
#include "nn/onnx_export.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "nn/train/network.h"
#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"
#include "tests/support/synthetic_dataset.h"

namespace cimvp {
namespace {

// 1x28x28 -> conv 8, ReLU6 -> depthwise conv (8 groups), ReLU6 -> dense 10,
// weights large enough that the convolutions' outputs go well past 6.
Graph relu6_net(uint32_t seed, float max = 6) {
  Graph g;
  g.name = "relu6";
  int x = g.add_input("input", {1, 28, 28});
  x = g.add_relu("relu1", g.add_conv("conv1", x, 8, 3, 1, 1), max);
  x = g.add_relu("relu2", g.add_conv("dw", x, 8, 3, 2, 1, 8), max);
  g.add_dense("fc", x, 10);
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, 3.f);
  for (Node& n : g.nodes) {
    for (float& b : n.bias) b = w(rng);
    const int taps = n.kind == OpKind::Conv2d ? n.kernel * n.kernel : 1;
    for (size_t i = 0; i < n.weight.size(); ++i) {
      const int o = int(i / (size_t(n.in_channels) * size_t(taps))), c = int(i / size_t(taps)) % n.in_channels;
      if (n.kind != OpKind::Conv2d || n.connects(o, c)) n.weight[i] = n.kind == OpKind::Dense ? 0.1f * w(rng) : w(rng);
    }
  }
  return g;
}

std::vector<std::vector<float>> images(int n, uint32_t seed) { return test::random_images({1, 28, 28}, n, seed); }

TEST(BoundedRelu, ForwardClampsToTheBound) {
  const Graph g = relu6_net(1);
  const std::vector<std::vector<float>> acts = forward_all(g, images(1, 2)[0]);
  float top = 0;
  for (size_t i = 0; i < acts[2].size(); ++i) {
    EXPECT_EQ(acts[2][i], std::min(std::max(acts[1][i], 0.f), 6.f));
    top = std::max(top, acts[1][i]);
  }
  EXPECT_GT(top, 6.f) << "the convolution goes past the bound, or this shows nothing";
}

TEST(BoundedRelu, TheClipNeverExceedsTheBoundAndTheVpEqualsTheReference) {
  ModelFile bounded, plain;
  bounded.graph = relu6_net(3);
  plain.graph = relu6_net(3, 0);
  const Policy policy = uniform_policy(3, 8, 8);
  const Calibration cb = calibrate(bounded.graph, images(8, 4), policy);
  const Calibration cp = calibrate(plain.graph, images(8, 4), policy);
  EXPECT_GT(cp.act_clip.at("conv1"), 6.f) << "unbounded, the clip goes past 6";
  EXPECT_EQ(cb.act_clip.at("conv1"), 6.f);
  EXPECT_EQ(cb.act_clip.at("dw"), 6.f);
  // A calibration from elsewhere with a larger clip is bounded when quantizing.
  Calibration wide = cb;
  wide.act_clip["conv1"] = 20.f;
  const QuantizedNetwork q = quantize(bounded.graph, policy, cb), qw = quantize(bounded.graph, policy, wide);
  EXPECT_EQ(q.tensors[size_t(q.ops[size_t(q.layers[0])].output)].scale,
            qw.tensors[size_t(qw.ops[size_t(qw.layers[0])].output)].scale);
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  Soc soc("soc", arch);
  const CompileResult compiled = compile(q, arch, {});
  soc.load(compiled.image, "relu6");
  ReferenceExecutor reference(q);
  std::mt19937 rng(5);
  for (int image = 0; image < 3; ++image) {
    const std::vector<int8_t> x = test::random_image(rng, q);
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
    ASSERT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x));
  }
}

TEST(BoundedRelu, TrainingKeepsTheClipWithinTheBound) {
  Graph g = relu6_net(6);
  const Policy policy = uniform_policy(3, 8, 8);
  Calibration c = calibrate(g, images(8, 7), policy);
  const Dataset d = test::synthetic_bars(128, 8);
  training::Network net(g, 64, 1, 2, &policy, &c);
  training::SgdParams sp;
  sp.lr = 0.5f;
  sp.scale_lr_factor = 100.f;  // steps large enough to push the clip past the bound
  for (int s = 0; s < 2; ++s) {
    net.forward(d.image(size_t(s) * 64), 64, true);
    net.loss_backward(d.labels.data() + size_t(s) * 64);
    net.sgd_step(sp);
  }
  const Calibration after = net.calibration();
  EXPECT_LE(after.act_clip.at("conv1"), 6.f);
  EXPECT_LE(after.act_clip.at("dw"), 6.f);
}

TEST(BoundedRelu, TheModelFileAndOnnxKeepTheBound) {
  ModelFile model;
  model.graph = relu6_net(9);
  model.random_weights = true;
  const ModelFile back = parse_model(serialize_model(model), "relu6.cimvp");
  EXPECT_EQ(back.graph.nodes[2].max, 6.f);
  model.policy = uniform_policy(3, 8, 8);
  model.calibration = calibrate(model.graph, images(4, 10), model.policy);
  const OnnxImport im = import_onnx_bytes(export_onnx_bytes(model), "relu6.onnx");  // as Clip; runs the checker
  const QuantizedNetwork a = quantize(model.graph, model.policy, model.calibration);
  const QuantizedNetwork b = quantize(im.model.graph, im.model.policy, im.model.calibration);
  ReferenceExecutor ra(a), rb(b);
  std::mt19937 rng(11);
  const std::vector<int8_t> x = test::random_image(rng, a);
  EXPECT_EQ(ra.run(x), rb.run(x));
  bool bounded = false;
  for (const Node& n : im.model.graph.nodes) bounded = bounded || (n.kind == OpKind::Relu && n.max == 6.f);
  EXPECT_TRUE(bounded);
}

TEST(BoundedRelu, BadBoundsAreRefusedNamingTheNode) {
  Graph g;
  const int x = g.add_input("input", {1, 8, 8});
  try {
    g.add_relu("r", g.add_conv("c", x, 2, 3), -1.f);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'r'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("max must be 0 (none) or positive"), std::string::npos) << e.what();
  }
}

// A bounded ReLU that no producer's requantization can take is a Clip(0, 6)
// table into a domain of its own, bounded by 6.
TEST(BoundedRelu, OneNoProducerTakesIsATable) {
  Graph h;
  int y = h.add_input("input", {1, 8, 8});
  y = h.add_relu("r1", h.add_conv("c", y, 2, 3));
  y = h.add_relu("r2", h.add_maxpool("p", y, 2, 2), 6.f);
  h.add_dense("fc", y, 3);
  const ActivationPlan plan = plan_activations(h, uniform_policy(2, 8, 8));
  const ActDomain& d = plan.domains[size_t(plan.domain_of[size_t(h.find("r2"))])];
  EXPECT_EQ(d.name, "r2");
  EXPECT_FALSE(d.is_signed);
  EXPECT_EQ(d.max, 6.f);
}

}  // namespace
}  // namespace cimvp
