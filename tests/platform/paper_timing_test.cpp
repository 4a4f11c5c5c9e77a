// On the paper's analytical preset (cim-aq-paper.yaml) every cost is zero but
// crossbar programming (56 us per crossbar) and crossbar execution (1.4 us
// per input slice), so a program that programs T tiles and runs E executes
// takes exactly T x 56 us + E x 1.4 us of simulated time.
#include <gtest/gtest.h>

#include <random>

#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/program.h"

namespace cimvp {
namespace {

constexpr uint64_t kProgramPs = 56'000'000;  // 56 us, from the paper (NeuRRAM)
constexpr uint64_t kExecutePs = 1'400'000;   // 1.4 us per input slice

struct PaperProgram {
  FirmwareImage image;
  uint64_t tiles = 0, executes = 0;
};

// T tiles, each programmed onto the one crossbar and then used by a loop of
// MVMs with a random number of invocations and random input bits.
PaperProgram random_program(const ArchConfig& arch, std::mt19937& rng, bool timing_only) {
  PaperProgram p;
  p.image = test::make_image(arch, {});
  p.image.timing_only = timing_only;
  test::Program code;
  std::uniform_int_distribution<int> tiles(1, 6), inv(1, 40), bits(1, 8), rows(1, 256);
  const int t = tiles(rng);
  for (int i = 0; i < t; ++i) {
    const int wb = bits(rng);
    WeightBlock b;
    b.rows = uint32_t(rows(rng));
    b.cols = uint32_t(std::uniform_int_distribution<int>(1, arch.crossbar.max_tile_cols(wb))(rng));
    b.weight_bits = uint8_t(wb);
    if (!timing_only) b.weights.assign(size_t(b.rows) * b.cols, -1);
    p.image.blocks.push_back(b);
    const int n = inv(rng), ib = bits(rng);
    code.xprog(0, i);
    code.li(1, 0).li(2, n);
    const int loop = code.here();
    code.mvm(0, 1, 4096, 0, ib, false, false);
    code.addi(1, 1, 1).blt(1, 2, loop);
    p.tiles += 1;
    p.executes += uint64_t(n) * uint64_t(arch.dac.input_slices(ib));
  }
  code.halt();
  p.image.cores[0].code = code.code;
  return p;
}

TEST(PaperTiming, ProgrammedTilesAndExecutesAddUpExactly) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/cim-aq-paper.yaml"));
  ASSERT_EQ(arch.cores(), 1);
  ASSERT_EQ(arch.crossbars_per_core(), 1);
  Soc soc("soc", arch);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const bool timing_only = trial % 2 == 1;
    PaperProgram p = random_program(arch, rng, timing_only);
    soc.load(p.image);
    const RunResult r = soc.run(timing_only ? RunMode::Timing : RunMode::Functional);
    const uint64_t expected = p.tiles * kProgramPs + p.executes * kExecutePs;
    EXPECT_EQ(r.report.picoseconds, expected) << "T=" << p.tiles << " E=" << p.executes;
    EXPECT_DOUBLE_EQ(r.report.seconds, double(expected) * 1e-12);
    EXPECT_EQ(r.report.totals.crossbar_programs, p.tiles);
  }
}

}  // namespace
}  // namespace cimvp
