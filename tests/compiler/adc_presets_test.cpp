// Networks on the crossbar periphery as configured, not idealized:
//  - lenet5 through crossbars forced onto the bit-accurate path (cells, DAC
//    digits, ADC, shift-and-add) on the default preset equals the integer
//    reference, so the ideal-ADC fast path is not what makes it exact;
//  - the prime-like (6-bit ADC) and isaac-like (8-bit ADC) presets run the
//    trained lenet5 as configured, and every output equals a whole-network
//    model built here: the integer reference with each Conv2d/Dense computed
//    tile by tile through the independent ADC model of
//    tests/support/adc_reference.h. The coarse ADCs must change results, or
//    the comparison would prove nothing beyond exactness.
#include <gtest/gtest.h>

#include "models/adc.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "compiler/tiling.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/adc_reference.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

constexpr int kImages = 4;

ModelFile trained_lenet5() { return load_model_file(test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp")); }

// A Conv2d or Dense op through the ADC model: the input vector of each output
// pixel in the order the weight matrix's rows expect (tiling.h: a conv's
// patch in (ky, kx, c) order with padding reading the zero point; a dense
// layer's input in HWC order), cut into the compiler's tiles, each tile's
// product through adc_reference_mvm, summed, plus bias, requantized.
std::vector<int32_t> layer_through_adc(const QOp& op, const QTensor& in, const std::vector<int32_t>& x,
                                       const ArchConfig& arch) {
  const Shape& s = in.shape;
  const WeightMatrix m = weight_matrix(op, s, dense_packing(op));  // lenet5 has no grouped convolution
  const std::vector<Tile> tiles = tile_matrix(m, arch, op.name).tiles;
  const bool conv = op.kind == QOpKind::Conv2d;
  const int ho = conv ? (s.h + 2 * op.padding - op.kernel) / op.stride + 1 : 1;
  const int wo = conv ? (s.w + 2 * op.padding - op.kernel) / op.stride + 1 : 1;
  auto at = [&](int c, int y, int xx) { return x[(size_t(c) * s.h + size_t(y)) * size_t(s.w) + size_t(xx)]; };
  std::vector<int32_t> out(size_t(op.out_channels) * size_t(ho) * size_t(wo));
  for (int oy = 0; oy < ho; ++oy)
    for (int ox = 0; ox < wo; ++ox) {
      std::vector<uint8_t> rows;  // the input vector, one byte per row (the buffer's bytes)
      if (conv) {
        for (int ky = 0; ky < op.kernel; ++ky)
          for (int kx = 0; kx < op.kernel; ++kx)
            for (int c = 0; c < s.c; ++c) {
              const int y = oy * op.stride - op.padding + ky, xx = ox * op.stride - op.padding + kx;
              const bool inside = y >= 0 && y < s.h && xx >= 0 && xx < s.w;
              rows.push_back(uint8_t(inside ? at(c, y, xx) : in.zero_point));
            }
      } else {
        for (int y = 0; y < s.h; ++y)
          for (int xx = 0; xx < s.w; ++xx)
            for (int c = 0; c < s.c; ++c) rows.push_back(uint8_t(at(c, y, xx)));
      }
      EXPECT_EQ(int(rows.size()), m.rows) << op.name;
      std::vector<int64_t> acc(size_t(op.out_channels), 0);
      for (const Tile& t : tiles) {
        const WeightBlock b = make_block(m, t, 0, 0, true);
        const std::vector<uint8_t> slice(rows.begin() + t.row0, rows.begin() + t.row0 + t.rows);
        const std::vector<int64_t> y = test::adc_reference_mvm(arch, b, slice, op.activation_bits, op.input_signed);
        for (int j = 0; j < t.cols; ++j) acc[size_t(t.col0 + j)] += y[size_t(j)];
      }
      for (int o = 0; o < op.out_channels; ++o) {
        const int64_t v = acc[size_t(o)] + op.bias[size_t(o)];
        const Requant& r = op.requant;
        out[(size_t(o) * size_t(ho) + size_t(oy)) * size_t(wo) + size_t(ox)] =
            op.requantize ? int32_t(requantize(v, r.multiplier, r.shift, r.zero_point, r.lo, r.hi, r.rounding))
                          : int32_t(v);
      }
    }
  return out;
}

// The whole network: MVM layers through the ADC model, every other op by the
// integer reference.
std::vector<int32_t> run_adc_model(const QuantizedNetwork& q, const ArchConfig& arch, const std::vector<int8_t>& x) {
  ReferenceExecutor reference(q);
  std::vector<std::vector<int32_t>> tensors(q.tensors.size());
  tensors[size_t(q.input)].assign(x.begin(), x.end());
  for (size_t i = 0; i < q.ops.size(); ++i) {
    const QOp& op = q.ops[i];
    const bool mvm = op.kind == QOpKind::Conv2d || op.kind == QOpKind::Dense;
    tensors[size_t(op.output)] =
        mvm ? layer_through_adc(op, q.tensors[size_t(op.inputs[0])], tensors[size_t(op.inputs[0])], arch)
            : reference.run_op(i, tensors);
  }
  return tensors[size_t(q.output)];
}

void check_bit_accurate_equals_reference(const ArchConfig& arch) {
  ASSERT_TRUE(AdcModel(arch).exact());
  const ModelFile model = trained_lenet5();
  const QuantizedNetwork q = quantize_model(model, model.policy);
  const CompileResult compiled = compile(q, arch);
  Soc soc("soc", arch);
  soc.load(compiled.image, "lenet5");
  soc.set_bit_accurate_crossbars(true);
  ReferenceExecutor reference(q);
  const Dataset test_set = load_dataset("fashion-mnist", Split::Test);
  for (int i = 0; i < kImages; ++i) {
    const std::vector<int8_t> x = quantize_input(q, test_set.image_vector(size_t(i)));
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
    EXPECT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x)) << "image " << i;
  }
}

TEST(AdcPresets, Lenet5ThroughForcedBitAccurateCrossbarsEqualsTheIntegerReference) {
  check_bit_accurate_equals_reference(load_arch_config(test::source_path("configs/arch/default.yaml")));
}

// ISAAC's flipped columns keep every sum within the 8-bit ADC: the cells,
// the complements and the periphery's correction give the exact product.
TEST(AdcPresets, IsaacLikeFlippedColumnsThroughBitAccurateCrossbarsEqualTheIntegerReference) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/isaac-like.yaml"));
  ASSERT_TRUE(arch.crossbar.flips_columns());
  check_bit_accurate_equals_reference(arch);
}

void check_preset_as_configured(const std::string& preset, const std::string& encoding = "") {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/" + preset + ".yaml"));
  if (!encoding.empty()) arch.crossbar.encoding = encoding;
  ASSERT_FALSE(AdcModel(arch).exact()) << preset << " is meant to have a coarse ADC";
  const ModelFile model = trained_lenet5();
  const QuantizedNetwork q = quantize_model(model, model.policy);
  const CompileResult compiled = compile(q, arch);
  Soc soc("soc", arch);
  soc.load(compiled.image, "lenet5");
  ReferenceExecutor reference(q);
  const Dataset test_set = load_dataset("fashion-mnist", Split::Test);
  int differ_from_exact = 0;
  for (int i = 0; i < kImages; ++i) {
    const std::vector<int8_t> x = quantize_input(q, test_set.image_vector(size_t(i)));
    const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
    const std::vector<int32_t> vp = output_values(compiled.image, r.outputs[0]);
    EXPECT_EQ(vp, run_adc_model(q, arch, x)) << preset << ", image " << i;
    differ_from_exact += vp != reference.run(x);
  }
  EXPECT_GT(differ_from_exact, 0) << "the coarse ADC of " << preset << " changed no output";
}

TEST(AdcPresets, PrimeLikeAsConfiguredEqualsTheAdcModel) { check_preset_as_configured("prime-like"); }
// Without its encoding ISAAC's 8-bit ADC clips (384 > 255).
TEST(AdcPresets, IsaacLikeWithDirectEncodingEqualsTheAdcModel) { check_preset_as_configured("isaac-like", "direct"); }

}  // namespace
}  // namespace cimvp
