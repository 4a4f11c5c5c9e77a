// The quantization scheme and the integer reference executor:
//  - quantize_multiplier / requantize against long-double arithmetic;
//  - the activation plan (bits, signedness, rescaled copies);
//  - the integer reference against the fake-quantized float forward, op by
//    op on identical inputs: at most one LSB apart, and only rarely (the
//    integer multipliers approximate the real scales to 2^-31, the Add
//    multipliers to 2^-21, so only values within that distance of a
//    rounding boundary can differ);
//  - the integer reference against the float model at W8A8 (quantization error).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/error.h"
#include "nn/graph.h"
#include "nn/quant.h"
#include "nn/reference.h"
#include "nn/zoo.h"
#include "tests/support/random_data.h"

using namespace cimvp;

namespace {

using test::random_images;
using test::perturb;
using test::random_policy;

// A graph with every op the quantizer handles: padded conv, avg pool with
// padding, BN, padded max pool, an Add without ReLU (signed) read by two
// layers of different bits, an Add with ReLU, global average pool, flatten.
Graph all_ops_graph(uint64_t seed) {
  Graph g;
  g.name = "all-ops";
  int x = g.add_input("input", {2, 12, 12});
  x = g.add_conv("c1", x, 8, 3, 1, 1);
  x = g.add_relu("r1", x);
  x = g.add_avgpool("ap", x, 3, 1, 1);
  x = g.add_conv("c2", x, 8, 3, 1, 1);
  x = g.add_batchnorm("c2_bn", x);
  x = g.add_relu("r2", x);
  const int mp = g.add_maxpool("mp", x, 3, 2, 1);  // 6x6
  int y = g.add_conv("c3", mp, 8, 3, 1, 1);
  y = g.add_batchnorm("c3_bn", y);
  const int s = g.add_add("s", y, mp);  // signed
  const int c4 = g.add_conv("c4", s, 8, 1);
  int c5 = g.add_conv("c5", s, 8, 3, 1, 1);
  c5 = g.add_relu("r5", c5);
  int s2 = g.add_add("s2", c4, c5);
  s2 = g.add_relu("s2_relu", s2);
  x = g.add_global_avgpool("gap", s2);
  x = g.add_flatten("flat", x);
  g.add_dense("fc", x, 10);
  init_weights(g, seed);
  return g;
}

Policy random_policy(size_t layers, std::mt19937& rng, bool force_low) {
  std::uniform_int_distribution<int> bits(1, 8);
  Policy p = uniform_policy(layers, 8, 8);
  for (size_t i = 0; i < layers; ++i) {
    p.weight_bits[i] = bits(rng);
    p.activation_bits[i] = bits(rng);
  }
  if (force_low && layers >= 2) {
    p.weight_bits[0] = 1;
    p.activation_bits[1] = 1;
    p.weight_bits[layers - 1] = 2;
    p.activation_bits[layers - 1] = 2;
  }
  return p;
}

}  // namespace

// ------------------------------------------------------------ integer helpers

TEST(Quant, MultiplierIsNormalizedAndAccurate) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> mant(1.0, 2.0);
  std::uniform_int_distribution<int> ex(-32, 30);
  for (int i = 0; i < 100000; ++i) {
    const double real = std::ldexp(mant(rng), ex(rng));
    const QuantMultiplier m = quantize_multiplier(real);
    ASSERT_GE(m.multiplier, 1 << 30) << real;
    ASSERT_GE(m.shift, 0);
    ASSERT_LE(m.shift, 62);
    const long double got = std::ldexp((long double)m.multiplier, -m.shift);
    ASSERT_LE(std::fabs(got / (long double)real - 1), std::ldexp(1.0L, -31)) << real;
  }
  EXPECT_EQ(quantize_multiplier(0).multiplier, 0);
  EXPECT_EQ(quantize_multiplier(0.5).multiplier, 1 << 30);
  EXPECT_EQ(quantize_multiplier(0.5).shift, 31);
  EXPECT_EQ(quantize_multiplier(1.0).shift, 30);
  // Tiny values denormalize rather than fail; the product still approximates them.
  const QuantMultiplier tiny = quantize_multiplier(std::ldexp(1.5, -40));
  EXPECT_EQ(tiny.shift, 62);
  EXPECT_EQ(tiny.multiplier, 3 << 21);
  EXPECT_THROW(quantize_multiplier(-1), Error);
  EXPECT_THROW(quantize_multiplier(std::ldexp(1.0, 31)), Error);
  EXPECT_THROW(quantize_multiplier(NAN), Error);
}

TEST(Quant, RequantizeMatchesLongDouble) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int64_t> acc(-(int64_t(1) << 32), int64_t(1) << 32);
  std::uniform_int_distribution<int32_t> mult(0, INT32_MAX);
  std::uniform_int_distribution<int> shift(0, 62), bits(1, 8), coin(0, 1);
  for (int i = 0; i < 200000; ++i) {
    const int64_t a = acc(rng);
    const int32_t m = mult(rng);
    const int s = shift(rng);
    const bool sg = coin(rng);
    const int b = bits(rng);
    const int32_t lo = qmin(b, sg), hi = qmax(b, sg);
    const int32_t zp = coin(rng) ? 0 : int32_t(rng() % 7) - 3;
    // Independent path: |a*m| < 2^63 and the half-up term are exact in a 64-bit mantissa.
    long double v = (long double)a * (long double)m;
    if (s > 0) v = std::floor((v + std::ldexp(1.0L, s - 1)) / std::ldexp(1.0L, s));
    v += zp;
    const long double want = std::min<long double>(std::max<long double>(v, lo), hi);
    ASSERT_EQ(requantize(a, m, s, zp, lo, hi), int64_t(want)) << a << " " << m << " " << s;
  }
  // Ties round half up, toward +infinity, for both signs.
  EXPECT_EQ(requantize(3, 1 << 30, 31, 0, -128, 127), 2);    // 1.5 -> 2
  EXPECT_EQ(requantize(-3, 1 << 30, 31, 0, -128, 127), -1);  // -1.5 -> -1
  EXPECT_EQ(requantize(-5, 1 << 30, 31, 0, -128, 127), -2);  // -2.5 -> -2
  EXPECT_EQ(requantize(1000, 1 << 30, 30, 0, 0, 255), 255);  // clamp
  EXPECT_EQ(requantize(-7, 1 << 30, 30, 0, 0, 255), 0);      // fused ReLU
  EXPECT_EQ(requantize(7, 5, 0, 1, -100, 100), 36);          // S == 0: no rounding term
}

TEST(Quant, MultiplierTimesRequantizeApproximatesTheReal) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> real(1e-6, 4.0);
  std::uniform_int_distribution<int64_t> acc(-(int64_t(1) << 28), int64_t(1) << 28);
  for (int i = 0; i < 100000; ++i) {
    const double r = real(rng);
    const int64_t a = acc(rng);
    const QuantMultiplier m = quantize_multiplier(r);
    const int64_t got = requantize(a, m.multiplier, m.shift, 0, INT32_MIN, INT32_MAX);
    ASSERT_LE(std::fabs(double(got) - double(a) * r), 0.5 + std::fabs(double(a) * r) * 1e-9 + 1e-9) << a << " " << r;
  }
}

TEST(Quant, ValueQuantizationAndRanges) {
  EXPECT_EQ(qmin(8, true), -128);
  EXPECT_EQ(qmax(8, true), 127);
  EXPECT_EQ(qmax(8, false), 255);
  EXPECT_EQ(qmin(1, true), -1);
  EXPECT_EQ(qmax(1, true), 0);
  EXPECT_EQ(clip_level(1, true), 1);
  EXPECT_EQ(clip_level(2, true), 1);
  EXPECT_EQ(clip_level(3, false), 7);
  EXPECT_EQ(quantize_value(2.5, 1, -128, 127), 3);
  EXPECT_EQ(quantize_value(-2.5, 1, -128, 127), -2);
  EXPECT_EQ(quantize_value(-1000, 1, -128, 127), -128);
  EXPECT_EQ(quantize_value(NAN, 1, -128, 127), -128);
}

TEST(Quant, ChooseClip) {
  std::mt19937 rng(4);
  std::normal_distribution<float> n(0, 1);
  std::vector<float> v(50000);
  for (float& x : v) x = n(rng);
  float mx = 0;
  for (float x : v) mx = std::max(mx, std::fabs(x));
  CalibrationOptions o;
  o.method = ClipMethod::Max;
  EXPECT_EQ(choose_clip(v, 8, true, o), mx);
  o.method = ClipMethod::Percentile;
  o.percentile = 99;
  EXPECT_NEAR(choose_clip(v, 8, true, o), 2.576, 0.1);  // |N(0,1)| 99th percentile
  o.method = ClipMethod::Mse;
  const float c2 = choose_clip(v, 2, true, o), c8 = choose_clip(v, 8, true, o);
  EXPECT_LT(c2, c8);  // fewer bits clip harder
  EXPECT_LE(c8, mx);
  EXPECT_GT(c2, 0.5f);
  EXPECT_EQ(choose_clip(std::vector<float>(10, 0.f), 4, false, o), 1.f);
}

// ------------------------------------------------------------ plan and quantize

TEST(Quant, Lenet5PlanAndNetwork) {
  const Graph g = make_model("lenet5", 1);
  Policy p = parse_bits_spec("w8a8", 5);
  p.activation_bits[2] = 4;
  const ActivationPlan plan = plan_activations(g, p);
  ASSERT_EQ(plan.domains.size(), 6u);  // input, conv1..fc3
  EXPECT_EQ(plan.domains[0].name, "input");
  EXPECT_TRUE(plan.domains[0].is_signed);
  EXPECT_EQ(plan.domains[0].bits, 8);
  EXPECT_EQ(plan.domains[1].name, "conv1");
  EXPECT_EQ(g.nodes[size_t(plan.domains[1].node)].name, "relu1");
  EXPECT_FALSE(plan.domains[1].is_signed);
  EXPECT_EQ(plan.domains[2].bits, 4);  // conv2's output (through pool2, flatten) feeds fc1 at 4 bits
  EXPECT_TRUE(plan.domains[5].int32_output);
  EXPECT_EQ(plan.domain_of[size_t(g.find("pool1"))], 1);
  // A nonnegative input is quantized unsigned: at 4 bits 0..15 instead of -8..7.
  Graph u = g;
  u.nodes[0].nonnegative = true;
  p.activation_bits[0] = 4;
  EXPECT_FALSE(plan_activations(u, p).domains[0].is_signed);
  EXPECT_TRUE(plan_activations(g, p).domains[0].is_signed);

  const auto cal = calibrate(g, random_images(g.input_shape(), 4, 1), p);
  EXPECT_EQ(cal.act_clip.size(), 5u);
  const QuantizedNetwork q = quantize(g, p, cal);
  ASSERT_EQ(q.layers.size(), 5u);
  EXPECT_EQ(q.ops.size(), 7u);  // 5 layers + 2 max pools, no rescales
  EXPECT_EQ(q.output_tensor().bits, 32);
  EXPECT_DOUBLE_EQ(q.output_scale(), q.ops[size_t(q.layers[4])].acc_scale);
  for (size_t l = 0; l < 5; ++l) {
    const QOp& op = q.ops[size_t(q.layers[l])];
    EXPECT_EQ(op.layer, int(l));
    EXPECT_EQ(q.tensors[size_t(op.inputs[0])].bits, p.activation_bits[l]);
    EXPECT_EQ(op.input_signed, l == 0);
    for (int16_t w : op.weight) {
      ASSERT_GE(w, qmin(op.weight_bits, true));
      ASSERT_LE(w, qmax(op.weight_bits, true));
    }
  }
  Calibration missing = cal;
  missing.act_clip.erase("conv2");
  try {
    quantize(g, p, missing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'conv2'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(quantize(g, parse_bits_spec("w8a8", 4), cal), Error);  // wrong policy length
}

TEST(Quant, LayersReadingOneTensorWithDifferentBitsGetRescaledCopies) {
  const Graph g = make_model("resnet-small", 2);
  // Layers: 0 stem, 1-2 block1, 3 block2_conv1, 4 block2_conv2, 5 block2_downsample, ...
  Policy p = parse_bits_spec("w4a8", 10);
  p.activation_bits[3] = 3;
  p.activation_bits[5] = 6;
  const auto cal = calibrate(g, random_images(g.input_shape(), 2, 2), p);
  const QuantizedNetwork q = quantize(g, p, cal);
  int rescales = 0;
  for (const QOp& op : q.ops) rescales += op.kind == QOpKind::Rescale;
  // block1's output is produced at max(3, 6) = 6 bits for the downsample conv
  // and copied once to 3 bits for block2_conv1.
  EXPECT_EQ(rescales, 1);
  const QOp& ds = q.ops[size_t(q.layers[5])];
  EXPECT_EQ(q.tensors[size_t(ds.inputs[0])].name, "block1_relu");
  for (size_t l = 0; l < q.layers.size(); ++l) {
    const QOp& op = q.ops[size_t(q.layers[l])];
    EXPECT_EQ(q.tensors[size_t(op.inputs[0])].bits, p.activation_bits[l]) << op.name;
    EXPECT_EQ(op.activation_bits, p.activation_bits[l]);
  }
  const QOp& add = q.ops[size_t(std::find_if(q.ops.begin(), q.ops.end(), [](const QOp& o) {
                                  return o.name == "block1_add";
                                }) - q.ops.begin())];
  ASSERT_EQ(add.kind, QOpKind::Add);
  EXPECT_EQ(add.requant.lo, 0);  // the block's ReLU is fused
  EXPECT_FALSE(q.tensors[size_t(add.output)].is_signed);
  for (int32_t m : add.input_multipliers) {
    EXPECT_GT(m, 0);
    EXPECT_LE(m, 1 << 20);
  }
}

TEST(Quant, UnsupportedStructuresAndOverflowAreErrors) {
  // (A ReLU no producer can fuse is a table: tests/compiler/unfused_relu_test.cpp.)
  Graph h;
  h.name = "overflow";
  const int in = h.add_input("input", {1, 4, 4});
  h.add_dense("fc", in, 1);
  h.nodes[1].weight.assign(16, 1.f);
  h.nodes[1].bias = {1e9f};
  const Policy p = parse_bits_spec("w8a8", 1);
  try {
    quantize(h, p, calibrate(h, random_images(h.input_shape(), 1, 3), p));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'fc'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("overflow"), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------ reference executor

TEST(Reference, RejectsBadInput) {
  const Graph g = make_model("lenet5", 1);
  Policy p = parse_bits_spec("w8a4", 5);
  const QuantizedNetwork q = quantize(g, p, calibrate(g, random_images(g.input_shape(), 1, 1), p));
  ReferenceExecutor e(q);
  EXPECT_THROW(e.run(std::vector<int8_t>(10)), Error);
  std::vector<int8_t> x(784, 0);
  x[5] = 8;  // outside the 4-bit signed input range
  try {
    e.run(x);
    FAIL();
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("index 5"), std::string::npos) << err.what();
  }
}

TEST(Reference, HandComputedTinyNetwork) {
  // input 1x2x2 -> dense 1 (weights 0.5, -0.25, 1, 0) with exact power-of-two scales.
  Graph g;
  g.name = "tiny";
  const int in = g.add_input("input", {1, 2, 2});
  g.add_dense("fc", in, 1);
  g.nodes[1].weight = {0.5f, -0.25f, 1.f, 0.f};
  g.nodes[1].bias = {0.125f};
  Calibration c;
  c.act_clip["input"] = 127.f / 64;  // s_in = 1/64
  c.weight_scale["fc"] = 1.f / 128;  // s_w = 2^-7: weights 64, -32, 128 -> clamp 127, 0
  const QuantizedNetwork q = quantize(g, parse_bits_spec("w8a8", 1), c);
  const QOp& fc = q.ops[0];
  EXPECT_EQ(fc.weight, (std::vector<int16_t>{64, -32, 127, 0}));
  EXPECT_EQ(fc.bias, (std::vector<int32_t>{1024}));  // 0.125 / 2^-13
  const std::vector<int8_t> x = quantize_input(q, {1.f, 0.5f, -0.25f, 2.f});
  EXPECT_EQ(x, (std::vector<int8_t>{64, 32, -16, 127}));
  const auto out = run_reference(q, x);
  EXPECT_EQ(out, (std::vector<int32_t>{64 * 64 - 32 * 32 - 127 * 16 + 1024}));
  EXPECT_DOUBLE_EQ(q.output_scale(), 1.0 / 8192);
}

namespace {

struct Mismatch {
  int64_t values = 0, off_by_one = 0;
};

// Runs the integer reference, then each op again in fake quantization on the
// dequantized integer inputs; their outputs must agree to one LSB.
void check_against_fake_quant(const QuantizedNetwork& q, const std::vector<float>& image, Mismatch& mm) {
  ReferenceExecutor e(q);
  const auto ints = e.run_all(quantize_input(q, image));
  std::vector<std::vector<double>> reals(q.tensors.size());
  for (size_t t = 0; t < q.tensors.size(); ++t) {
    reals[t].resize(ints[t].size());
    for (size_t j = 0; j < ints[t].size(); ++j) reals[t][j] = q.tensors[t].scale * ints[t][j];
  }
  for (size_t i = 0; i < q.ops.size(); ++i) {
    const QOp& op = q.ops[i];
    const QTensor& out = q.tensors[size_t(op.output)];
    const auto fq = fake_quant_op(q, i, reals);
    const auto& iv = ints[size_t(op.output)];
    ASSERT_EQ(fq.size(), iv.size());
    for (size_t j = 0; j < iv.size(); ++j) {
      const double lsb = fq[j] / out.scale;
      if (out.bits == 32) {  // the int32 output: no rounding at all
        ASSERT_NEAR(lsb, iv[j], 1e-6 * std::max(1.0, std::fabs(lsb))) << op.name;
        continue;
      }
      ASSERT_NEAR(lsb, std::round(lsb), 1e-6);
      const int64_t d = std::llabs(std::llround(lsb) - iv[j]);
      ASSERT_LE(d, 1) << q.name << " op " << op.name << " (" << qop_name(op.kind) << ") value " << j;
      if (op.kind == QOpKind::MaxPool) {
        ASSERT_EQ(d, 0) << op.name;
      }
      ++mm.values;
      mm.off_by_one += d;
    }
  }
  // The whole fake-quantized forward from the float image.
  const auto fq_out = fake_quant_forward(q, image);
  ASSERT_EQ(fq_out.size(), ints[size_t(q.output)].size());
}

}  // namespace

TEST(Reference, AgreesWithFakeQuantizationOnRandomModelsAndPolicies) {
  std::mt19937 rng(11);
  Mismatch mm;
  int runs = 0;
  for (const char* name : {"lenet5", "vgg-small", "resnet-small", "all-ops"}) {
    for (int trial = 0; trial < 4; ++trial) {
      Graph g = std::string(name) == "all-ops" ? all_ops_graph(uint64_t(trial + 1)) : make_model(name, uint64_t(trial + 1));
      perturb(g, uint32_t(trial));
      const Policy p = random_policy(g.quantizable_layers().size(), rng, trial % 2 == 0);
      const auto images = random_images(g.input_shape(), 3, uint32_t(trial));
      const auto cal = calibrate(g, images, p);
      const QuantizedNetwork q = quantize(g, p, cal, trial == 3);
      for (const auto& im : images) {
        check_against_fake_quant(q, im, mm);
        if (::testing::Test::HasFatalFailure()) return;
        ++runs;
      }
    }
  }
  EXPECT_EQ(runs, 48);
  EXPECT_GT(mm.values, 100000);
  // Off-by-one needs a value within ~2^-21 relative of a rounding boundary.
  EXPECT_LE(double(mm.off_by_one), 1e-4 * double(mm.values)) << mm.off_by_one << " of " << mm.values;
  std::printf("fake quantization vs integer reference: %lld of %lld values one LSB apart\n",
              (long long)mm.off_by_one, (long long)mm.values);
}

TEST(Reference, EndToEndFakeQuantizationMostlyBitExact) {
  // Without teacher forcing a rare one-LSB difference can propagate; the
  // outputs still agree exactly on nearly every image.
  std::mt19937 rng(12);
  int exact = 0, total = 0;
  for (const char* name : {"lenet5", "resnet-small"}) {
    Graph g = make_model(name, 21);
    perturb(g, 21);
    const Policy p = random_policy(g.quantizable_layers().size(), rng, true);
    const auto images = random_images(g.input_shape(), 20, 21);
    const QuantizedNetwork q = quantize(g, p, calibrate(g, images, p));
    ReferenceExecutor e(q);
    for (const auto& im : images) {
      const auto iv = e.run(quantize_input(q, im));
      const auto fv = fake_quant_forward(q, im);
      bool same = true;
      for (size_t j = 0; j < iv.size(); ++j)
        same &= std::fabs(fv[j] / q.output_scale() - iv[j]) < 1e-6 * std::max(1.0, std::fabs(double(iv[j])));
      exact += same;
      ++total;
    }
  }
  EXPECT_GE(exact, total - 1) << exact << " of " << total;
}

TEST(Reference, W8A8StaysWithinQuantizationErrorOfTheFloatModel) {
  for (const char* name : {"lenet5", "vgg-small", "resnet-small"}) {
    Graph g = make_model(name, 5);
    perturb(g, 5);
    const Policy p = parse_bits_spec("w8a8", g.quantizable_layers().size());
    const auto calib = random_images(g.input_shape(), 8, 50);
    const QuantizedNetwork q = quantize(g, p, calibrate(g, calib, p));
    ReferenceExecutor e(q);
    double err2 = 0, ref2 = 0;
    int agree = 0;
    const auto images = random_images(g.input_shape(), 20, 51);
    for (const auto& im : images) {
      const auto f = forward(g, im);
      const auto iv = e.run(quantize_input(q, im));
      std::vector<int32_t> fi(f.size());
      for (size_t j = 0; j < f.size(); ++j) {
        const double d = q.output_scale() * iv[j] - f[j];
        err2 += d * d;
        ref2 += double(f[j]) * f[j];
      }
      agree += argmax(iv) == int(std::max_element(f.begin(), f.end()) - f.begin());
    }
    const double rel = std::sqrt(err2 / ref2);
    EXPECT_LT(rel, 0.05) << name;
    EXPECT_GE(agree, 17) << name;
    // Fewer bits, larger error: W2A2 must be clearly worse (the comparison is meaningful).
    const Policy p2 = parse_bits_spec("w2a2", g.quantizable_layers().size());
    const QuantizedNetwork q2 = quantize(g, p2, calibrate(g, calib, p2));
    ReferenceExecutor e2(q2);
    double err2b = 0;
    for (const auto& im : images) {
      const auto f = forward(g, im);
      const auto iv = e2.run(quantize_input(q2, im));
      for (size_t j = 0; j < f.size(); ++j) {
        const double d = q2.output_scale() * iv[j] - f[j];
        err2b += d * d;
      }
    }
    EXPECT_GT(std::sqrt(err2b / ref2), 2 * rel) << name;
    std::printf("%s: W8A8 relative logit error %.4f, argmax agreement %d/20; W2A2 error %.3f\n", name, rel, agree,
                std::sqrt(err2b / ref2));
  }
}

TEST(Reference, ImageNetModelsQuantizeAndRun) {
  // resnet18 end to end at mixed precision on one image: shapes and ranges only.
  const Graph g = make_model("resnet18", 1);
  std::mt19937 rng(3);
  const Policy p = random_policy(21, rng, false);
  const auto im = random_images(g.input_shape(), 1, 3);
  const QuantizedNetwork q = quantize(g, p, calibrate(g, im, p));
  const auto out = run_reference(q, quantize_input(q, im[0]));
  EXPECT_EQ(out.size(), 1000u);
  EXPECT_EQ(q.layers.size(), 21u);
}

TEST(Reference, GemmPathsComputeTheExactIntegerProduct) {
  // A conv (last layer: int32 output, so nothing rounds) checked against a
  // naive int64 loop. 3 input channels take the float GEMM path (bound <
  // 2^24), 256 input channels the double path (sum |w| * 128 > 2^24).
  for (int cin : {3, 256}) {
    Graph g;
    g.name = "conv";
    const int in = g.add_input("input", {cin, 9, 7});
    g.add_conv("c", in, 5, 3, 2, 1);
    init_weights(g, uint64_t(cin));
    perturb(g, 1);
    const Policy p = parse_bits_spec("w8a8", 1);
    const auto im = random_images(g.input_shape(), 1, 9);
    std::vector<float> signed_im = im[0];
    for (float& v : signed_im) v = 2 * v - 1;
    const QuantizedNetwork q = quantize(g, p, calibrate(g, {signed_im}, p));
    const auto x = quantize_input(q, signed_im);
    const auto out = run_reference(q, x);
    const QOp& op = q.ops[0];
    const Shape os = q.output_tensor().shape;
    int64_t max_abs = 0;
    for (int o = 0; o < os.c; ++o)
      for (int oy = 0; oy < os.h; ++oy)
        for (int ox = 0; ox < os.w; ++ox) {
          int64_t acc = op.bias[size_t(o)];
          for (int c = 0; c < cin; ++c)
            for (int ky = 0; ky < 3; ++ky)
              for (int kx = 0; kx < 3; ++kx) {
                const int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                if (iy < 0 || iy >= 9 || ix < 0 || ix >= 7) continue;
                acc += int64_t(op.weight[size_t(((o * cin + c) * 3 + ky) * 3 + kx)]) * x[size_t((c * 9 + iy) * 7 + ix)];
              }
          ASSERT_EQ(out[size_t((o * os.h + oy) * os.w + ox)], acc) << cin;
          max_abs = std::max<int64_t>(max_abs, acc < 0 ? -acc : acc);
        }
    if (cin == 256) {
      EXPECT_GT(max_abs, 1 << 16);  // large sums really occur
    }
  }
}

TEST(Reference, BatchedRunEqualsImageByImage) {
  // run_batch() multiplies several images' columns in one GEMM and
  // requantizes in 64-bit where exact; every integer must equal run()'s.
  // Uneven batch sizes cut the convolutions' image blocks unevenly.
  std::mt19937 rng(5);
  for (const char* name : {"all-ops", "lenet5", "vgg-small", "resnet-small"}) {
    Graph g = std::string(name) == "all-ops" ? all_ops_graph(3) : make_model(name, 3);
    perturb(g, 2);
    const Policy p = random_policy(g.quantizable_layers().size(), rng, true);
    const auto images = random_images(g.input_shape(), 13, 4);
    const QuantizedNetwork q = quantize(g, p, calibrate(g, images, p));
    ReferenceExecutor ex(q);
    std::vector<std::vector<int32_t>> expected;
    std::vector<int8_t> batch;
    for (const auto& im : images) {
      const auto x = quantize_input(q, im);
      expected.push_back(ex.run(x));
      batch.insert(batch.end(), x.begin(), x.end());
    }
    const size_t in_size = batch.size() / images.size();
    for (int n : {1, 6, 13}) {
      std::vector<int32_t> out;
      ex.run_batch(batch.data(), n, out);
      ASSERT_EQ(out.size(), size_t(n) * expected[0].size()) << name;
      for (int i = 0; i < n; ++i)
        EXPECT_TRUE(std::equal(expected[size_t(i)].begin(), expected[size_t(i)].end(),
                               out.begin() + ptrdiff_t(size_t(i) * expected[0].size())))
            << name << " image " << i << " of a batch of " << n;
    }
    std::vector<int8_t> bad(batch.begin(), batch.begin() + ptrdiff_t(in_size));
    if (!q.input_tensor().is_signed) continue;
    bad[0] = int8_t(-128);
    if (q.input_tensor().lo() > -128) {
      std::vector<int32_t> out;
      EXPECT_THROW(ex.run_batch(bad.data(), 1, out), Error) << name;
    }
  }
}
