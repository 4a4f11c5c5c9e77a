#include "nn/zoo.h"

#include <cmath>

#include "common/error.h"

namespace cimvp {

namespace {

// splitmix64: fast and good enough for initialization; vgg16 has 138M weights.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }  // [0, 1)
};

// conv + BN + ReLU (ReLU6 with max 6: MobileNet's bounded activation), returns the ReLU.
int conv_bn_relu(Graph& g, const std::string& name, int x, int out, int k, int stride, int pad, int groups = 1,
                 float max = 0) {
  x = g.add_conv(name, x, out, k, stride, pad, groups);
  x = g.add_batchnorm(name + "_bn", x);
  return g.add_relu(name + (max > 0 ? "_relu6" : "_relu"), x, max);
}

Graph lenet5(bool structure_only) {
  Graph g;
  g.structure_only = structure_only;
  g.name = "lenet5";
  int x = g.add_input("input", {1, 28, 28});
  x = g.add_conv("conv1", x, 6, 5, 1, 2);
  x = g.add_relu("relu1", x);
  x = g.add_maxpool("pool1", x, 2, 2);
  x = g.add_conv("conv2", x, 16, 5);
  x = g.add_relu("relu2", x);
  x = g.add_maxpool("pool2", x, 2, 2);
  x = g.add_flatten("flatten", x);
  x = g.add_dense("fc1", x, 120);
  x = g.add_relu("relu3", x);
  x = g.add_dense("fc2", x, 84);
  x = g.add_relu("relu4", x);
  g.add_dense("fc3", x, 10);
  return g;
}

Graph vgg_small(bool structure_only) {
  Graph g;
  g.structure_only = structure_only;
  g.name = "vgg-small";
  int x = g.add_input("input", {1, 28, 28});
  x = conv_bn_relu(g, "conv1", x, 16, 3, 1, 1);
  x = conv_bn_relu(g, "conv2", x, 32, 3, 1, 1);
  x = g.add_maxpool("pool1", x, 2, 2);  // 14x14
  x = conv_bn_relu(g, "conv3", x, 32, 3, 1, 1);
  x = conv_bn_relu(g, "conv4", x, 64, 3, 1, 1);
  x = g.add_maxpool("pool2", x, 2, 2);  // 7x7
  x = conv_bn_relu(g, "conv5", x, 64, 3, 1, 1);
  x = conv_bn_relu(g, "conv6", x, 128, 3, 1, 1);
  x = g.add_maxpool("pool3", x, 2, 2);  // 3x3
  x = g.add_flatten("flatten", x);      // 1152
  x = g.add_dense("fc1", x, 256);
  x = g.add_relu("fc1_relu", x);
  g.add_dense("fc2", x, 10);
  return g;
}

// A ResNet basic block: conv3x3-BN-ReLU, conv3x3-BN, (1x1 conv-BN downsample), add, ReLU.
int basic_block(Graph& g, const std::string& name, int x, int out, int stride) {
  const int in = g.nodes[size_t(x)].shape.c;
  int y = conv_bn_relu(g, name + "_conv1", x, out, 3, stride, 1);
  y = g.add_conv(name + "_conv2", y, out, 3, 1, 1);
  y = g.add_batchnorm(name + "_conv2_bn", y);
  int shortcut = x;
  if (stride != 1 || in != out) {
    shortcut = g.add_conv(name + "_downsample", x, out, 1, stride, 0);
    shortcut = g.add_batchnorm(name + "_downsample_bn", shortcut);
  }
  y = g.add_add(name + "_add", y, shortcut);
  return g.add_relu(name + "_relu", y);
}

Graph resnet_small(bool structure_only) {
  Graph g;
  g.structure_only = structure_only;
  g.name = "resnet-small";
  int x = g.add_input("input", {1, 28, 28});
  x = conv_bn_relu(g, "stem", x, 16, 3, 1, 1);
  x = basic_block(g, "block1", x, 16, 1);  // 28x28
  x = basic_block(g, "block2", x, 32, 2);  // 14x14
  x = basic_block(g, "block3", x, 64, 2);  // 7x7
  x = g.add_global_avgpool("gap", x);
  g.add_dense("fc", x, 10);
  return g;
}

int conv_bn_relu6(Graph& g, const std::string& name, int x, int out, int k, int stride, int pad, int groups = 1) {
  return conv_bn_relu(g, name, x, out, k, stride, pad, groups, 6.f);
}

// Squeeze-and-excitation (MobileNetV3's): global average, 1x1 conv to a
// quarter of the channels + ReLU, 1x1 conv back + hard sigmoid, then each
// channel of x times its factor.
int squeeze_excite(Graph& g, const std::string& name, int x) {
  const int c = g.nodes[size_t(x)].shape.c;
  int s = g.add_global_avgpool(name + "_squeeze", x);
  s = g.add_relu(name + "_reduce_relu", g.add_conv(name + "_reduce", s, c / 4, 1));
  s = g.add_activation(name + "_gate", g.add_conv(name + "_expand", s, c, 1), Activation::HardSigmoid);
  return g.add_mul(name + "_excite", x, s);
}

// An inverted residual block (MobileNetV2/V3): 1x1 expansion + ReLU6,
// depthwise 3x3 + ReLU6, optional squeeze-and-excitation, 1x1 projection
// (linear), and the residual when the shape is kept.
int inverted_residual(Graph& g, const std::string& name, int x, int expand, int out, int stride, bool se) {
  const Shape in = g.nodes[size_t(x)].shape;
  int y = conv_bn_relu6(g, name + "_expand", x, expand, 1, 1, 0);
  y = conv_bn_relu6(g, name + "_dw", y, expand, 3, stride, 1, expand);
  if (se) y = squeeze_excite(g, name + "_se", y);
  y = g.add_batchnorm(name + "_project_bn", g.add_conv(name + "_project", y, out, 1));
  return stride == 1 && in.c == out ? g.add_add(name + "_add", y, x) : y;
}

// A MobileNet-style network for 28 x 28 images: depthwise-separable blocks,
// ReLU6, residuals and squeeze-and-excitation (docs/pretrained.md).
Graph mobilenet_small(bool structure_only) {
  Graph g;
  g.structure_only = structure_only;
  g.name = "mobilenet-small";
  int x = g.add_input("input", {1, 28, 28});
  x = conv_bn_relu6(g, "stem", x, 16, 3, 1, 1);                 // 16x28x28
  x = conv_bn_relu6(g, "block1_dw", x, 16, 3, 2, 1, 16);        // 16x14x14
  x = g.add_batchnorm("block1_project_bn", g.add_conv("block1_project", x, 24, 1));
  x = inverted_residual(g, "block2", x, 72, 24, 1, false);      // 24x14x14
  x = inverted_residual(g, "block3", x, 72, 40, 2, true);       // 40x7x7
  x = inverted_residual(g, "block4", x, 120, 40, 1, true);      // 40x7x7
  x = inverted_residual(g, "block5", x, 160, 64, 1, true);      // 64x7x7
  x = conv_bn_relu6(g, "head", x, 256, 1, 1, 0);
  x = g.add_global_avgpool("gap", x);
  g.add_dense("fc", x, 10);
  return g;
}

Graph vgg16(bool structure_only) {
  Graph g;
  g.structure_only = structure_only;
  g.name = "vgg16";
  int x = g.add_input("input", {3, 224, 224});
  const int cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  int conv = 0, pool = 0;
  for (int c : cfg) {
    if (c == 0) {
      x = g.add_maxpool("pool" + std::to_string(++pool), x, 2, 2);
    } else {
      const std::string n = "conv" + std::to_string(++conv);
      x = g.add_conv(n, x, c, 3, 1, 1);
      x = g.add_relu(n + "_relu", x);
    }
  }
  x = g.add_flatten("flatten", x);  // 512x7x7 = 25088
  x = g.add_dense("fc1", x, 4096);
  x = g.add_relu("fc1_relu", x);
  x = g.add_dense("fc2", x, 4096);
  x = g.add_relu("fc2_relu", x);
  g.add_dense("fc3", x, 1000);
  return g;
}

Graph resnet18(bool structure_only) {
  Graph g;
  g.structure_only = structure_only;
  g.name = "resnet18";
  int x = g.add_input("input", {3, 224, 224});
  x = conv_bn_relu(g, "conv1", x, 64, 7, 2, 3);  // 112x112
  x = g.add_maxpool("maxpool", x, 3, 2, 1);       // 56x56
  const int widths[] = {64, 128, 256, 512};
  for (int s = 0; s < 4; ++s)
    for (int b = 0; b < 2; ++b) {
      const std::string n = "layer" + std::to_string(s + 1) + "_" + std::to_string(b);
      x = basic_block(g, n, x, widths[s], (s > 0 && b == 0) ? 2 : 1);
    }
  x = g.add_global_avgpool("avgpool", x);
  g.add_dense("fc", x, 1000);
  return g;
}

struct Entry {
  const char* name;
  Graph (*build)(bool structure_only);
};
const Entry kZoo[] = {
    {"lenet5", lenet5}, {"vgg-small", vgg_small}, {"resnet-small", resnet_small},
    {"vgg16", vgg16},   {"resnet18", resnet18}, {"mobilenet-small", mobilenet_small},
};

}  // namespace

std::vector<std::string> zoo_names() {
  std::vector<std::string> out;
  for (const auto& e : kZoo) out.push_back(e.name);
  return out;
}

bool is_zoo_model(const std::string& name) {
  for (const auto& e : kZoo)
    if (name == e.name) return true;
  return false;
}

void init_weights(Graph& g, uint64_t seed) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    Rng rng{seed * 0x2545f4914f6cdd1dull + i * 0x9e3779b97f4a7c15ull + 1};
    if (n.quantizable()) {  // a grouped convolution's weights across groups stay 0
      const int groups = n.kind == OpKind::Conv2d ? n.groups : 1;
      const double fan_in = double(n.weight.size()) / n.out_channels / groups;
      const float bound = float(std::sqrt(6.0 / fan_in));
      const size_t per_output = n.weight.size() / size_t(n.out_channels);
      const size_t taps = per_output / size_t(std::max(1, n.in_channels));
      for (size_t j = 0; j < n.weight.size(); ++j) {
        const float w = (2.f * rng.uniform() - 1.f) * bound;  // drawn for every weight: the same stream as before
        n.weight[j] = groups == 1 || n.connects(int(j / per_output), int(j % per_output / taps)) ? w : 0.f;
      }
      std::fill(n.bias.begin(), n.bias.end(), 0.f);
    } else if (n.kind == OpKind::BatchNorm) {
      std::fill(n.weight.begin(), n.weight.end(), 1.f);
      std::fill(n.bias.begin(), n.bias.end(), 0.f);
      std::fill(n.mean.begin(), n.mean.end(), 0.f);
      std::fill(n.var.begin(), n.var.end(), 1.f);
    }
  }
}

Graph make_model(const std::string& name, uint64_t seed) { return make_model(name, seed, true); }

Graph make_model_structure(const std::string& name) { return make_model(name, 0, false); }

Graph make_model(const std::string& name, uint64_t seed, bool with_weights) {
  for (const auto& e : kZoo)
    if (name == e.name) {
      Graph g = e.build(!with_weights);
      if (with_weights) init_weights(g, seed);
      return g;
    }
  std::string valid;
  for (const auto& e : kZoo) valid += std::string(valid.empty() ? "" : ", ") + e.name;
  throw Error("unknown model '" + name + "' (the zoo has: " + valid + ")");
}

}  // namespace cimvp
