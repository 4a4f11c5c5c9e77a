// Images that do not fit the architecture, or fault while running, give one
// clear error naming the core, the instruction and the problem, and leave the
// SoC ready for the next image.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "common/error.h"
#include "platform/soc.h"
#include "tests/support/program.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

ArchConfig arch() {
  ArchConfig a;
  a.name = "small";
  a.mesh_rows = 1;
  a.mesh_cols = 2;
  a.pes_per_core = 1;
  a.crossbars_per_pe = 2;
  a.xbar_rows = a.xbar_cols = 32;
  a.adc_bits = 16;
  a.buffer_bytes = 1024;
  a.memory_bytes = 4096;
  return a;
}

std::string load_error(Soc& soc, const FirmwareImage& image) {
  try {
    soc.load(image, "prog.img");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string run_error(Soc& soc, const FirmwareImage& image, RunMode mode = RunMode::Timing) {
  try {
    soc.load(image, "prog.img");
    soc.run(mode, std::vector<TensorBytes>(image.inputs.size()));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

WeightBlock block(uint32_t rows, uint32_t cols) {
  WeightBlock b;
  b.rows = rows;
  b.cols = cols;
  b.weight_bits = 8;
  b.weights.assign(size_t(rows) * cols, 1);
  return b;
}

TEST(BadImage, WrongArchitecture) {
  const ArchConfig a = arch();
  ArchConfig other = a;
  other.name = "other";
  other.xbar_cols = 64;
  Soc soc("soc", a);
  const std::string e = load_error(soc, test::make_image(other, {}));
  EXPECT_THAT(e, HasSubstr("prog.img"));
  EXPECT_THAT(e, HasSubstr("compiled for architecture 'other'"));
}

TEST(BadImage, CrossbarIndexOutOfRange) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  test::Program p;
  p.xprog(2, 0).halt();
  FirmwareImage image = test::make_image(a, {p});
  image.blocks.push_back(block(4, 1));
  EXPECT_THAT(load_error(soc, image), HasSubstr("core 0 instruction 0 (xprog): crossbar 2 is out of range 0..1"));
  test::Program q;
  q.mvm(1, 2, 0, 0, 8).halt();
  EXPECT_THAT(load_error(soc, test::make_image(a, {q})), HasSubstr("instruction 0 (mvm): crossbars 1..2 are out of range"));
}

TEST(BadImage, BlockLargerThanACrossbar) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  FirmwareImage image = test::make_image(a, {});
  image.blocks.push_back(block(33, 1));
  EXPECT_THAT(load_error(soc, image), HasSubstr("weight block 0 (33 x 1 weights of 8 bits)"));
}

TEST(BadImage, BufferAddressOutOfBounds) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  test::Program p;
  p.li(3, 1000).vcfg(VcfgReg::VL, 16);
  Instruction fill;
  fill.op = Opcode::Vfill32;
  fill.rd = 3;
  fill.imm0 = 20;  // [1020, 1084) in a 1024-byte buffer
  p.emit(fill).halt();
  for (RunMode mode : {RunMode::Timing, RunMode::Functional}) {
    const std::string e = run_error(soc, test::make_image(a, {p}), mode);
    EXPECT_THAT(e, HasSubstr("core 0 instruction 2 (vfill32): destination buffer range [1020, 1084) is outside the 1024-byte local buffer"));
  }
}

TEST(BadImage, MemoryAddressOutOfBounds) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  test::Program p;
  p.load(0, 4000, 200).halt();
  EXPECT_THAT(run_error(soc, test::make_image(a, {p})), HasSubstr("global memory range [4000, 4200) is outside"));
}

TEST(BadImage, UnprogrammedCrossbar) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  test::Program p;
  p.mvm(0, 1, 0, 0, 8).halt();
  EXPECT_THAT(run_error(soc, test::make_image(a, {p})), HasSubstr("crossbar 0 is not programmed"));
}

TEST(BadImage, RunningPastTheEnd) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  test::Program p;
  p.li(1, 1);
  EXPECT_THAT(run_error(soc, test::make_image(a, {p})), HasSubstr("ran past the end of the code"));
}

TEST(BadImage, DeadlockIsReportedAndTheSocRecovers) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::vector<test::Program> p(2);
  p[0].recv(1, 0, 16).halt();
  p[1].halt();
  const std::string e = run_error(soc, test::make_image(a, p));
  EXPECT_THAT(e, HasSubstr("deadlock"));
  EXPECT_THAT(e, HasSubstr("core 0 waits in recv from core 1 at instruction 0"));
  // the same SoC runs a good image afterwards
  std::vector<test::Program> good(2);
  good[1].vcfg(VcfgReg::VL, 4).send(0, 0, 16).halt();
  good[0].recv(1, 0, 16).halt();
  soc.load(test::make_image(a, good));
  EXPECT_NO_THROW(soc.run(RunMode::Timing));
}

TEST(BadImage, MessageSizeMismatch) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::vector<test::Program> p(2);
  p[0].recv(1, 0, 16).halt();
  p[1].send(0, 0, 8).halt();
  EXPECT_THAT(run_error(soc, test::make_image(a, p)),
              HasSubstr("received a 8-byte message from core 1 but expected 16 bytes"));
}

TEST(BadImage, TimingOnlyImageInFunctionalMode) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  FirmwareImage image = test::make_image(a, {test::Program().halt()});
  image.timing_only = true;
  EXPECT_THAT(run_error(soc, image, RunMode::Functional), HasSubstr("compiled with --timing-only"));
}

TEST(BadImage, ErrorInOneCoreAbortsTheOthers) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::vector<test::Program> p(2);
  p[0].barrier().halt();
  p[1].load(0, 5000, 1).barrier().halt();
  EXPECT_THAT(run_error(soc, test::make_image(a, p)), HasSubstr("core 1 instruction 0 (load)"));
  std::vector<test::Program> good(2);
  good[0].barrier().halt();
  good[1].barrier().halt();
  soc.load(test::make_image(a, good));
  EXPECT_NO_THROW(soc.run(RunMode::Timing));
}

}  // namespace
}  // namespace cimvp
