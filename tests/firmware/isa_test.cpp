// The instruction encoding: byte layout, round trip of every opcode, and the
// strict decoder that refuses unknown opcodes and non-zero unused fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "firmware/assembler.h"
#include "firmware/isa.h"
#include "tests/firmware/sample_image.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;
using test::ins;

// Which fields each opcode uses, written down from the comments in isa.h
// (independently of the decoder's own table).
struct Uses {
  uint8_t flags;
  const char* fields;  // letters: d a b (registers), 0 1 2 (immediates)
};
const std::map<Opcode, Uses>& expected_uses() {
  static const std::map<Opcode, Uses> m = {
      {Opcode::Nop, {0, ""}},          {Opcode::Halt, {0, ""}},         {Opcode::Li, {0, "d0"}},
      {Opcode::Addi, {0, "da0"}},      {Opcode::Add, {0, "dab"}},       {Opcode::Sub, {0, "dab"}},
      {Opcode::Mul, {0, "dab"}},       {Opcode::Jmp, {0, "0"}},         {Opcode::Beq, {0, "ab0"}},
      {Opcode::Bne, {0, "ab0"}},       {Opcode::Blt, {0, "ab0"}},       {Opcode::Bge, {0, "ab0"}},
      {Opcode::Barrier, {0, ""}},      {Opcode::Xprog, {0, "01"}},      {Opcode::Mvm, {0x3f, "da012"}},
      {Opcode::Vcfg, {0x07, "a0"}},    {Opcode::Vreq, {0x03, "dab012"}}, {Opcode::Vmac, {0x01, "da012"}},
      {Opcode::Vadd32, {0, "dab012"}}, {Opcode::Vmax8, {0x01, "dab012"}}, {Opcode::Vfill32, {0, "d01"}},
      {Opcode::Vcopy, {0, "da01"}},    {Opcode::Vlut, {0, "dab012"}},   {Opcode::Vmul8, {0x03, "dab012"}},
      {Opcode::Vsoftmax, {0x03, "dab012"}},
      {Opcode::Load, {0, "dab012"}},   {Opcode::Store, {0, "dab012"}},
      {Opcode::Send, {0, "ab012"}},    {Opcode::Recv, {0, "ab012"}},
  };
  return m;
}

std::optional<Instruction> decode_bytes(const EncodedInstruction& b, std::string* error) {
  return decode(b.data(), error);
}

TEST(FirmwareIsa, ByteLayoutIsLittleEndianAsDocumented) {
  const Instruction in = ins(Opcode::Mvm, 0x27, 3, 12, 0, mvm_pack_crossbars(2, 4), -2, 0x01020304);
  const EncodedInstruction b = encode(in);
  const EncodedInstruction expected = {0x11, 0x27, 0xc3, 0x00, 0x02, 0x00, 0x04, 0x00,
                                       0xfe, 0xff, 0xff, 0xff, 0x04, 0x03, 0x02, 0x01};
  EXPECT_EQ(b, expected);
  EXPECT_EQ(mvm_input_bits(in), 8);
  EXPECT_EQ(mvm_first_crossbar(in), 2);
  EXPECT_EQ(mvm_crossbar_count(in), 4);
}

TEST(FirmwareIsa, EveryOpcodeRoundTripsAndHasAMnemonic) {
  const std::vector<Instruction> all = test::every_opcode(7);
  std::set<Opcode> seen;
  for (const Instruction& in : all) {
    seen.insert(in.op);
    std::string error;
    const std::optional<Instruction> back = decode_bytes(encode(in), &error);
    ASSERT_TRUE(back) << mnemonic(in.op) << ": " << error;
    EXPECT_EQ(*back, in) << mnemonic(in.op);
    ASSERT_NE(mnemonic(in.op), nullptr);
    EXPECT_EQ(opcode_from_mnemonic(mnemonic(in.op)), in.op);
    EXPECT_TRUE(is_known_opcode(uint8_t(in.op)));
  }
  EXPECT_EQ(seen.size(), expected_uses().size());
  EXPECT_FALSE(opcode_from_mnemonic("mvx"));
}

TEST(FirmwareIsa, UnknownOpcodesAreRejected) {
  int known = 0;
  for (int v = 0; v < 256; ++v) {
    const bool listed = expected_uses().count(Opcode(v)) > 0;
    EXPECT_EQ(is_known_opcode(uint8_t(v)), listed) << v;
    EncodedInstruction b{};
    b[0] = uint8_t(v);
    std::string error;
    const auto in = decode(b.data(), &error);
    EXPECT_EQ(bool(in), listed && Opcode(v) != Opcode::Mvm) << v;  // an all-zero mvm has crossbar count 0
    if (!listed) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", v);
      EXPECT_EQ(error, std::string("unknown opcode ") + hex);
      EXPECT_EQ(mnemonic(Opcode(v)), nullptr);
    } else {
      ++known;
    }
  }
  EXPECT_EQ(known, int(expected_uses().size()));
}

// Sets one field of an otherwise valid instruction to a non-zero value and
// checks the decoder accepts it exactly when the opcode uses that field.
TEST(FirmwareIsa, NonZeroUnusedFieldsAreRejectedByName) {
  for (const auto& [op, uses] : expected_uses()) {
    const std::string fields = uses.fields;
    Instruction base = ins(op);
    if (op == Opcode::Mvm) base.imm0 = mvm_pack_crossbars(0, 1);
    struct Field {
      char letter;
      const char* name;
      int byte;
      uint8_t value;
    };
    const Field all[] = {{'d', "rd", 2, 0x05}, {'a', "ra", 2, 0x50}, {'b', "rb", 3, 0x05},
                         {'c', "rc", 3, 0x50}, {'0', "imm0", 4, 0x01}, {'1', "imm1", 8, 0x01},
                         {'2', "imm2", 12, 0x01}};
    for (const Field& f : all) {
      EncodedInstruction b = encode(base);
      b[size_t(f.byte)] |= f.value;
      std::string error;
      const bool ok = bool(decode_bytes(b, &error));
      bool used = fields.find(f.letter) != std::string::npos;
      if (op == Opcode::Vreq && (f.letter == 'b' || f.letter == '2')) used = false;  // bias needs the bias flag
      EXPECT_EQ(ok, used) << mnemonic(op) << " field " << f.name << ": " << error;
      if (!ok) {
        EXPECT_THAT(error, HasSubstr(f.name)) << mnemonic(op);
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", unsigned(op));
        EXPECT_THAT(error, HasSubstr(std::string("opcode ") + hex));
        EXPECT_THAT(error, HasSubstr(mnemonic(op)));
      }
    }
    for (int bit = 0; bit < 8; ++bit) {
      EncodedInstruction b = encode(base);
      b[1] = uint8_t(1 << bit);
      std::string error;
      const bool ok = bool(decode_bytes(b, &error));
      EXPECT_EQ(ok, (uses.flags >> bit) & 1) << mnemonic(op) << " flag bit " << bit << ": " << error;
      if (!ok) {
        EXPECT_THAT(error, HasSubstr("flags"));
      }
    }
  }
}

TEST(FirmwareIsa, FieldValuesTheOpcodeForbids) {
  std::string error;
  EXPECT_FALSE(decode_bytes(encode(ins(Opcode::Mvm, 7, 0, 0, 0, mvm_pack_crossbars(3, 0))), &error));
  EXPECT_THAT(error, HasSubstr("crossbar count 0"));
  EXPECT_TRUE(decode_bytes(encode(ins(Opcode::Vreq, flag::kVreqBias, 1, 2, 3, 4, 5, 6)), &error));
  EXPECT_FALSE(decode_bytes(encode(ins(Opcode::Vreq, 0, 1, 2, 0, 4, 5, 6)), &error));
  EXPECT_THAT(error, HasSubstr("imm2 (bias) must be 0 without the bias flag"));
}

TEST(FirmwareIsa, FormatInstruction) {
  EXPECT_EQ(format_instruction(ins(Opcode::Mvm, uint8_t(7 | flag::kMvmSignedInput), 3, 2, 0,
                                   mvm_pack_crossbars(0, 4), 0, 16)),
            "mvm r3, r2+16, xb=0..3, bits=8, signed");
  EXPECT_EQ(format_instruction(ins(Opcode::Mvm, uint8_t(3 | flag::kMvmAccumulate), 0, 0, 0,
                                   mvm_pack_crossbars(5, 1), 256, 0)),
            "mvm 256, 0, xb=5, bits=4, acc");
  EXPECT_EQ(format_instruction(ins(Opcode::Vcfg, uint8_t(VcfgReg::VL), 0, 0, 0, 64)), "vcfg vl, 64");
  EXPECT_EQ(format_instruction(ins(Opcode::Vcfg, uint8_t(VcfgReg::Shift), 0, 4, 0, -1)), "vcfg shift, r4-1");
  EXPECT_EQ(format_instruction(ins(Opcode::Blt, 0, 0, 1, 2, 12)), "blt r1, r2, 12");
  EXPECT_EQ(format_instruction(ins(Opcode::Vreq, flag::kVreqHalfEven, 1, 0, 0, 0, 64)), "vreq r1, 64, halfeven");
  EXPECT_EQ(format_instruction(ins(Opcode::Vreq, flag::kVreqBias, 0, 0, 5, 0, 64, 128)), "vreq 0, 64, r5+128");
  EXPECT_EQ(format_instruction(ins(Opcode::Send, 0, 0, 1, 0, 3, 0, 64)), "send 3, r1, 64");
  EXPECT_EQ(format_instruction(ins(Opcode::Halt)), "halt");
}

}  // namespace
}  // namespace cimvp
