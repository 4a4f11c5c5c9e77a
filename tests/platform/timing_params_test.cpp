// Each timing parameter changes the simulated time by the amount the timing
// model in docs/configuration.md predicts: the test runs the same program on
// a base architecture and on one with a single parameter changed.
#include <gtest/gtest.h>

#include <functional>

#include "models/timing.h"
#include "platform/soc.h"
#include "tests/support/program.h"

namespace cimvp {
namespace {

constexpr int kRows = 100, kCols = 10, kMvms = 10, kInputBits = 8, kLoadBytes = 1000;

ArchConfig base_arch() {
  ArchConfig a;
  a.name = "timing-base";
  a.mesh.rows = 1;
  a.mesh.cols = 1;
  a.core.pes = 1;
  a.core.crossbars_per_pe = 2;
  a.crossbar.rows = a.crossbar.cols = 256;
  a.crossbar.cell_bits = 2;
  a.dac.bits = 1;
  a.adc.bits = 16;
  a.adc.cols_per_adc = 8;
  a.adc.ns = 1.0;
  a.dac.ns = 0.5;
  a.crossbar.read_ns = 10.0;
  a.crossbar.program_ns = 1000.0;
  a.crossbar.program_row_ns = 2.0;
  a.clock_mhz = 1000.0;
  a.buffer.latency_cycles = 1;
  a.buffer.width_bytes = 32;
  a.gpeu.lanes = 16;
  a.gpeu.startup_cycles = 2;
  a.memory.latency_ns = 50.0;
  a.memory.bytes_per_ns = 12.8;
  a.memory.bytes = 1 << 20;
  a.buffer.bytes = 1 << 16;
  return a;
}

// Two 100 x 10 blocks of 8-bit weights on crossbars 0 and 1, ten Mvms over
// both, a 64-element GPEU op and a 1000-byte load.
FirmwareImage program(const ArchConfig& a) {
  FirmwareImage image = test::make_image(a, {});
  for (int k = 0; k < 2; ++k) {
    WeightBlock b;
    b.rows = kRows;
    b.cols = kCols;
    b.weight_bits = 8;
    b.col_offset = uint32_t(k * kCols);
    b.weights.assign(size_t(kRows * kCols), 1);
    image.blocks.push_back(b);
  }
  test::Program p;
  p.xprog(0, 0).xprog(1, 1);
  for (int i = 0; i < kMvms; ++i) p.mvm(0, 2, 1024, 0, kInputBits);
  p.vcfg(VcfgReg::VL, 64);
  Instruction fill;
  fill.op = Opcode::Vfill32;
  fill.imm0 = 4096;
  p.emit(fill);
  p.load(8192, 0, kLoadBytes);
  p.halt();
  image.cores[0].code = p.code;
  return image;
}

Picos run(Soc& soc) {
  soc.load(program(soc.arch()));
  return soc.run(RunMode::Timing).report.picoseconds;
}

// Simulated time on the base and on a variant made by `change`.
std::pair<int64_t, int64_t> base_and_variant(const std::function<void(ArchConfig&)>& change, ArchConfig* variant_out = nullptr) {
  ArchConfig variant = base_arch();
  change(variant);
  variant.name = "timing-variant";
  Soc base("base", base_arch()), other("variant", variant);
  if (variant_out) *variant_out = variant;
  return {int64_t(run(base)), int64_t(run(other))};
}

int64_t ps(double ns) { return int64_t(std::llround(ns * 1000)); }

// Per-slice ADC conversions of the widest crossbar: ceil(physical columns / ADCs).
int64_t conversions_per_adc(const ArchConfig& a) {
  const int64_t adcs = (a.crossbar.cols + a.adc.cols_per_adc - 1) / a.adc.cols_per_adc;
  return (a.crossbar.physical_cols(kCols, 8) + adcs - 1) / adcs;
}

TEST(TimingParams, AdcConversionTime) {
  auto [base, variant] = base_and_variant([](ArchConfig& a) { a.adc.ns = 3.0; });
  const int64_t slices = kInputBits;
  EXPECT_EQ(variant - base, kMvms * slices * conversions_per_adc(base_arch()) * ps(2.0));
}

TEST(TimingParams, AdcSharing) {
  ArchConfig v;
  auto [base, variant] = base_and_variant([](ArchConfig& a) { a.adc.cols_per_adc = 32; }, &v);
  const int64_t extra = conversions_per_adc(v) - conversions_per_adc(base_arch());
  ASSERT_GT(extra, 0);
  EXPECT_EQ(variant - base, kMvms * kInputBits * extra * ps(1.0));
}

TEST(TimingParams, DacBitsCutInputSlices) {
  auto [base, variant] = base_and_variant([](ArchConfig& a) { a.dac.bits = 2; });
  const ArchConfig b = base_arch();
  const int64_t per_slice = ps(b.dac.ns) + ps(b.crossbar.read_ns) + conversions_per_adc(b) * ps(b.adc.ns);
  EXPECT_EQ(base - variant, kMvms * (kInputBits - kInputBits / 2) * per_slice);
}

TEST(TimingParams, CrossbarReadTime) {
  auto [base, variant] = base_and_variant([](ArchConfig& a) { a.crossbar.read_ns = 25.0; });
  EXPECT_EQ(variant - base, kMvms * kInputBits * ps(15.0));
}

TEST(TimingParams, ProgrammingTime) {
  auto [base, variant] = base_and_variant([](ArchConfig& a) {
    a.crossbar.program_ns = 3000.0;
    a.crossbar.program_row_ns = 5.0;
  });
  EXPECT_EQ(variant - base, 2 * (ps(2000.0) + kRows * ps(3.0)));
}

TEST(TimingParams, BufferLatency) {
  // Each Mvm reads its 100 input bytes and writes 2 x 10 int32 outputs.
  auto [base, latency] = base_and_variant([](ArchConfig& a) { a.buffer.latency_cycles = 4; });
  // accesses: 10 Mvms x 2, the GPEU op, the load
  EXPECT_EQ(latency - base, (kMvms * 2 + 1 + 1) * 3 * 1000);
}

TEST(TimingParams, BufferWidth) {
  auto [base2, narrow] = base_and_variant([](ArchConfig& a) { a.buffer.width_bytes = 8; });
  auto cycles = [](int64_t bytes, int64_t width) { return (bytes + width - 1) / width; };
  const int64_t per_mvm = cycles(kRows, 8) - cycles(kRows, 32) + cycles(80, 8) - cycles(80, 32);
  const int64_t gpeu = cycles(256, 8) - cycles(256, 32);
  const int64_t load = cycles(kLoadBytes, 8) - cycles(kLoadBytes, 32);
  EXPECT_EQ(narrow - base2, (kMvms * per_mvm + gpeu + load) * 1000);
}

TEST(TimingParams, GpeuLanes) {
  auto [base, variant] = base_and_variant([](ArchConfig& a) { a.gpeu.lanes = 4; });
  EXPECT_EQ(variant - base, (64 / 4 - 64 / 16) * 1000);
}

TEST(TimingParams, DramLatency) {
  auto [base, slow] = base_and_variant([](ArchConfig& a) { a.memory.latency_ns = 250.0; });
  EXPECT_EQ(slow - base, ps(200.0));
}

TEST(TimingParams, DramBandwidth) {
  auto [base2, narrow] = base_and_variant([](ArchConfig& a) { a.memory.bytes_per_ns = 3.2; });
  EXPECT_EQ(narrow - base2, ps(kLoadBytes / 3.2) - ps(kLoadBytes / 12.8));
}

TEST(TimingParams, IssueCycles) {
  auto [base, variant] = base_and_variant([](ArchConfig& a) { a.core.issue_cycles = 3; });
  // one vcfg is the only scalar/control instruction that costs issue time
  EXPECT_EQ(variant - base, 2 * 1000);
}

}  // namespace
}  // namespace cimvp
