// The paper's latency model (DATE 2026, CIM-AQ; DESIGN.md section 1): on
// configs/arch/cim-aq-paper.yaml the VP's simulated time for a compiled
// network equals, to the picosecond, the analytical formula summed over the
// quantizable layers:
//   cols = m * ceil(w / 4) * 2          (4-bit cells, differential columns)
//   rows = n                            (Cin * k * k for a convolution)
//   tiles = ceil(cols / 256) * ceil(rows / 256)
//   executes = inv * tiles * ceil(a / 1) (1-bit DAC; inv = Hout * Wout, 1 for dense)
//   latency = tiles * 56 us + executes * 1.4 us
// The formula lives only here: the compiler and the VP know nothing of it.
#include <gtest/gtest.h>

#include <random>

#include "compiler/compile.h"
#include "nn/model_source.h"
#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp {
namespace {

using test::random_policy;

constexpr uint64_t kWritePs = 56'000'000;   // 56 us per crossbar write
constexpr uint64_t kExecutePs = 1'400'000;  // 1.4 us per MVM execute
constexpr int64_t kM = 256, kN = 256, kCellBits = 4, kDacBits = 1;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Formula {
  uint64_t tiles = 0, executes = 0;
  uint64_t picoseconds() const { return tiles * kWritePs + executes * kExecutePs; }
};

// The paper's formula over the Conv2d/Dense layers of `q` (its shapes and bits).
Formula paper_formula(const QuantizedNetwork& q) {
  Formula f;
  for (int index : q.layers) {
    const QOp& op = q.ops[size_t(index)];
    const int64_t w = op.weight_bits, a = op.activation_bits, m = op.out_channels;
    int64_t n = 0, inv = 0;
    if (op.kind == QOpKind::Conv2d) {
      n = int64_t(op.in_channels) * op.kernel * op.kernel;
      const Shape& out = q.tensors[size_t(op.output)].shape;
      inv = int64_t(out.h) * out.w;
    } else {
      n = op.in_channels;
      inv = 1;
    }
    const int64_t cols = m * ceil_div(w, kCellBits) * 2, rows = n;
    const int64_t tiles = ceil_div(cols, kM) * ceil_div(rows, kN);
    f.tiles += uint64_t(tiles);
    f.executes += uint64_t(inv * tiles * ceil_div(a, kDacBits));
  }
  return f;
}

class PaperLatency : public ::testing::Test {
 protected:
  static ArchConfig arch() { return load_arch_config(test::source_path("configs/arch/cim-aq-paper.yaml")); }

  // Compiles `model` at `policy` (timing only), runs it and compares.
  void check(Soc& soc, const ArchConfig& a, const ModelFile& model, const Policy& policy) {
    const QuantizedNetwork q = quantize_any(model, policy);
    CompileOptions options;
    options.timing_only = true;
    const CompileResult compiled = compile(q, a, options);
    soc.load(compiled.image, q.name);
    const RunResult r = soc.run(RunMode::Timing);
    const Formula f = paper_formula(q);
    const std::string what = q.name + " w" + ::testing::PrintToString(policy.weight_bits) + " a" +
                             ::testing::PrintToString(policy.activation_bits);
    EXPECT_EQ(r.report.totals.crossbar_programs, f.tiles) << what;
    EXPECT_EQ(r.report.picoseconds, f.picoseconds()) << what;
    EXPECT_GT(f.executes, f.tiles) << what;
  }
};

TEST_F(PaperLatency, Vgg16AtImageNetShapes) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  const ModelFile model = load_model_structure("vgg16");
  const size_t layers = model.graph.quantizable_layers().size();
  ASSERT_EQ(layers, 16u);
  check(soc, a, model, uniform_policy(layers, 8, 8));
  std::mt19937 rng(16);
  check(soc, a, model, random_policy(rng, layers));
  // The uniform W8A8 baseline from the formula: 16 layers, tens of seconds.
  const Formula f = paper_formula(quantize_any(model, uniform_policy(layers, 8, 8)));
  EXPECT_GT(f.picoseconds(), 1'000'000'000'000ull);
}

TEST_F(PaperLatency, Resnet18AtImageNetShapes) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  const ModelFile model = load_model_structure("resnet18");
  const size_t layers = model.graph.quantizable_layers().size();
  ASSERT_EQ(layers, 21u);  // 17 convolutions, 3 downsampling 1x1 convolutions, 1 dense
  check(soc, a, model, uniform_policy(layers, 8, 8));
  std::mt19937 rng(18);
  check(soc, a, model, random_policy(rng, layers));
}

TEST_F(PaperLatency, SmallModelsRandomPolicies) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::mt19937 rng(5);
  for (const std::string name : {"lenet5", "vgg-small", "resnet-small"}) {
    const ModelFile model = load_model_structure(name);
    const size_t layers = model.graph.quantizable_layers().size();
    check(soc, a, model, uniform_policy(layers, 8, 8));
    check(soc, a, model, uniform_policy(layers, 1, 1));
    for (int trial = 0; trial < 4; ++trial) check(soc, a, model, random_policy(rng, layers));
  }
}

}  // namespace
}  // namespace cimvp
