// A ReLU no producer can fuse (its input is read elsewhere too, as in a
// pre-activation residual block, or it is the network input's) is a table
// into an unsigned domain of its own (QOpKind::Lut); a bounded one a
// Clip(0, max) table. The VP against the integer reference bit for bit; the
// fake-quantized forward agrees with the integer reference; ONNX keeps it.
#include <gtest/gtest.h>

#include "nn/model_source.h"
#include "nn/quant.h"
#include "nn/reference.h"
#include "tests/support/random_data.h"
#include "tests/support/vp_equals_reference.h"

namespace cimvp {
namespace {

// input -> relu (of the input) -> c1; c1 -> relu6 r6 -> c2; add(c1, c2) -> dense.
ModelFile preactivation_net() {
  ModelFile model;
  Graph& g = model.graph;
  g.name = "preact";
  int x = g.add_input("input", {2, 8, 8});
  x = g.add_relu("r_in", x);
  const int c1 = g.add_conv("c1", x, 4, 3, 1, 1);
  const int r6 = g.add_relu("r6", c1, 6.f);
  const int c2 = g.add_conv("c2", r6, 4, 3, 1, 1);
  x = g.add_add("sum", c1, c2);
  g.add_dense("fc", x, 5);
  test::normal_weights(g, 41, 0.6f);
  model.random_weights = true;
  return model;
}

TEST(UnfusedRelu, IsATableOfItsOwnDomain) {
  const QuantizedNetwork q = quantize_model(preactivation_net(), uniform_policy(3, 8, 8));
  int tables = 0;
  for (const QOp& op : q.ops)
    if (op.kind == QOpKind::Lut) {
      ++tables;
      EXPECT_FALSE(q.tensors[size_t(op.output)].is_signed) << op.name;
    }
  EXPECT_EQ(tables, 2);  // r_in and r6; c1's output stays signed for the add
}

TEST(UnfusedRelu, TheVpEqualsTheIntegerReference) {
  test::expect_vp_equals_reference(preactivation_net(), {uniform_policy(3, 8, 8), uniform_policy(3, 4, 3)}, 42);
}

TEST(UnfusedRelu, OnnxKeepsIt) {
  const OnnxImport im = test::expect_onnx_round_trip(preactivation_net(), 43);
  EXPECT_EQ(im.model.graph.nodes[size_t(im.model.graph.find("r6"))].kind, OpKind::Relu);
  EXPECT_EQ(im.model.graph.nodes[size_t(im.model.graph.find("r6"))].max, 6.f);
}

}  // namespace
}  // namespace cimvp
