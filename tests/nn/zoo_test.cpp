// Zoo models: shapes, quantizable layer counts and order, determinism.
#include <gtest/gtest.h>

#include "common/error.h"
#include "nn/zoo.h"

using namespace cimvp;

namespace {

struct LayerInfo {
  OpKind kind;
  int in, out, k, stride;
  Shape shape;
};

std::vector<LayerInfo> layers(const Graph& g) {
  std::vector<LayerInfo> out;
  for (int i : g.quantizable_layers()) {
    const Node& n = g.nodes[size_t(i)];
    out.push_back({n.kind, n.in_channels, n.out_channels, n.kernel, n.stride, n.shape});
  }
  return out;
}

int count(const std::vector<LayerInfo>& l, OpKind k) {
  int c = 0;
  for (const auto& x : l) c += x.kind == k;
  return c;
}

}  // namespace

TEST(Zoo, NamesAndUnknownModel) {
  EXPECT_EQ(zoo_names(), (std::vector<std::string>{"lenet5", "vgg-small", "resnet-small", "vgg16", "resnet18",
                                                   "mobilenet-small"}));
  try {
    make_model("alexnet");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("alexnet"), std::string::npos);
    for (const auto& n : zoo_names()) EXPECT_NE(m.find(n), std::string::npos) << m;
  }
}

// mobilenet-small's parameters counted by hand from its blocks (nn/zoo.h):
// a convolution has out * in / groups * k * k weights and out biases, a
// batch norm four values per channel.
TEST(Zoo, MobilenetSmallIsTheDocumentedNetwork) {
  auto conv = [](int64_t in, int64_t out, int64_t k, int64_t groups) { return out * in / groups * k * k + out; };
  auto bn = [](int64_t c) { return 4 * c; };
  auto block = [&](int64_t in, int64_t expand, int64_t out, bool se) {
    int64_t n = conv(in, expand, 1, 1) + bn(expand) + conv(expand, expand, 3, expand) + bn(expand);
    if (se) n += conv(expand, expand / 4, 1, 1) + conv(expand / 4, expand, 1, 1);
    return n + conv(expand, out, 1, 1) + bn(out);
  };
  const int64_t want = conv(1, 16, 3, 1) + bn(16) + conv(16, 16, 3, 16) + bn(16) + conv(16, 24, 1, 1) + bn(24) +
                       block(24, 72, 24, false) + block(24, 72, 40, true) + block(40, 120, 40, true) +
                       block(40, 160, 64, true) + conv(64, 256, 1, 1) + bn(256) + 256 * 10 + 10;
  const Graph g = make_model("mobilenet-small", 1);
  EXPECT_EQ(g.parameter_count(), want);
  EXPECT_EQ(g.quantizable_layers().size(), 23u);
  EXPECT_EQ(g.output_shape(), (Shape{10, 1, 1}));
  ASSERT_GE(g.find("block4_add"), 0);
  EXPECT_EQ(g.nodes[size_t(g.find("block4_add"))].shape, (Shape{40, 7, 7}));
  EXPECT_EQ(g.find("block5_add"), -1) << "no residual where the channels change";
  EXPECT_NO_THROW(g.check_grouped_weights()) << "the depthwise layers start with zeros across groups";
  EXPECT_EQ(make_model_structure("mobilenet-small").parameter_count(), want);
}

TEST(Zoo, Lenet5MatchesTheTorchReference) {
  const Graph g = make_model("lenet5");
  const auto l = layers(g);
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[0].shape, (Shape{6, 28, 28}));
  EXPECT_EQ(l[1].shape, (Shape{16, 10, 10}));
  EXPECT_EQ(l[2].in, 400);
  EXPECT_EQ(l[2].out, 120);
  EXPECT_EQ(l[3].out, 84);
  EXPECT_EQ(l[4].out, 10);
  EXPECT_EQ(g.output_shape(), (Shape{10, 1, 1}));
  // torch: 6*25+6 + 16*150+16 + 400*120+120 + 120*84+84 + 84*10+10
  EXPECT_EQ(g.parameter_count(), 156 + 2416 + 48120 + 10164 + 850);
}

TEST(Zoo, VggSmall) {
  const Graph g = make_model("vgg-small");
  const auto l = layers(g);
  ASSERT_GE(l.size(), 8u);
  ASSERT_LE(l.size(), 10u);
  EXPECT_EQ(count(l, OpKind::Conv2d), 6);
  EXPECT_EQ(count(l, OpKind::Dense), 2);
  EXPECT_EQ(l.back().out, 10);
  EXPECT_EQ(g.input_shape(), (Shape{1, 28, 28}));
  EXPECT_TRUE(has_batch_norm(g));
}

TEST(Zoo, ResnetSmall) {
  const Graph g = make_model("resnet-small");
  const auto l = layers(g);
  EXPECT_EQ(l.size(), 10u);  // stem, 2 + 3 + 3 block convs (2 downsample), fc
  int adds = 0;
  for (const Node& n : g.nodes) adds += n.kind == OpKind::Add;
  EXPECT_EQ(adds, 3);
  EXPECT_EQ(l.back().kind, OpKind::Dense);
  EXPECT_EQ(l.back().in, 64);
  EXPECT_EQ(g.output_shape(), (Shape{10, 1, 1}));
}

TEST(Zoo, Vgg16Has13ConvsThen3Dense) {
  const Graph g = make_model("vgg16");
  const auto l = layers(g);
  ASSERT_EQ(l.size(), 16u);
  for (int i = 0; i < 13; ++i) {
    EXPECT_EQ(l[size_t(i)].kind, OpKind::Conv2d);
    EXPECT_EQ(l[size_t(i)].k, 3);
  }
  for (int i = 13; i < 16; ++i) EXPECT_EQ(l[size_t(i)].kind, OpKind::Dense);
  EXPECT_EQ(l[0].shape, (Shape{64, 224, 224}));
  EXPECT_EQ(l[12].shape, (Shape{512, 14, 14}));
  EXPECT_EQ(l[13].in, 25088);
  EXPECT_EQ(l[13].out, 4096);
  EXPECT_EQ(l[15].out, 1000);
  EXPECT_EQ(g.parameter_count(), 138357544);  // torchvision vgg16
}

TEST(Zoo, Resnet18Has21QuantizableLayers) {
  const Graph g = make_model("resnet18");
  const auto l = layers(g);
  ASSERT_EQ(l.size(), 21u);  // 1 stem + 16 block convs + 3 downsample + 1 fc
  EXPECT_EQ(l[0].k, 7);
  EXPECT_EQ(l[0].shape, (Shape{64, 112, 112}));
  int downsample = 0;
  for (const auto& x : l) downsample += x.kind == OpKind::Conv2d && x.k == 1;
  EXPECT_EQ(downsample, 3);
  // layer2_0: conv1 (stride 2), conv2, then its downsample (PyTorch module order)
  EXPECT_EQ(l[5].stride, 2);
  EXPECT_EQ(l[5].shape, (Shape{128, 28, 28}));
  EXPECT_EQ(l[7].k, 1);
  EXPECT_EQ(l[7].stride, 2);
  EXPECT_EQ(l[19].shape, (Shape{512, 7, 7}));
  EXPECT_EQ(l[20].in, 512);
  EXPECT_EQ(l[20].out, 1000);
  // torchvision resnet18 has 11,689,512 parameters; we add a bias to each of the
  // 20 convolutions (4,800 channels, all followed by BN) and count the BN
  // running mean and variance (2 x 4,800).
  EXPECT_EQ(g.parameter_count(), 11689512 + 4800 + 9600);
}

TEST(Zoo, SeedsAreDeterministicAndDistinct) {
  const Graph a = make_model("lenet5", 7), b = make_model("lenet5", 7), c = make_model("lenet5", 8);
  EXPECT_EQ(a.nodes[1].weight, b.nodes[1].weight);
  EXPECT_NE(a.nodes[1].weight, c.nodes[1].weight);
  // He-uniform: variance 2 / fan_in.
  const Node& fc1 = a.nodes[size_t(a.find("fc1"))];
  double s2 = 0;
  for (float w : fc1.weight) s2 += double(w) * w;
  EXPECT_NEAR(s2 / double(fc1.weight.size()), 2.0 / 400, 0.1 * 2.0 / 400);
}
