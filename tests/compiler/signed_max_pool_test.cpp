// Max pooling with padding (and ceil mode) of a signed tensor: the border
// holds -128, below every value, so it never wins (the integer reference
// takes the maximum over the window's pixels inside the image). The VP
// equals the reference bit for bit; ONNX's test_MaxPool2d (a padded max
// pool of the signed network input) compiles. (The 2x2 ceil-mode pool of
// an odd size caught the reference's 2x2 fast path reading past the row.)
#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "compiler/compile.h"
#include "nn/model_source.h"
#include "tests/support/paths.h"
#include "tests/support/vp_equals_reference.h"

namespace cimvp {
namespace {

TEST(SignedMaxPool, PaddedAndCeilModeEqualTheReference) {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "signed_pool";
  int x = g.add_input("input", {3, 9, 9});                       // signed: the input is not declared >= 0
  x = g.add_maxpool("pool_pad", x, 3, 1, 1);                     // padded, of the signed input
  x = g.add_conv("conv", x, 4, 3, 1, 1);                         // signed output (no ReLU)
  x = g.add_maxpool("pool_ceil", x, 2, 2, 0, /*ceil_mode=*/true);  // 9 -> 5: an overhang of one
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 4, 0.5f);
  model.random_weights = true;
  const QuantizedNetwork q = quantize_model(model, uniform_policy(2, 8, 8));
  ASSERT_TRUE(q.tensors[size_t(q.input)].is_signed);
  test::expect_vp_equals_reference(model, {uniform_policy(2, 8, 8), uniform_policy(2, 4, 3)}, 5, 3);
}

}  // namespace
}  // namespace cimvp
