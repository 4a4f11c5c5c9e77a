// Random test data for networks: integer input images for a quantized
// network, float images for a graph, mixed-precision policies, and random
// BatchNorm statistics and biases (so that folding and biases matter).
#pragma once

#include <random>
#include <vector>

#include "nn/graph.h"
#include "nn/policy.h"
#include "nn/quant.h"

namespace cimvp::test {

// Every element uniform over the input tensor's integer range.
inline std::vector<int8_t> random_image(std::mt19937& rng, const QuantizedNetwork& q) {
  const QTensor& t = q.input_tensor();
  std::uniform_int_distribution<int> v(t.lo(), t.hi());
  std::vector<int8_t> x(size_t(t.shape.size()));
  for (auto& e : x) e = int8_t(v(rng));
  return x;
}

// `n` float images of `s`, every value uniform in [0, 1).
inline std::vector<std::vector<float>> random_images(Shape s, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<std::vector<float>> out(size_t(n), std::vector<float>(size_t(s.size())));
  for (auto& im : out)
    for (float& v : im) v = u(rng);
  return out;
}

// Weight and activation bits uniform in 1..8, layer after layer.
inline Policy random_policy(std::mt19937& rng, size_t layers) {
  std::uniform_int_distribution<int> bits(1, 8);
  Policy p;
  for (size_t i = 0; i < layers; ++i) {
    p.weight_bits.push_back(bits(rng));
    p.activation_bits.push_back(bits(rng));
  }
  return p;
}
inline Policy random_policy(size_t layers, uint32_t seed) {
  std::mt19937 rng(seed);
  return random_policy(rng, layers);
}

// Random BatchNorm statistics and layer biases.
inline void perturb(Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.2f, 0.2f), pos(0.7f, 1.4f);
  for (Node& n : g.nodes) {
    if (n.kind == OpKind::BatchNorm) {
      for (float& v : n.weight) v = pos(rng);
      for (float& v : n.bias) v = u(rng);
      for (float& v : n.mean) v = u(rng);
      for (float& v : n.var) v = pos(rng);
    } else if (n.quantizable()) {
      for (float& v : n.bias) v = u(rng);
    }
  }
}

// Every layer's weights drawn from N(0, sigma): a small graph built in a
// test, with weights large enough that its activations use their range.
inline void normal_weights(Graph& g, uint32_t seed, float sigma) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, sigma);
  for (Node& n : g.nodes)
    for (float& v : n.weight) v = w(rng);
}

}  // namespace cimvp::test
