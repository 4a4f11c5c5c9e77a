// Checks that two integer networks are the same, field by field: what
// "imports back to the same network" and "one quantization path" mean.
#pragma once

#include <gtest/gtest.h>

#include "nn/quant.h"

namespace cimvp::test {

inline void expect_same_network(const QuantizedNetwork& a, const QuantizedNetwork& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t t = 0; t < a.tensors.size(); ++t) {
    const QTensor &x = a.tensors[t], &y = b.tensors[t];
    EXPECT_EQ(x.bits, y.bits) << x.name;
    EXPECT_EQ(x.is_signed, y.is_signed) << x.name;
    EXPECT_EQ(x.zero_point, y.zero_point) << x.name;
    EXPECT_EQ(x.scale, y.scale) << x.name;  // the input's scale decides quantize_input()
  }
  ASSERT_EQ(a.ops.size(), b.ops.size());
  for (size_t i = 0; i < a.ops.size(); ++i) {
    const QOp &x = a.ops[i], &y = b.ops[i];
    EXPECT_EQ(x.kind, y.kind) << x.name;
    EXPECT_EQ(x.inputs, y.inputs) << x.name;
    EXPECT_EQ(x.output, y.output) << x.name;
    EXPECT_EQ(x.kernel, y.kernel) << x.name;
    EXPECT_EQ(x.stride, y.stride) << x.name;
    EXPECT_EQ(x.padding, y.padding) << x.name;
    EXPECT_EQ(x.weight_bits, y.weight_bits) << x.name;
    EXPECT_EQ(x.weight, y.weight) << x.name;
    EXPECT_EQ(x.bias, y.bias) << x.name;
    EXPECT_EQ(x.input_multipliers, y.input_multipliers) << x.name;
    EXPECT_EQ(x.requantize, y.requantize) << x.name;
    EXPECT_EQ(x.requant.multiplier, y.requant.multiplier) << x.name;
    EXPECT_EQ(x.requant.shift, y.requant.shift) << x.name;
    EXPECT_EQ(x.requant.zero_point, y.requant.zero_point) << x.name;
    EXPECT_EQ(x.requant.lo, y.requant.lo) << x.name;
    EXPECT_EQ(x.requant.hi, y.requant.hi) << x.name;
    EXPECT_EQ(int(x.requant.rounding), int(y.requant.rounding)) << x.name;
  }
}

}  // namespace cimvp::test
