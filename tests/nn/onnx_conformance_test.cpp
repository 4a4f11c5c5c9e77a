// ONNX conformance: the ONNX project's own backend node tests for the integer
// operators (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger), shipped
// by Debian's libonnx-testdata, imported and run through the integer
// reference executor: every output must equal the expected one exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "common/error.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "tests/support/onnx_node_tests.h"

using namespace cimvp;
using test::load_onnx_test_case;
using test::onnx_integer_node_tests;
using test::onnx_node_test_root;
using test::OnnxTestCase;

namespace {

std::string base(const std::string& dir) { return dir.substr(dir.find_last_of('/') + 1); }

}  // namespace

TEST(OnnxConformance, AllIntegerNodeTestsAreFound) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  std::vector<std::string> names;
  for (const auto& t : tests) names.push_back(base(t));
  // Debian's ONNX 1.12 test data: 7 node tests of the four operators.
  for (const char* want : {"test_basic_convinteger", "test_convinteger_with_padding",
                           "test_convinteger_without_padding", "test_matmulinteger", "test_qlinearconv",
                           "test_qlinearmatmul_2D", "test_qlinearmatmul_3D"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

TEST(OnnxConformance, IntegerReferenceMatchesExpectedOutputsExactly) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  for (const std::string& dir : tests) {
    SCOPED_TRACE(dir);
    const OnnxTestCase tc = load_onnx_test_case(dir);
    ASSERT_EQ(tc.model.kind, OnnxModelKind::Integer);
    ASSERT_FALSE(tc.inputs.empty());
    ASSERT_EQ(tc.inputs.size(), tc.expected.size());
    ReferenceExecutor ex(tc.model.network);
    for (size_t s = 0; s < tc.inputs.size(); ++s) EXPECT_EQ(ex.run(tc.inputs[s]), tc.expected[s]) << "sample " << s;
  }
}

TEST(OnnxConformance, RoundsHalfToEvenAndUsesZeroPoints) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  const OnnxTestCase qc = load_onnx_test_case(onnx_node_test_root() + "/test_qlinearconv");
  const QOp& op = qc.model.network.ops.at(0);
  EXPECT_EQ(op.requant.rounding, Rounding::HalfEven);
  EXPECT_EQ(op.requant.zero_point, 123);
  EXPECT_EQ(qc.model.network.input_tensor().zero_point, 132);
  EXPECT_FALSE(qc.model.network.input_tensor().is_signed);
  // The multiplier is exactly ONNX's float32 x_scale * w_scale / y_scale (M / 2^S holds 24 bits exactly).
  const float xs = float(qc.model.network.input_tensor().scale), ws = float(op.weight_scale),
              ys = float(qc.model.network.output_tensor().scale);
  EXPECT_EQ(std::ldexp(double(op.requant.multiplier), -op.requant.shift), double(xs * ws / ys));
  // Half to even on exact ties (the test data has none), half up by default.
  for (int64_t acc : {-7, -5, -3, 3, 5, 7}) {
    // acc * 2^30 / 2^31 = acc / 2: a tie for odd acc. nearbyint rounds ties to even.
    const int64_t even = int64_t(std::nearbyint(acc / 2.0));
    EXPECT_EQ(requantize(acc, 1 << 30, 31, 0, -128, 127, Rounding::HalfEven), even) << acc;
    EXPECT_EQ(requantize(acc, 1 << 30, 31, 0, -128, 127), int64_t(std::floor(acc / 2.0 + 0.5))) << acc;
  }
  // Padding reads the input zero point: without it the padded border differs.
  const OnnxTestCase pc = load_onnx_test_case(onnx_node_test_root() + "/test_convinteger_with_padding");
  QuantizedNetwork zp0 = pc.model.network;
  zp0.tensors[size_t(zp0.input)].zero_point = 0;
  EXPECT_NE(run_reference(zp0, pc.inputs[0]), pc.expected[0]);
}

// Weight zero points are folded into the weights: QLinearConv's weight 0
// with zero point 255 becomes -255 and QLinearMatMul's weights minus 114
// reach 141, so those layers get 9-bit weights; the others keep 8 or fewer.
TEST(OnnxConformance, WeightZeroPointsWidenTheWeights) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  for (const std::string& dir : tests) {
    const OnnxTestCase tc = load_onnx_test_case(dir);
    const std::string n = base(dir);
    const QuantizedNetwork& q = tc.model.network;
    ASSERT_EQ(q.layers.size(), 1u) << n;
    const QOp& op = q.ops[size_t(q.layers[0])];
    int lo = 0, hi = 0;
    for (int16_t w : op.weight) lo = std::min<int>(lo, w), hi = std::max<int>(hi, w);
    EXPECT_GE(lo, qmin(op.weight_bits, true)) << n;
    EXPECT_LE(hi, qmax(op.weight_bits, true)) << n;
    const bool nine = n == "test_qlinearconv" || n.rfind("test_qlinearmatmul", 0) == 0;
    if (nine) {
      EXPECT_EQ(op.weight_bits, 9) << n;
    } else {
      EXPECT_LE(op.weight_bits, 8) << n;
    }
  }
}
