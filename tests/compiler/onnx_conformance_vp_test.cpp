// ONNX models on the VP. The ONNX project's backend node tests for the
// integer operators (Debian's libonnx-testdata: QLinearConv, QLinearMatMul,
// ConvInteger, MatMulInteger with input zero points, padding with the zero
// point, weight zero points that make 9-bit weights, half-to-even rounding)
// are imported, compiled and run on the VP in functional mode: every output
// equals ONNX's expected output exactly. A float LeNet-5 exported by PyTorch is
// imported, calibrated at W8A8 and compiled: the VP equals the integer
// reference and predicts the float model's classes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "models/adc.h"
#include "common/error.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/onnx_node_tests.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using test::load_onnx_test_case;
using test::onnx_integer_node_tests;
using test::onnx_node_test_root;
using test::OnnxTestCase;

ArchConfig default_arch() { return load_arch_config(test::source_path("configs/arch/default.yaml")); }

TEST(OnnxConformanceVp, IntegerNodeTestsMatchExpectedOutputsExactly) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  const ArchConfig arch = default_arch();
  ASSERT_TRUE(AdcModel(arch).exact());
  Soc soc("soc", arch);
  std::vector<std::string> ran;
  bool saw_zero_point_padding = false, saw_half_even = false, saw_nine_bit_weights = false;
  for (const std::string& dir : tests) {
    const OnnxTestCase tc = load_onnx_test_case(dir);
    SCOPED_TRACE(tc.name);
    ran.push_back(tc.name);
    const QuantizedNetwork& q = tc.model.network;
    for (const QOp& op : q.ops) {
      if (op.kind == QOpKind::Conv2d && op.padding > 0 && q.tensors[size_t(op.inputs[0])].zero_point != 0)
        saw_zero_point_padding = true;
      if (op.requant.rounding == Rounding::HalfEven && op.requantize) saw_half_even = true;
      if (op.kind == QOpKind::Conv2d || op.kind == QOpKind::Dense) saw_nine_bit_weights |= op.weight_bits == 9;
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
  // Debian's ONNX 1.12 test data: every integer operator test there is.
  std::sort(ran.begin(), ran.end());
  EXPECT_EQ(ran, (std::vector<std::string>{"test_basic_convinteger", "test_convinteger_with_padding",
                                           "test_convinteger_without_padding", "test_matmulinteger",
                                           "test_qlinearconv", "test_qlinearmatmul_2D", "test_qlinearmatmul_3D"}));
  EXPECT_TRUE(saw_zero_point_padding);
  EXPECT_TRUE(saw_half_even);
  EXPECT_TRUE(saw_nine_bit_weights);
}

// A convolution padded with a non-zero input zero point must read the zero
// point in its border: the same network with border 0 would differ (the
// reference test shows that), so the VP matching ONNX proves the border.
// Here the requantizing path: the ConvInteger network with its int32 output
// requantized half-to-even at a tie-producing multiplier, VP vs reference.
TEST(OnnxConformanceVp, ZeroPointBorderAndHalfEvenRequantizationMatchTheReference) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  const OnnxTestCase tc = load_onnx_test_case(onnx_node_test_root() + "/test_convinteger_with_padding");
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

// A hand-built network whose weights exceed their declared bits, or whose
// bits exceed what a crossbar block holds, is refused before any code is
// generated, naming the layer.
TEST(OnnxConformanceVp, WeightsTheCrossbarsCannotHoldAreRefusedNamingTheLayer) {
  const auto tests = onnx_integer_node_tests();
  ASSERT_FALSE(tests.empty()) << "libonnx-testdata is not installed (scripts/install_deps.sh installs it)";
  const OnnxTestCase tc = load_onnx_test_case(onnx_node_test_root() + "/test_qlinearconv");
  const ArchConfig arch = default_arch();
  auto compile_error = [&](const QuantizedNetwork& q) {
    try {
      compile(q, arch);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  QuantizedNetwork narrow = tc.model.network;
  QOp& op = narrow.ops[size_t(narrow.layers[0])];
  ASSERT_EQ(op.weight_bits, 9);
  op.weight_bits = 8;  // -255 does not fit
  std::string m = compile_error(narrow);
  EXPECT_NE(m.find("cannot be mapped onto crossbars"), std::string::npos) << m;
  EXPECT_NE(m.find("layer '" + op.name + "' (conv2d): weight 0 = -255 is outside the 8-bit range -128..127"),
            std::string::npos)
      << m;
  op.weight_bits = 17;
  m = compile_error(narrow);
  EXPECT_NE(m.find("17-bit weights, the crossbars hold 1..16"), std::string::npos) << m;
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
