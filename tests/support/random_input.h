// A random input image for a quantized network: every element uniform over
// the input tensor's integer range.
#pragma once

#include <random>
#include <vector>

#include "nn/quant.h"

namespace cimvp::test {

inline std::vector<int8_t> random_image(std::mt19937& rng, const QuantizedNetwork& q) {
  const QTensor& t = q.input_tensor();
  std::uniform_int_distribution<int> v(t.lo(), t.hi());
  std::vector<int8_t> x(size_t(t.shape.size()));
  for (auto& e : x) e = int8_t(v(rng));
  return x;
}

}  // namespace cimvp::test
