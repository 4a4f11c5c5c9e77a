// Images that do not fit the architecture, or fault while running, give one
// clear error naming the core, the instruction and the problem, and leave the
// SoC ready for the next image.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "common/error.h"
#include "platform/soc.h"
#include "firmware/program_builder.h"
#include "tests/support/program.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

ArchConfig arch() {
  ArchConfig a;
  a.name = "small";
  a.mesh.rows = 1;
  a.mesh.cols = 2;
  a.core.pes = 1;
  a.core.crossbars_per_pe = 2;
  a.crossbar.rows = a.crossbar.cols = 32;
  a.adc.bits = 16;
  a.buffer.bytes = 1024;
  a.memory.bytes = 4096;
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
  other.crossbar.cols = 64;
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
  Instruction far_load;  // a computed address (r1 = 5000) past the 4096-byte memory: found only when it runs
  far_load.op = Opcode::Load;
  far_load.ra = 1;
  far_load.imm2 = 1;
  p[1].li(1, 5000).emit(far_load).barrier().halt();
  EXPECT_THAT(run_error(soc, test::make_image(a, p)), HasSubstr("core 1 instruction 1 (load)"));
  std::vector<test::Program> good(2);
  good[0].barrier().halt();
  good[1].barrier().halt();
  soc.load(test::make_image(a, good));
  EXPECT_NO_THROW(soc.run(RunMode::Timing));
}

// Every vcfg register refuses a constant outside its documented range when
// the image loads, and a computed one when the core runs, naming the core
// and the instruction; values at the ends of the ranges are accepted.
TEST(BadImage, VcfgValuesOutsideTheirRangeAreRefused) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  for (int r = 0; r < kNumVcfgRegs; ++r) {
    const VcfgReg reg = VcfgReg(r);
    const VcfgRange range = vcfg_range(reg);
    SCOPED_TRACE(vcfg_name(reg));
    for (const int64_t ok : {range.lo, range.hi}) {
      test::Program p;
      p.vcfg(reg, int32_t(ok)).halt();
      EXPECT_EQ(run_error(soc, test::make_image(a, {p})), "");
    }
    std::vector<int64_t> bad;
    if (range.lo > INT32_MIN) bad.push_back(range.lo - 1);
    if (range.hi < INT32_MAX) bad.push_back(range.hi + 1);
    if (reg == VcfgReg::Shift) bad.push_back(128);  // once an undefined 128-bit shift in the GPEU
    for (const int64_t value : bad) {
      const std::string what = std::string("vcfg ") + vcfg_name(reg) + " " + std::to_string(value) + " is outside " +
                               std::to_string(range.lo) + ".." + std::to_string(range.hi);
      test::Program constant;
      constant.li(1, 0).vcfg(reg, int32_t(value)).halt();
      const std::string at_load = load_error(soc, test::make_image(a, {constant}));
      EXPECT_THAT(at_load, HasSubstr("core 0 instruction 1"));
      EXPECT_THAT(at_load, HasSubstr(what));
      Instruction computed;  // vcfg REG, r1 with r1 = value
      computed.op = Opcode::Vcfg;
      computed.flags = uint8_t(reg);
      computed.ra = 1;
      test::Program p;
      p.li(1, int32_t(value)).emit(computed).halt();
      const std::string at_run = run_error(soc, test::make_image(a, {p}));
      EXPECT_THAT(at_run, HasSubstr("core 0 instruction 1 (vcfg)"));
      EXPECT_THAT(at_run, HasSubstr(what));
    }
  }
}

// Constant buffer and memory addresses and byte counts: negative ones are
// refused by any loader, ones past the buffer or memory by the SoC.
TEST(BadImage, ConstantAddressesOutsideTheirSpaceAreRefusedAtLoad) {
  const ArchConfig a = arch();  // 1024-byte buffer, 4096-byte memory
  Soc soc("soc", a);
  auto load_of = [&](const Instruction& in) {
    test::Program p;
    p.li(1, 0).emit(in).halt();
    return load_error(soc, test::make_image(a, {p}));
  };
  for (Opcode op : {Opcode::Mvm, Opcode::Vreq, Opcode::Vmac, Opcode::Vadd32, Opcode::Vmax8, Opcode::Vfill32,
                    Opcode::Vcopy, Opcode::Vlut, Opcode::Vmul8, Opcode::Vsoftmax, Opcode::Load, Opcode::Store,
                    Opcode::Send, Opcode::Recv}) {
    Instruction base = ProgramBuilder::make(op, 0, 0, 0, 0, 0);
    if (op == Opcode::Mvm) base.imm0 = mvm_pack_crossbars(0, 1);
    if (op == Opcode::Send || op == Opcode::Recv) base.imm0 = 1;
    if (op == Opcode::Vreq) base.flags = flag::kVreqBias;
    const size_t operands = address_operands(base).size();
    ASSERT_GT(operands, 0u) << mnemonic(op);
    for (size_t k = 0; k < operands; ++k) {
      const AddressOperand operand = address_operands(base)[k];
      SCOPED_TRACE(std::string(mnemonic(op)) + " " + operand.name);
      auto with = [&](int32_t value) {  // `base` with operand k set to value
        Instruction in = base;
        int32_t* field = &in.imm0;  // the immediate that address_operands reports as operand k
        for (int32_t* imm : {&in.imm0, &in.imm1, &in.imm2}) {
          const int32_t saved = *imm;
          *imm = 0x1234567;
          if (address_operands(in)[k].offset == 0x1234567) field = imm;
          *imm = saved;
        }
        *field = value;
        return in;
      };
      const std::string negative = load_of(with(-4));
      EXPECT_THAT(negative, HasSubstr("core 0 instruction 1"));
      EXPECT_THAT(negative, HasSubstr(std::string(operand.name)));
      EXPECT_THAT(negative, HasSubstr("-4 is negative"));
      if (operand.space == AddressOperand::ByteCount) continue;
      const int64_t limit = operand.space == AddressOperand::Buffer ? a.buffer.bytes : a.memory.bytes;
      const std::string past = load_of(with(int32_t(limit + 16)));
      EXPECT_THAT(past, HasSubstr("core 0 instruction 1 (" + std::string(mnemonic(op)) + "): " + operand.name +
                                  " address " + std::to_string(limit + 16) + " is outside the " +
                                  std::to_string(limit) + "-byte"));
    }
  }
}

}  // namespace
}  // namespace cimvp
