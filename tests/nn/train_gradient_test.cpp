// Every layer's backward against central finite differences of the loss, on
// small graphs that use every layer kind (conv with stride and padding, batch
// norm in training mode, ReLU, max/avg/global-average pooling with padding,
// residual add, flatten, dense), with batches split unevenly over 2 shards.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "common/error.h"
#include "nn/graph.h"
#include "nn/train/network.h"
#include "nn/zoo.h"

using namespace cimvp;
using training::Network;

namespace {

void randomize(Graph& g, uint64_t seed) {
  init_weights(g, seed);
  std::mt19937 rng{uint32_t(seed)};
  std::uniform_real_distribution<float> u(-0.3f, 0.3f);
  for (Node& n : g.nodes) {
    for (float& b : n.bias) b = u(rng);  // non-zero biases and BN betas
    if (n.kind == OpKind::BatchNorm)
      for (float& w : n.weight) w = 1.f + u(rng);
  }
}

// Checks d loss / d param for up to `per_param` entries of every parameter.
// With `distill`, of the distillation loss against random teacher logits.
void check_gradients(Graph g, int batch, uint64_t seed, int per_param = 12, bool distill = false) {
  randomize(g, seed);
  const size_t in = size_t(g.input_shape().size());
  std::mt19937 rng{uint32_t(seed) + 7};
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(in * static_cast<size_t>(batch));
  for (float& v : x) v = u(rng);
  std::vector<uint8_t> y(static_cast<size_t>(batch));
  for (auto& l : y) l = uint8_t(rng() % uint32_t(g.output_shape().size()));

  std::vector<float> teacher(size_t(g.output_shape().size()) * static_cast<size_t>(batch));
  for (float& v : teacher) v = 3.f * u(rng);
  training::Distillation kd{teacher.data(), 0.7f, 2.5f};
  const training::Distillation* kd_or_null = distill ? &kd : nullptr;

  Network net(g, batch, 2, 2);
  net.forward(x.data(), batch, true);
  net.loss_backward(y.data(), nullptr, kd_or_null);
  auto params = net.params();
  std::vector<std::vector<float>> grads;
  for (auto& p : params) grads.emplace_back(p.grad, p.grad + p.size);
  auto loss_at = [&] {
    net.forward(x.data(), batch, true);
    return net.loss(y.data(), nullptr, kd_or_null);
  };
  // Central differences at two step sizes: ReLU and max-pool kinks within a
  // step of a value bend one of them; a wrong backward misses both. A few
  // kink-hit entries out of many are tolerated, a wrong layer fails most.
  int checked = 0, failed = 0;
  for (size_t pi = 0; pi < params.size(); ++pi) {
    auto& p = params[pi];
    for (int t = 0; t < per_param; ++t) {
      const size_t k = p.size <= size_t(per_param) ? size_t(t) : size_t(rng() % p.size);
      if (k >= p.size) break;
      const double an = grads[pi][k];
      bool ok = false;
      double fd = 0;
      for (float eps : {2e-3f, 4e-4f}) {
        const float old = p.value[k];
        p.value[k] = old + eps;
        const double lp = loss_at();
        p.value[k] = old - eps;
        const double lm = loss_at();
        p.value[k] = old;
        fd = (lp - lm) / (2.0 * eps);
        ok |= std::fabs(an - fd) <= 1e-3 + 3e-2 * std::fabs(fd);
      }
      if (!ok) {
        ++failed;
        std::fprintf(stderr, "gradient differs: %s[%zu] analytic %g numeric %g\n", p.name.c_str(), k, an, fd);
      }
      ++checked;
    }
  }
  EXPECT_LE(failed * 50, checked) << failed << " of " << checked << " gradients differ";
  EXPECT_GT(checked, 20);
}

}  // namespace

TEST(TrainGradient, ConvBatchNormResidualPoolsDense) {
  Graph g;
  g.name = "grad1";
  int x = g.add_input("input", {2, 7, 7});
  x = g.add_conv("c1", x, 4, 3, 1, 1);
  x = g.add_batchnorm("c1_bn", x);
  int r = g.add_relu("c1_relu", x);
  int b = g.add_conv("c2", r, 4, 3, 1, 1);
  x = g.add_add("add", r, b);
  x = g.add_maxpool("mp", x, 3, 2, 1);  // 4x4x4
  x = g.add_conv("c3", x, 3, 2, 2, 0);  // 3x2x2
  x = g.add_relu("c3_relu", x);
  x = g.add_avgpool("ap", x, 2, 1, 1);  // 3x3x3
  x = g.add_flatten("flat", x);
  x = g.add_dense("d1", x, 6);
  x = g.add_relu("d1_relu", x);
  g.add_dense("d2", x, 4);
  check_gradients(g, 3, 11);
}

TEST(TrainGradient, StridedConvGlobalPool) {
  Graph g;
  g.name = "grad2";
  int x = g.add_input("input", {1, 9, 9});
  x = g.add_conv("c1", x, 3, 3, 2, 1);  // 3x5x5
  x = g.add_relu("r1", x);
  x = g.add_conv("c2", x, 5, 1, 1, 0);  // 1x1 conv
  x = g.add_batchnorm("bn2", x);
  x = g.add_relu("r2", x);
  x = g.add_global_avgpool("gap", x);
  g.add_dense("fc", x, 3);
  check_gradients(g, 5, 4);
}

TEST(TrainGradient, ConcatAndCeilModePool) {
  Graph g;
  g.name = "grad3";
  int x = g.add_input("input", {2, 8, 8});
  x = g.add_relu("r0", g.add_conv("c0", x, 3, 3, 1, 1));
  x = g.add_maxpool("mp", x, 3, 2, 0, true);  // 3x4x4 (floor mode: 3x3x3)
  const int a = g.add_relu("ra", g.add_conv("ca", x, 2, 1, 1, 0));
  const int b = g.add_conv("cb", x, 3, 3, 1, 1);
  x = g.add_concat("cat", {a, b, a});  // one input twice: its gradients add
  x = g.add_flatten("flat", x);
  g.add_dense("fc", x, 4);
  check_gradients(g, 3, 12);
}

TEST(TrainGradient, ActivationsAndSqueezeExcitation) {
  Graph g;
  g.name = "grad4";
  int x = g.add_input("input", {2, 6, 6});
  x = g.add_activation("hs", g.add_conv("c0", x, 4, 3, 1, 1), Activation::HardSwish);
  int s = g.add_global_avgpool("sq", x);
  s = g.add_activation("gate", g.add_conv("se", s, 4, 1), Activation::Sigmoid);
  x = g.add_mul("excite", x, s);
  x = g.add_activation("silu", g.add_conv("c1", x, 3, 3, 2, 1), Activation::Silu);
  x = g.add_mul("square", x, x);  // one input twice: both gradients add
  x = g.add_activation("hsig", x, Activation::HardSigmoid);
  g.add_dense("fc", x, 4);
  check_gradients(g, 3, 13);
}

TEST(TrainGradient, NonSquareKernels) {
  Graph g;
  g.name = "grad5";
  int x = g.add_input("input", {2, 7, 6});
  x = g.add_relu("r1", g.add_conv_rect("c1x3", x, 3, 1, 3, 1, 0, 1));
  x = g.add_relu("r2", g.add_conv_rect("c3x1", x, 3, 3, 1, 2, 1, 0));
  g.add_dense("fc", x, 4);
  check_gradients(g, 3, 14);
}

TEST(TrainGradient, ChannelPicks) {
  Graph g;
  g.name = "grad6";
  int x = g.add_input("input", {2, 5, 5});
  x = g.add_relu("r0", g.add_conv("c0", x, 6, 3, 1, 1));
  const int a = g.add_channels("half", x, {3, 4, 5});
  const int b = g.add_conv("c1", a, 3, 1);
  x = g.add_channels("mix", g.add_concat("cat", {x, b}), {8, 0, 2, 2, 7});  // a channel twice: its gradients add
  g.add_dense("fc", x, 4);
  check_gradients(g, 3, 15);
}

// Grouped convolutions multiply group by group (network.cpp, ConvGroups):
// depthwise, and 2 groups of 2 inputs to 3 outputs each, strided; then a
// dilated convolution.
TEST(TrainGradient, GroupedAndDepthwiseConvolutions) {
  Graph g;
  g.name = "grad7";
  int x = g.add_input("input", {4, 6, 6});
  x = g.add_relu("r1", g.add_conv("dw", x, 4, 3, 1, 1, 4));
  x = g.add_relu("r2", g.add_conv("g2", x, 6, 3, 2, 1, 2));
  x = g.add_relu("r3", g.add_conv_rect("dilated", x, 4, 2, 2, 1, 1, 1, 1, 2));  // taps 2 apart
  g.add_dense("fc", x, 4);
  check_gradients(g, 3, 16, 60);
}

// Rectangular pool windows, a max pool's taps 2 apart.
TEST(TrainGradient, RectangularAndDilatedPools) {
  Graph g;
  g.name = "grad8";
  int x = g.add_input("input", {2, 9, 8});
  x = g.add_conv("conv", x, 3, 3, 1, 1);
  x = g.add_maxpool("max", x, 3, 1, 1);
  g.nodes[size_t(x)].kernel_w = 2, g.nodes[size_t(x)].dilation = 2;
  x = g.add_avgpool("avg", x, 2, 2, 0);
  g.nodes[size_t(x)].kernel_w = 3, g.nodes[size_t(x)].padding_w = 1;
  g.infer_shapes();  // before the dense takes its input's size
  g.add_dense("fc", x, 4);
  check_gradients(g, 3, 17, 60);
}

// Padding: a constant border, a reflection (sources reached twice), edge copies.
TEST(TrainGradient, Pads) {
  for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge}) {
    Graph g;
    g.name = "grad9";
    int x = g.add_input("input", {2, 5, 4});
    x = g.add_conv("conv", x, 3, 3, 1, 1);
    PadSpec p;
    p.top = 1, p.left = 2, p.bottom = 2, p.right = 1, p.mode = mode, p.value = 0.5f;
    x = g.add_pad("pad", x, p);
    x = g.add_conv("conv2", x, 2, 3, 2, 0);
    g.add_dense("fc", x, 4);
    check_gradients(g, 3, 18, 40);
  }
}

// A softmax over each row inside the network, a log-softmax as the output
// (the loss reads log-probabilities as logits); a softmax output is refused.
TEST(TrainGradient, Softmaxes) {
  Graph g;
  g.name = "grad10";
  int x = g.add_input("input", {2, 4, 5});
  x = g.add_conv("conv", x, 3, 3, 1, 1);
  x = g.add_softmax("rows", x, SoftmaxAxis::Width);
  x = g.add_dense("fc", x, 4);
  g.add_softmax("scores", x, SoftmaxAxis::Channels, true);
  check_gradients(g, 3, 19, 40);
  g.nodes.back().log = false;
  try {
    Network net(g, 2, 1, 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'scores' (softmax) is the output"), std::string::npos) << e.what();
  }
}

TEST(TrainGradient, Lenet5) { check_gradients(make_model("lenet5", 2), 4, 5, 6); }

TEST(TrainGradient, Lenet5WithDistillation) { check_gradients(make_model("lenet5", 2), 5, 9, 6, true); }

// A distillation weight of 0 is the plain cross-entropy, to the bit; the
// teacher's term changes the loss when it counts.
TEST(TrainGradient, DistillationAtWeightZeroIsTheCrossEntropy) {
  Graph g = make_model("lenet5", 2);
  randomize(g, 3);
  const int batch = 3;
  std::vector<float> x(size_t(g.input_shape().size()) * batch, 0.25f);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 7) - 3) * 0.1f;
  const std::vector<uint8_t> y{1, 4, 9};
  std::vector<float> teacher(size_t(g.output_shape().size()) * batch);
  for (size_t i = 0; i < teacher.size(); ++i) teacher[i] = float(i % 5);
  Network net(g, batch, 2, 2);
  net.forward(x.data(), batch, true);
  const double plain = net.loss(y.data());
  training::Distillation off{teacher.data(), 0.f, 1.f}, on{teacher.data(), 0.5f, 1.f};
  EXPECT_EQ(net.loss(y.data(), nullptr, &off), plain);
  EXPECT_NE(net.loss(y.data(), nullptr, &on), plain);
  training::Distillation bad{teacher.data(), 1.5f, 1.f};
  EXPECT_THROW(net.loss(y.data(), nullptr, &bad), Error);
}

TEST(TrainGradient, ResnetSmallBlock) {
  // resnet-small's structure (basic blocks with a strided 1x1 downsample) on a smaller input.
  Graph g;
  g.name = "resblock";
  int x = g.add_input("input", {1, 8, 8});
  x = g.add_conv("stem", x, 4, 3, 1, 1);
  x = g.add_batchnorm("stem_bn", x);
  x = g.add_relu("stem_relu", x);
  int y = g.add_conv("b_conv1", x, 6, 3, 2, 1);
  y = g.add_batchnorm("b_conv1_bn", y);
  y = g.add_relu("b_conv1_relu", y);
  y = g.add_conv("b_conv2", y, 6, 3, 1, 1);
  y = g.add_batchnorm("b_conv2_bn", y);
  int s = g.add_conv("b_down", x, 6, 1, 2, 0);
  s = g.add_batchnorm("b_down_bn", s);
  x = g.add_add("b_add", y, s);
  x = g.add_relu("b_relu", x);
  x = g.add_global_avgpool("gap", x);
  g.add_dense("fc", x, 5);
  check_gradients(g, 4, 9);
}

TEST(TrainGradient, EvalModeBatchNormUsesRunningStatistics) {
  Graph g;
  g.name = "bn";
  int x = g.add_input("input", {1, 2, 2});
  x = g.add_conv("c", x, 2, 1, 1, 0);
  x = g.add_batchnorm("bn", x);
  g.add_flatten("f", x);
  init_weights(g, 1);
  g.nodes[2].mean = {0.5f, -1.f};
  g.nodes[2].var = {4.f, 0.25f};
  Network net(g, 1, 1, 2);
  const std::vector<float> img = {1, 2, 3, 4};
  net.forward(img.data(), 1, false);
  const std::vector<float> ref = forward(g, img);  // the graph's golden forward
  for (int k = 0; k < 8; ++k) EXPECT_NEAR(net.output(0)[k], ref[size_t(k)], 1e-5) << k;
}
