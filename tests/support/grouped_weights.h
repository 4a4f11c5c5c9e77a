// Random weights for a graph with grouped convolutions: normal weights
// within each convolution's groups and zeros across them (as nn/graph.h
// requires of a grouped convolution's dense layout), random dense weights
// and small random biases.
#pragma once

#include <random>

#include "nn/graph.h"

namespace cimvp::test {

inline void fill_grouped_weights(Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.f, 0.3f);
  for (Node& n : g.nodes) {
    for (float& b : n.bias) b = 0.1f * w(rng);
    if (n.kind == OpKind::Dense)
      for (float& v : n.weight) v = w(rng);
    if (n.kind != OpKind::Conv2d) continue;
    const size_t taps = size_t(n.kernel) * size_t(n.kernel);
    for (int o = 0; o < n.out_channels; ++o)
      for (int c = 0; c < n.in_channels; ++c)
        if (n.connects(o, c))
          for (size_t t = 0; t < taps; ++t) n.weight[(size_t(o) * size_t(n.in_channels) + size_t(c)) * taps + t] = w(rng);
  }
}

}  // namespace cimvp::test
