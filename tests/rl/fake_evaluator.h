// A fake PolicyEvaluator for the search tests, shaped like the real problem:
// latency follows the paper's analytic model (weight bit slices times input
// bit slices times the layer's work), accuracy is a smooth function of the
// bits that falls off quickly below about 4 bits, more for sensitive layers.
// Deterministic, cheap, and it counts its calls.
#pragma once

#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "nn/graph.h"
#include "rl/policy_evaluator.h"

namespace cimvp::rl::test {

class FakeEvaluator : public PolicyEvaluator {
 public:
  // work[i]: MVM work of layer i; sensitivity[i]: accuracy lost (fraction)
  // by layer i at 2 bits, shrinking 4x per extra bit.
  FakeEvaluator(std::vector<double> work, std::vector<double> sensitivity, int cell_bits = 2, int dac_bits = 1)
      : work_(std::move(work)), sensitivity_(std::move(sensitivity)), cell_bits_(cell_bits), dac_bits_(dac_bits) {}

  // LeNet-5's MACs per layer; the big conv2 and the first and last layers are the sensitive ones.
  static FakeEvaluator lenet5() {
    return FakeEvaluator({117600, 240000, 48000, 10080, 840}, {0.03, 0.01, 0.004, 0.004, 0.03});
  }

  PolicyResult evaluate(const Policy& p) override {
    ++calls;
    const auto key = std::make_pair(p.weight_bits, p.activation_bits);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    PolicyResult r;
    double slices = 0, drop = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      const int w = p.weight_bits[i], a = p.activation_bits[i];
      slices += work_[i] * std::ceil(double(w) / cell_bits_) * std::ceil(double(a) / dac_bits_);
      drop += sensitivity_[i] * (std::pow(4.0, -(w - 2)) + std::pow(4.0, -(a - 2)));
    }
    r.latency_seconds = 1e-5 + slices * 1e-9;
    r.cycles = uint64_t(std::llround(r.latency_seconds * 1e9));
    r.energy_joules = slices * 1e-12;
    r.accuracy = 0.95 - drop;
    r.placement = "analytic";
    return cache_[key] = r;
  }

  int calls = 0;

 private:
  std::vector<double> work_, sensitivity_;
  int cell_bits_, dac_bits_;
  std::map<std::pair<std::vector<int>, std::vector<int>>, PolicyResult> cache_;
};

}  // namespace cimvp::rl::test
