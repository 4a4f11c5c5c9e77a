// ONNX models on the VP. The ONNX project's backend node tests for the
// integer operators (Debian's libonnx-testdata) that the crossbars can hold
// (ConvInteger, MatMulInteger: input zero points, padding with the zero
// point, half-to-even rounding) are imported, compiled and run on the VP in
// functional mode: every output equals ONNX's expected output exactly. The
// ones that need 9-bit weights are refused by the compiler with a message
// naming the layer and the reason. A float LeNet-5 exported by PyTorch is
// imported, calibrated at W8A8 and compiled: the VP equals the integer
// reference and predicts the float model's classes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "common/error.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {


ArchConfig default_arch() { return load_arch_config(test::source_path("configs/arch/default.yaml")); }

TEST(OnnxConformanceVp, MappableIntegerNodeTestsMatchExpectedOutputsExactly) {
  const auto tests = onnx_integer_node_tests();
  if (tests.empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  const ArchConfig arch = default_arch();
  ASSERT_TRUE(arch.adc_is_ideal());
  Soc soc("soc", arch);
  std::vector<std::string> ran;
  bool saw_zero_point_padding = false, saw_half_even = false;
  for (const std::string& dir : tests) {
    const OnnxTestCase tc = load_onnx_test_case(dir);
    if (!tc.mapping_problems.empty()) continue;
    SCOPED_TRACE(tc.name);
    ran.push_back(tc.name);
    const QuantizedNetwork& q = tc.model.network;
    for (const QOp& op : q.ops) {
      if (op.kind == QOpKind::Conv2d && op.padding > 0 && q.tensors[size_t(op.inputs[0])].zero_point != 0)
        saw_zero_point_padding = true;
      if (op.requant.rounding == Rounding::HalfEven && op.requantize) saw_half_even = true;
    }
    // Single-core and multi-core placements both reproduce ONNX.
    for (int cores : {1, 0}) {
      CompileOptions options;
      options.max_cores = cores;
      const CompileResult compiled = compile(q, arch, options);
      soc.load(compiled.image, tc.name);
      ASSERT_FALSE(tc.inputs.empty());
      ASSERT_EQ(tc.inputs.size(), tc.expected.size());
      for (size_t s = 0; s < tc.inputs.size(); ++s) {
        const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, tc.inputs[s])});
        EXPECT_EQ(output_values(compiled.image, r.outputs[0]), tc.expected[s])
            << "sample " << s << ", max_cores " << cores;
      }
    }
  }
  // Debian's ONNX 1.12 test data: three ConvInteger tests and MatMulInteger.
  std::sort(ran.begin(), ran.end());
  EXPECT_EQ(ran, (std::vector<std::string>{"test_basic_convinteger", "test_convinteger_with_padding",
                                           "test_convinteger_without_padding", "test_matmulinteger"}));
  EXPECT_TRUE(saw_zero_point_padding);
  (void)saw_half_even;  // the integer-output tests end without a Vreq; rounding is covered below
}

// A convolution padded with a non-zero input zero point must read the zero
// point in its border: the same network with border 0 would differ (the
// reference test shows that), so the VP matching ONNX proves the border.
// Here the requantizing path: the ConvInteger network with its int32 output
// requantized half-to-even at a tie-producing multiplier, VP vs reference.
TEST(OnnxConformanceVp, ZeroPointBorderAndHalfEvenRequantizationMatchTheReference) {
  const auto tests = onnx_integer_node_tests();
  if (tests.empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  const OnnxTestCase tc = load_onnx_test_case(onnx_node_test_root() + "/test_convinteger_with_padding");
  ASSERT_TRUE(tc.mapping_problems.empty());
  const ArchConfig arch = default_arch();
  Soc soc("soc", arch);
  for (Rounding rounding : {Rounding::HalfUp, Rounding::HalfEven}) {
    QuantizedNetwork q = tc.model.network;
    QOp& op = q.ops.at(0);
    ASSERT_EQ(op.kind, QOpKind::Conv2d);
    ASSERT_GT(op.padding, 0);
    ASSERT_NE(q.input_tensor().zero_point, 0);
    // Requantize to uint8 with zero point 7 at multiplier 1/2: odd sums are ties.
    op.requantize = true;
    op.requant.multiplier = 1 << 30;
    op.requant.shift = 31;
    op.requant.zero_point = 7;
    op.requant.lo = 0;
    op.requant.hi = 255;
    op.requant.rounding = rounding;
    QTensor& out = q.tensors[size_t(op.output)];
    out.bits = 8;
    out.is_signed = false;
    out.zero_point = 7;
    const CompileResult compiled = compile(q, arch);
    soc.load(compiled.image, tc.name);
    ReferenceExecutor reference(q);
    const std::vector<int32_t> want = reference.run(tc.inputs[0]);
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, tc.inputs[0])});
    EXPECT_EQ(output_values(compiled.image, r.outputs[0]), want) << int(rounding);
    // The expected int32 outputs contain odd values, so the two roundings differ.
    bool tie = false;
    for (int32_t v : tc.expected[0]) tie = tie || (v % 2 != 0);
    EXPECT_TRUE(tie);
  }
}

TEST(OnnxConformanceVp, NineBitWeightsAreRefusedNamingTheLayer) {
  const auto tests = onnx_integer_node_tests();
  if (tests.empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  const ArchConfig arch = default_arch();
  int refused = 0;
  for (const std::string& dir : tests) {
    const OnnxTestCase tc = load_onnx_test_case(dir);
    if (tc.mapping_problems.empty()) continue;
    SCOPED_TRACE(tc.name);
    ++refused;
    std::string message;
    try {
      compile(tc.model.network, arch);
    } catch (const Error& e) {
      message = e.what();
    }
    ASSERT_FALSE(message.empty()) << "compile() accepted an unmappable network";
    EXPECT_NE(message.find("cannot be mapped onto crossbars"), std::string::npos) << message;
    EXPECT_NE(message.find("9 signed bits"), std::string::npos) << message;
    for (int index : tc.model.network.layers)
      EXPECT_NE(message.find(tc.model.network.ops[size_t(index)].name), std::string::npos) << message;
  }
  EXPECT_EQ(refused, 3);  // test_qlinearconv, test_qlinearmatmul_2D, test_qlinearmatmul_3D
}

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<float> v;
  float x;
  while (f.read(reinterpret_cast<char*>(&x), 4)) v.push_back(x);
  return v;
}

std::vector<std::vector<float>> split(const std::vector<float>& v, size_t n) {
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i + n <= v.size(); i += n) out.emplace_back(v.begin() + long(i), v.begin() + long(i + n));
  return out;
}

template <typename T>
size_t argmax_of(const std::vector<T>& v) {
  return size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

TEST(OnnxConformanceVp, PyTorchFloatLenet5AtW8A8OnTheVp) {
  const std::string dir = test::source_path("tests/fixtures/onnx/");
  const OnnxImport im = import_onnx(dir + "lenet5_float.onnx");
  ASSERT_EQ(im.kind, OnnxModelKind::Float);
  const auto inputs = split(read_f32(dir + "lenet5_inputs.bin"), 784);
  const auto float_out = split(read_f32(dir + "lenet5_float_out.bin"), 10);
  ASSERT_EQ(inputs.size(), 16u);
  ASSERT_EQ(float_out.size(), inputs.size());
  const Policy policy = uniform_policy(im.model.graph.quantizable_layers().size(), 8, 8);
  const Calibration calibration = calibrate(im.model.graph, inputs, policy);
  const QuantizedNetwork q = quantize(im.model.graph, policy, calibration);
  const ArchConfig arch = default_arch();
  Soc soc("soc", arch);
  const CompileResult compiled = compile(q, arch);
  soc.load(compiled.image, "lenet5_float.onnx");
  ReferenceExecutor reference(q);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<int8_t> x = quantize_input(q, inputs[i]);
    const std::vector<int32_t> want = reference.run(x);
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
    const std::vector<int32_t> got = output_values(compiled.image, r.outputs[0]);
    EXPECT_EQ(got, want) << "image " << i;
    EXPECT_EQ(argmax_of(got), argmax_of(float_out[i])) << "image " << i;
  }
}

}  // namespace
}  // namespace cimvp
