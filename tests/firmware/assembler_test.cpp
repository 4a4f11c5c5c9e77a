// The text assembler: a hand-written program assembles to the instructions
// it says, disassembly re-assembles to the same bytes, and mistakes are
// reported with file, line, column and what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "common/error.h"
#include "firmware/assembler.h"
#include "firmware/image.h"
#include "tests/firmware/sample_image.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;
using test::ins;

const char* kProgram = R"(# Two cores: core 0 runs a 2-layer network over a feature map, core 1 idles
.arch small-2x1
.fingerprint 0x00c0ffee12345678
.layers conv1 "fc 1"

.input  image  dtype=i8  shape=1x4x4 address=0x0   scale=0.0078125 zero_point=0
.output logits dtype=i32 shape=3     address=0x100

.block 0 rows=3 cols=2 bits=4 row_offset=0 col_offset=0   # conv tile
  1 -2
  3  4
 -8  7
.block 1 rows=2 cols=3 bits=8 col_offset=2
  127 -128 0
  5 6 7

.segment address=0x0
  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e ff
.segment core=1 address=16
  deadbeef

.core 0
.layer conv1
        xprog 0, 0            # crossbar 0 <- block 0
        xprog 1, 1
        load  0, 0, 16
        vcfg  vl, 2
        li    r1, 0           # pixel offset
        li    r2, 12
loop:   mvm   r3+64, r1, xb=0, bits=8, signed
        mvm   r3+64, r1+1, xb=0..1, bits=4, acc
        vreq  128, r3+64
        vreq  r4+128, r3 + 64, r5-8, halfeven
        addi  r1, r1, 3
        blt   r1, r2, loop
.endlayer
.layer "fc 1"
        vcfg  mult, r6-3
        vmac  r7, 64, -5, signed
        vadd32 0, 4, 8
        vmax8 0, 1, 2
        vmax8 r1, r2-1, r3+0x10, signed
        vfill32 256, 0xffffffff
        vcfg  rows, 4
        vcfg  stride, 16
        vcopy 512, r2
        store 0x100, 64, 12
        send  1, 0, r9+4
.endlayer
done:   beq   r0, r0, end
        jmp   done
end:    barrier
        halt

.core 1
        recv 0, 0, 4
        add r1, r2, r3
        sub r4, r5, r6
        mul r7, r8, r9
        bne r1, r0, 0
        bge r1, r2, here
here:   nop
        halt
)";

TEST(FirmwareAssembler, HandWrittenProgramMeansWhatItSays) {
  const FirmwareImage img = assemble(kProgram, "prog.s");
  EXPECT_EQ(img.arch_name, "small-2x1");
  EXPECT_EQ(img.arch_fingerprint, 0x00c0ffee12345678ull);
  EXPECT_EQ(img.layer_names, (std::vector<std::string>{"conv1", "fc 1"}));
  ASSERT_EQ(img.inputs.size(), 1u);
  EXPECT_EQ(img.inputs[0].shape, (std::vector<uint32_t>{1, 4, 4}));
  EXPECT_EQ(img.inputs[0].scale, 0.0078125f);
  EXPECT_EQ(img.outputs[0].dtype, DType::I32);
  EXPECT_EQ(img.outputs[0].address, 0x100u);
  ASSERT_EQ(img.blocks.size(), 2u);
  EXPECT_EQ(img.blocks[0].weights, (std::vector<int16_t>{1, -2, 3, 4, -8, 7}));
  EXPECT_EQ(img.blocks[1].col_offset, 2u);
  EXPECT_EQ(img.blocks[1].row_offset, 0u);
  EXPECT_EQ(img.segments[0].core, kGlobalMemory);
  EXPECT_EQ(img.segments[0].bytes.size(), 16u);
  EXPECT_EQ(img.segments[1].core, 1u);
  EXPECT_EQ(img.segments[1].bytes, (std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef}));

  ASSERT_EQ(img.cores.size(), 2u);
  const std::vector<Instruction>& c = img.cores[0].code;
  ASSERT_EQ(c.size(), 27u);
  EXPECT_EQ(c[6], ins(Opcode::Mvm, uint8_t(7 | flag::kMvmSignedInput), 3, 1, 0, mvm_pack_crossbars(0, 1), 64, 0));
  EXPECT_EQ(c[7], ins(Opcode::Mvm, uint8_t(3 | flag::kMvmAccumulate), 3, 1, 0, mvm_pack_crossbars(0, 2), 64, 1));
  EXPECT_EQ(c[8], ins(Opcode::Vreq, 0, 0, 3, 0, 128, 64, 0));
  EXPECT_EQ(c[9], ins(Opcode::Vreq, flag::kVreqBias | flag::kVreqHalfEven, 4, 3, 5, 128, 64, -8));
  EXPECT_EQ(c[11], ins(Opcode::Blt, 0, 0, 1, 2, 6));  // loop
  EXPECT_EQ(c[12], ins(Opcode::Vcfg, uint8_t(VcfgReg::Mult), 0, 6, 0, -3));
  EXPECT_EQ(c[13], ins(Opcode::Vmac, flag::kSigned8, 7, 0, 0, 0, 64, -5));
  EXPECT_EQ(c[16], ins(Opcode::Vmax8, flag::kSigned8, 1, 2, 3, 0, -1, 16));
  EXPECT_EQ(c[17], ins(Opcode::Vfill32, 0, 0, 0, 0, 256, -1));
  EXPECT_EQ(c[22], ins(Opcode::Send, 0, 0, 0, 9, 1, 0, 4));
  EXPECT_EQ(c[23], ins(Opcode::Beq, 0, 0, 0, 0, 25));  // end
  EXPECT_EQ(c[24], ins(Opcode::Jmp, 0, 0, 0, 0, 23));  // done
  ASSERT_EQ(img.cores[0].layers.size(), 2u);
  EXPECT_EQ(img.cores[0].layers[0].layer, 0u);
  EXPECT_EQ(img.cores[0].layers[0].begin, 0u);
  EXPECT_EQ(img.cores[0].layers[0].end, 12u);
  EXPECT_EQ(img.cores[0].layers[1].layer, 1u);
  EXPECT_EQ(img.cores[0].layers[1].begin, 12u);
  EXPECT_EQ(img.cores[0].layers[1].end, 23u);
  EXPECT_EQ(img.cores[1].code[4], ins(Opcode::Bne, 0, 0, 1, 0, 0));
  EXPECT_EQ(img.cores[1].code[5], ins(Opcode::Bge, 0, 0, 1, 2, 6));
}

void expect_round_trip(const FirmwareImage& img) {
  const std::vector<uint8_t> bytes = write_image(img);
  const std::string text = disassemble(img);
  FirmwareImage again;
  try {
    again = assemble(text, "disasm.s");
  } catch (const Error& e) {
    FAIL() << e.what() << "\n" << text;
  }
  EXPECT_EQ(write_image(again), bytes) << text;
  EXPECT_EQ(disassemble(again), text);
}

TEST(FirmwareAssembler, RoundTripOfHandWrittenProgram) {
  const FirmwareImage img = assemble(kProgram, "prog.s");
  expect_round_trip(img);
  const std::string text = disassemble(img);
  EXPECT_THAT(text, HasSubstr("L6:\n    mvm r3+64, r1, xb=0, bits=8, signed\n"));
  EXPECT_THAT(text, HasSubstr("blt r1, r2, L6\n"));
  EXPECT_THAT(text, HasSubstr(".layer \"fc 1\"\n"));
}

TEST(FirmwareAssembler, TableLookupsAndProductsAssembleAndRoundTrip) {
  const FirmwareImage img = assemble(R"(.arch small
.core 0
        vlut  r1+4, 64, r2+256
        vmul8 0, r3, 8, signed, bsigned
        vmul8 16, 4, r5, bsigned
        vsoftmax 32, r6, 512, signed, log
        vsoftmax 40, 48, 512
        halt
)",
                                     "lut.s");
  const std::vector<Instruction>& c = img.cores[0].code;
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0], ins(Opcode::Vlut, 0, 1, 0, 2, 4, 64, 256));
  EXPECT_EQ(c[1], ins(Opcode::Vmul8, uint8_t(flag::kSigned8 | flag::kSigned8B), 0, 3, 0, 0, 0, 8));
  EXPECT_EQ(c[2], ins(Opcode::Vmul8, flag::kSigned8B, 0, 0, 5, 16, 4, 0));
  EXPECT_EQ(c[3], ins(Opcode::Vsoftmax, uint8_t(flag::kSigned8 | flag::kSoftmaxLog), 0, 6, 0, 32, 0, 512));
  EXPECT_EQ(c[4], ins(Opcode::Vsoftmax, 0, 0, 0, 0, 40, 48, 512));
  expect_round_trip(img);
}

TEST(FirmwareAssembler, RoundTripOfRichImages) {
  expect_round_trip(test::small_image());
  expect_round_trip(test::rich_image());
  FirmwareImage timing = test::rich_image();
  timing.timing_only = true;
  for (WeightBlock& b : timing.blocks) b.weights.clear();
  expect_round_trip(timing);
  FirmwareImage dup = test::rich_image();
  dup.layer_names.push_back("fc");  // duplicate names are referred to by index
  dup.cores[0].layers.push_back({5, 3, 4});
  expect_round_trip(dup);
  EXPECT_THAT(disassemble(test::rich_image()), HasSubstr(".range fc 1 3\n.range conv1 0 2\n"));
  FirmwareImage calibrated = test::rich_image();  // ADC full scales (docs/device.md)
  calibrated.blocks[1].adc_full_scale = {40, 1, int64_t(1) << 40};
  expect_round_trip(calibrated);
  EXPECT_THAT(disassemble(calibrated), HasSubstr(" adc_full_scale=40,1,1099511627776\n"));
}

// Random instructions of every opcode in random valid images.
TEST(FirmwareAssembler, RoundTripOfRandomImages) {
  std::mt19937 rng(42);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto imm = [&]() -> int32_t {
    switch (pick(0, 3)) {
      case 0: return 0;
      case 1: return pick(-20, 20);
      case 2: return int32_t(rng());
      default: return pick(0, 1) ? INT32_MIN : INT32_MAX;
    }
  };
  for (int round = 0; round < 40; ++round) {
    FirmwareImage img = test::small_image();
    const int n = pick(1, 40);
    CoreProgram core;
    const std::vector<Instruction> templates = test::every_opcode(0);
    for (int i = 0; i < n; ++i) {
      Instruction in;
      do {  // random operands, redrawn until the loader accepts them (e.g. no negative constant address)
      in = templates[size_t(pick(0, int(templates.size()) - 1))];
      if (in.rd) in.rd = uint8_t(pick(0, 15));
      if (in.ra) in.ra = uint8_t(pick(0, 15));
      if (in.rb) in.rb = uint8_t(pick(0, 15));
      if (in.op == Opcode::Jmp || in.op == Opcode::Beq || in.op == Opcode::Blt) in.imm0 = pick(0, n - 1);
      else if (in.op == Opcode::Mvm) in.imm0 = mvm_pack_crossbars(pick(0, 65535), pick(1, 4));
      else if (in.op == Opcode::Xprog) in.imm0 = pick(0, 1000);
      else if (in.op == Opcode::Send || in.op == Opcode::Recv) in.imm0 = pick(0, 63);
      else if (in.imm0) in.imm0 = imm();
      if (in.op != Opcode::Xprog && in.imm1) in.imm1 = imm();
      if (in.imm2 && in.op != Opcode::Load && in.op != Opcode::Store && in.op != Opcode::Send &&
          in.op != Opcode::Recv)
        in.imm2 = imm();
      if (in.op == Opcode::Mvm) in.flags = uint8_t(pick(0, 7) | (pick(0, 3) << 4));
      if (in.op == Opcode::Vcfg) in.flags = uint8_t(pick(0, 7));
      if (in.op == Opcode::Bne || in.op == Opcode::Bge) in.imm0 = pick(0, n - 1);
      if (in.op == Opcode::Vreq) {
        in.flags = uint8_t(pick(0, 3));
        if (!(in.flags & flag::kVreqBias)) in.rb = 0, in.imm2 = 0;
      }
      } while (!instruction_problem(in, size_t(n), 1).empty());
      core.code.push_back(in);
    }
    img.cores.push_back(core);
    ASSERT_EQ(instruction_problem(core.code[0], core.code.size(), 1), "");
    expect_round_trip(img);
  }
}

// The worked example in docs/isa.md assembles and means what the text says.
TEST(FirmwareAssembler, WorkedExampleFromTheDocsAssembles) {
  std::ifstream in(std::string(CIMVP_SOURCE_DIR) + "/docs/isa.md");
  ASSERT_TRUE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const size_t begin = text.find("```\n", text.find("<!-- worked-example-begin -->"));
  const size_t end = text.find("```", begin + 4);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const FirmwareImage img = assemble(text.substr(begin + 4, end - begin - 4), "isa.md");
  ASSERT_EQ(img.cores.size(), 1u);
  EXPECT_EQ(img.blocks[0].weights.size(), 32u);
  const std::vector<Instruction>& c = img.cores[0].code;
  ASSERT_EQ(c.size(), 18u);
  EXPECT_EQ(c[11].op, Opcode::Mvm);
  EXPECT_EQ(c[15], ins(Opcode::Blt, 0, 0, 1, 3, 11));
  EXPECT_EQ(img.cores[0].layers.size(), 1u);
  expect_round_trip(img);
}

std::string asm_error(const std::string& text) {
  try {
    assemble(text, "prog.s");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FirmwareAssembler, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(asm_error("halt\n\n  li r1, 2\n  mvx r1\n"), "prog.s:4:3: unknown mnemonic 'mvx'");
  EXPECT_EQ(asm_error(".core 0\n  jmp loop\n  halt\n"), "prog.s:2:7: label 'loop' is not defined in core 0");
  EXPECT_THAT(asm_error("loop: nop\nloop: halt\n"), HasSubstr("prog.s:2:1: label 'loop' is already defined at line 1"));
  EXPECT_THAT(asm_error(".core 0\nl: halt\n.core 1\n jmp l\n"), HasSubstr("prog.s:4:6: label 'l' is not defined in core 1"));
  EXPECT_THAT(asm_error("li r16, 1\n"), HasSubstr("prog.s:1:4: register 'r16' does not exist"));
  EXPECT_THAT(asm_error("li x1, 1\n"), HasSubstr("prog.s:1:4: expected a register"));
  EXPECT_THAT(asm_error("li r1\n"), HasSubstr("prog.s:1:1: 'li' takes 2 operands, found 1"));
  EXPECT_THAT(asm_error("li r1, 99999999999\n"), HasSubstr("prog.s:1:8: a value 99999999999 is out of range"));
  EXPECT_THAT(asm_error("add r1, r2,\n"), HasSubstr("missing operand"));
  EXPECT_THAT(asm_error("mvm 0, 0, bits=8\n"), HasSubstr("mvm needs xb="));
  EXPECT_THAT(asm_error("mvm 0, 0, xb=0..3, bits=9\n"), HasSubstr("prog.s:1:25: input bits 9 is out of range 1..8"));
  EXPECT_THAT(asm_error("mvm 0, 0, xb=3..1\n"), HasSubstr("the last crossbar"));
  EXPECT_THAT(asm_error("mvm 0, 0, xb=0, frob\n"), HasSubstr("prog.s:1:17"));
  EXPECT_THAT(asm_error("mvm 0, 0, xb=0, acc, acc\n"), HasSubstr("option 'acc' is given twice"));
  EXPECT_THAT(asm_error("vcfg vx, 3\n"), HasSubstr("prog.s:1:6: unknown GPEU config register 'vx'"));
  EXPECT_THAT(asm_error("load r1+, 0, 4\n"), HasSubstr("prog.s:1:8: expected an offset"));
  EXPECT_THAT(asm_error("jmp 5\nhalt\n"), HasSubstr("prog.s:1: jmp target 5 is outside the core's code"));
  EXPECT_THAT(asm_error("xprog 0, 2\n"), HasSubstr("prog.s:1: xprog weight block 2 does not exist"));
  EXPECT_THAT(asm_error(".frob 1\n"), HasSubstr("prog.s:1:1: unknown directive '.frob'"));
  EXPECT_THAT(asm_error(".core 0\nhalt\n.core 0\n"), HasSubstr("prog.s:3:7: core 0 is defined twice (first at line 1)"));
  EXPECT_THAT(asm_error(".core 0\n.layer a\nhalt\n.core 1\n"), HasSubstr("prog.s:2: '.layer a' is not closed by .endlayer"));
  EXPECT_THAT(asm_error(".core 0\n.endlayer\n"), HasSubstr(".endlayer without .layer"));
  EXPECT_THAT(asm_error(".core 0\n.layer a\n.layer b\n"), HasSubstr("layers do not nest"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=2 bits=4\n 1 8\n"),
              HasSubstr("prog.s:2:4: weight 8 is outside the signed 4-bit range -8..7"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=2 bits=4\n 1\n.core 0\nhalt\n"),
              HasSubstr("prog.s:1: .block 0 has 1 weights, rows x cols = 2"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=1 bits=4\n 1 2\n"), HasSubstr("too many weights"));
  EXPECT_THAT(asm_error(".block 1 rows=1 cols=1 bits=4\n 1\n"), HasSubstr("out of order"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=1\n 1\n"), HasSubstr("missing bits="));
  EXPECT_THAT(asm_error(".block 0 rows=0 cols=1 bits=2\n"), HasSubstr("rows 0 is out of range"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=1 bits=2 depth=3\n 1\n"), HasSubstr("unknown key 'depth'"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=1 bits=2\n 1\nhalt\n"),
              HasSubstr("prog.s:3:1: expected a weight of .block 0, found 'halt' (instructions go in a .core section)"));
  EXPECT_THAT(asm_error(".timing_only\n.block 0 rows=1 cols=1 bits=2\n 1\n"), HasSubstr("timing-only"));
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=1 bits=2\n 1\n.timing_only\n"), HasSubstr("must come before the first .block"));
  EXPECT_THAT(asm_error(".segment address=0\n 0g\n"), HasSubstr("prog.s:2:2: expected hex bytes"));
  EXPECT_THAT(asm_error(".segment address=0\n 012\n"), HasSubstr("expected hex bytes"));
  EXPECT_THAT(asm_error(".segment core=1\n"), HasSubstr("missing address="));
  EXPECT_THAT(asm_error(".input x dtype=f32 shape=3 address=0\n"), HasSubstr("unknown dtype 'f32'"));
  EXPECT_THAT(asm_error(".input x dtype=i8 shape=3x0 address=0\n"), HasSubstr("prog.s:1:27: a dimension 0 is out of range"));
  EXPECT_THAT(asm_error(".input x dtype=i8 shape=3 address=0 scale=abc\n"), HasSubstr("expected a finite number for scale"));
  EXPECT_THAT(asm_error(".arch \"unterminated\n"), HasSubstr("unterminated string"));
  EXPECT_THAT(asm_error(".core 0\nhalt\n.block 0 rows=1 cols=1 bits=2\n 1\nnop\n"), HasSubstr("expected a weight"));
  EXPECT_THAT(asm_error(".core 0\nhalt\n.arch x\nnop\n.segment address=0\n.input a dtype=i8 shape=1 address=0\nnop\n"),
              HasSubstr("prog.s:7:1: instruction outside a .core section"));
  EXPECT_THAT(asm_error(".layers a a\n.core 0\n.layer a\n.endlayer\n"), HasSubstr("declared twice in .layers"));
  EXPECT_THAT(asm_error(".core 0\n.layer 3\n"), HasSubstr("layer 3 does not exist"));
  EXPECT_THAT(asm_error(".core 0\nhalt\n.range a 0 5\n"), HasSubstr("core 0 layer range 0: instructions [0, 5)"));
}

TEST(FirmwareAssembler, BadAdcFullScalesNameTheColumn) {
  EXPECT_EQ(asm_error(".block 0 rows=1 cols=1 bits=4 adc_full_scale=5,0\n 1\n"),
            "prog.s:1:48: an ADC full scale 0 is out of range 1..1099511627776");
  EXPECT_THAT(asm_error(".block 0 rows=1 cols=1 bits=4 adc_full_scale=5,,6\n 1\n"), HasSubstr("prog.s:1:48: expected an ADC full scale"));
}

// Numbers in messages are the numbers as written: 4000000000 is not wrapped
// into the 32-bit byte count -294967296.
TEST(FirmwareAssembler, OutOfRangeNumbersAreReportedAsWritten) {
  EXPECT_THAT(asm_error("load 0, 0, 4000000000\nhalt\n"),
              HasSubstr("prog.s:1:12: a byte count 4000000000 is out of range 0..2147483647"));
  EXPECT_THAT(asm_error("store 0, 0, -4\nhalt\n"), HasSubstr("prog.s:1:13: a byte count -4 is out of range"));
  EXPECT_THAT(asm_error("vcopy 3000000000, 0\nhalt\n"),
              HasSubstr("prog.s:1:7: an address 3000000000 is out of range -2147483648..2147483647"));
  EXPECT_THAT(asm_error("vcopy r1+0x80000000, 0\nhalt\n"), HasSubstr("prog.s:1:9: an offset +0x80000000 is out of range"));
  EXPECT_EQ(asm_error("load 0, 0, 2147483647\nli r1, 0xffffffff\nhalt\n"), "");  // the largest count; values may wrap
}

std::string asm_error_on(const std::string& text, const ArchLimits& limits) {
  try {
    assemble(text, "prog.s", &limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// With an architecture, operands are checked against it at their line, with
// the loader's own check (firmware/arch_limits.h), not first when they run.
TEST(FirmwareAssembler, OperandsAreCheckedAgainstTheArchitectureWithTheirLine) {
  const ArchLimits limits{2, 8, 1024, 4096};  // 2 cores of 8 crossbars
  const std::string ok = ".core 0\nmvm 0, 64, xb=0..7\nsend 1, 0, 4\nhalt\n.core 1\nrecv 0, 0, 4\nhalt\n";
  EXPECT_EQ(asm_error_on(ok, limits), "");
  EXPECT_THAT(asm_error_on(".core 0\nnop\nmvm 0, 64, xb=9\nhalt\n", limits),
              HasSubstr("prog.s:3: mvm crossbars 9..9 are out of range 0..7"));
  EXPECT_THAT(asm_error_on(".core 0\nmvm 0, 64, xb=4..8\nhalt\n", limits),
              HasSubstr("prog.s:2: mvm crossbars 4..8 are out of range 0..7"));
  EXPECT_THAT(asm_error_on(".block 0 rows=1 cols=1 bits=2\n 1\n.core 0\nxprog 8, 0\nhalt\n", limits),
              HasSubstr("prog.s:4: xprog crossbar 8 is out of range 0..7"));
  EXPECT_THAT(asm_error_on(".core 0\nsend 2, 0, 4\nhalt\n", limits),
              HasSubstr("prog.s:2: send core 2 is not another core of the 2-core SoC"));
  EXPECT_THAT(asm_error_on(".core 0\nrecv 0, 0, 4\nhalt\n", limits), HasSubstr("recv core 0 is not another core"));
  EXPECT_THAT(asm_error_on(".core 0\nload 1040, 0, 4\nhalt\n", limits),
              HasSubstr("prog.s:2: load destination address 1040 is outside the 1024-byte local buffer"));
  EXPECT_THAT(asm_error_on(".core 0\nstore 5000, 0, 4\nhalt\n", limits),
              HasSubstr("prog.s:2: store destination address 5000 is outside the 4096-byte global memory"));
  // Without an architecture the same program assembles: the limits are the architecture's.
  EXPECT_EQ(asm_error(".core 0\nnop\nmvm 0, 64, xb=9\nhalt\n"), "");
}

TEST(FirmwareAssembler, SmallConveniences) {
  // No .core: the code is core 0. Comments, blank lines, upper case, several labels on one line.
  const FirmwareImage img = assemble("  # nothing\n\na: b: LI R1, 0x10 # set\n  BNE r1, r0, a\n  jmp b\n HALT\n", "p.s");
  ASSERT_EQ(img.cores.size(), 1u);
  EXPECT_EQ(img.cores[0].code[0], ins(Opcode::Li, 0, 1, 0, 0, 16));
  EXPECT_EQ(img.cores[0].code[1].imm0, 0);
  EXPECT_EQ(img.cores[0].code[2].imm0, 0);
  // .layer with an undeclared name declares it; an index refers to .layers.
  const FirmwareImage l = assemble(".layers first\n.core 2\n.layer second\nnop\n.endlayer\n.layer 0\nhalt\n.endlayer\n", "p.s");
  EXPECT_EQ(l.cores.size(), 3u);
  EXPECT_EQ(l.layer_names, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(l.cores[2].layers[1].layer, 0u);
  // Strings with escapes survive.
  const FirmwareImage s = assemble(".arch \"a \\\"b\\\" \\x01\\\\\"\n", "p.s");
  EXPECT_EQ(s.arch_name, std::string("a \"b\" \x01\\"));
  expect_round_trip(s);
}

}  // namespace
}  // namespace cimvp
