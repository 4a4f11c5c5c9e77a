// The cimvp instruction set: one fixed 16-byte instruction format, executed
// by every core's control unit. docs/isa.md is the reference for users; this
// header is the single definition the assembler, the image reader, the VP and
// the compiler share.
//
// Encoding (little-endian):
//   byte 0      opcode
//   byte 1      flags (meaning per opcode, unused bits must be 0)
//   byte 2      rd (bits 0-3) | ra (bits 4-7)
//   byte 3      rb (bits 0-3) | rc (bits 4-7)
//   bytes 4-7   imm0 (int32)
//   bytes 8-11  imm1 (int32)
//   bytes 12-15 imm2 (int32)
// Operands are mostly "register + immediate" pairs, so the same instruction
// works inside a loop (register moves) and straight-line (r0 is always 0).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cimvp {

constexpr int kNumRegisters = 16;  // r0 reads as 0, writes are ignored
constexpr int kInstructionBytes = 16;

enum class Opcode : uint8_t {
  // control
  Nop = 0x00,
  Halt = 0x01,
  Li = 0x02,       // rd = imm0
  Addi = 0x03,     // rd = ra + imm0
  Add = 0x04,      // rd = ra + rb
  Sub = 0x05,      // rd = ra - rb
  Mul = 0x06,      // rd = ra * rb
  Jmp = 0x07,      // pc = imm0
  Beq = 0x08,      // if ra == rb: pc = imm0
  Bne = 0x09,      // if ra != rb: pc = imm0
  Blt = 0x0a,      // if ra <  rb: pc = imm0 (signed)
  Bge = 0x0b,      // if ra >= rb: pc = imm0 (signed)
  Barrier = 0x0c,  // wait until every core with code reaches a barrier
  // crossbars
  Xprog = 0x10,  // program crossbar imm0 (core-local) with weight block imm1
  Mvm = 0x11,    // crossbars imm0&0xffff .. +(imm0>>16)-1 ; out = rd+imm1 (int32), in = ra+imm2 (8-bit)
  // GPEU vector unit; vector length comes from the VL config register
  Vcfg = 0x20,    // GPEU config register `flags` = ra + imm0 (see VcfgReg)
  Vreq = 0x21,    // dst8[i] = requant(src32[i] (+ bias32[i])); dst rd+imm0, src ra+imm1, bias rb+imm2
  Vmac = 0x22,    // dst32[i] += src8[i] * imm2; dst rd+imm0, src ra+imm1
  Vadd32 = 0x23,  // dst32[i] = a32[i] + b32[i]; dst rd+imm0, a ra+imm1, b rb+imm2
  Vmax8 = 0x24,   // dst8[i] = max(a8[i], b8[i]); dst rd+imm0, a ra+imm1, b rb+imm2
  Vfill32 = 0x25, // dst32[i] = imm1; dst rd+imm0
  Vcopy = 0x26,   // VROWS rows of VL bytes: dst rd+imm0 (dense), src ra+imm1 (row stride VSTRIDE)
  Vlut = 0x27,    // dst8[i] = table[src8[i]] (the byte as 0..255); dst rd+imm0, src ra+imm1, table rb+imm2 (256 bytes)
  Vmul8 = 0x28,   // dst32[i] = a8[i] * b8[i]; dst rd+imm0, a ra+imm1, b rb+imm2
  // The softmax unit: dst8[i*STRIDE] = (log-)softmax of the VL values src8[i*STRIDE]
  // (common/softmax_unit.h); dst rd+imm0, src ra+imm1, constants rb+imm2 (516 int32 words)
  Vsoftmax = 0x29,
  // memory and network
  Load = 0x30,   // buffer[rd+imm0 ..] = memory[ra+imm1 ..], rb+imm2 bytes
  Store = 0x31,  // memory[rd+imm0 ..] = buffer[ra+imm1 ..], rb+imm2 bytes
  Send = 0x32,   // send rb+imm2 bytes from buffer[ra+imm1] to core imm0
  Recv = 0x33,   // receive rb+imm2 bytes from core imm0 into buffer[ra+imm1]
};

// Flag bits.
namespace flag {
// Mvm: bits 0-3 hold input bits - 1 (so 1..16; the VP accepts 1..8),
constexpr uint8_t kMvmBitsMask = 0x0f;
constexpr uint8_t kMvmSignedInput = 0x10;  // inputs are two's complement int8
constexpr uint8_t kMvmAccumulate = 0x20;   // add into the outputs instead of overwriting
// Vreq
constexpr uint8_t kVreqBias = 0x01;        // add the int32 bias vector before scaling
constexpr uint8_t kVreqHalfEven = 0x02;    // round half to even instead of half up
// Vmac, Vmax8: the 8-bit operands are signed (Vmul8: the first operand)
constexpr uint8_t kSigned8 = 0x01;
// Vmul8: the second operand is signed
constexpr uint8_t kSigned8B = 0x02;
// Vsoftmax: log-softmax (signed output) instead of softmax
constexpr uint8_t kSoftmaxLog = 0x02;
}  // namespace flag

// GPEU configuration registers written by Vcfg (index in the flags byte).
enum class VcfgReg : uint8_t {
  VL = 0,       // vector length in elements (Vcopy: bytes per row)
  Mult = 1,     // requantization multiplier (int32, >= 0)
  Shift = 2,    // requantization right shift 0..62
  Zp = 3,       // output zero point added after scaling
  Lo = 4,       // clamp low  (after zero point)
  Hi = 5,       // clamp high (after zero point)
  Rows = 6,     // Vcopy row count
  Stride = 7,   // Vcopy source row stride in bytes
};
constexpr int kNumVcfgRegs = 8;

// The values each config register accepts (docs/isa.md). The image loader
// refuses a constant `vcfg` outside them and the core faults on a computed
// one, so the GPEU never sees, say, a shift its arithmetic cannot do.
struct VcfgRange {
  int64_t lo, hi;
};
VcfgRange vcfg_range(VcfgReg reg);
const char* vcfg_name(VcfgReg reg);  // "vl", "mult", ... ("?" for an unknown index)
// Empty if `value` is allowed for `reg`, else the problem ("vcfg shift 130 is outside 0..62").
std::string vcfg_problem(VcfgReg reg, int64_t value);

struct Instruction {
  Opcode op = Opcode::Nop;
  uint8_t flags = 0;
  uint8_t rd = 0, ra = 0, rb = 0, rc = 0;
  int32_t imm0 = 0, imm1 = 0, imm2 = 0;

  bool operator==(const Instruction& o) const {
    return op == o.op && flags == o.flags && rd == o.rd && ra == o.ra && rb == o.rb &&
           rc == o.rc && imm0 == o.imm0 && imm1 == o.imm1 && imm2 == o.imm2;
  }
};

using EncodedInstruction = std::array<uint8_t, kInstructionBytes>;

EncodedInstruction encode(const Instruction& in);

// Decodes 16 bytes. Returns nullopt and sets *error for an unknown opcode or
// a field that the opcode does not allow (non-zero unused bits).
std::optional<Instruction> decode(const uint8_t* bytes, std::string* error);

// Mnemonic of an opcode ("mvm"), or nullptr for an unknown value.
const char* mnemonic(Opcode op);
std::optional<Opcode> opcode_from_mnemonic(std::string_view name);
bool is_known_opcode(uint8_t value);

// Small helpers for the packed fields.
inline int mvm_input_bits(const Instruction& in) { return (in.flags & flag::kMvmBitsMask) + 1; }
inline int mvm_first_crossbar(const Instruction& in) { return in.imm0 & 0xffff; }
inline int mvm_crossbar_count(const Instruction& in) { return (in.imm0 >> 16) & 0xffff; }
// The register + immediate operands of an instruction that address the local
// buffer or global memory, or count bytes: the loader checks those whose
// register is r0 (constants) against their space, the core checks the rest
// when it runs.
struct AddressOperand {
  enum Space { Buffer, Memory, ByteCount } space;
  int reg;             // base register; r0 reads 0, so then `offset` is the value
  int32_t offset;
  const char* name;    // "destination", "source", ...
};
std::vector<AddressOperand> address_operands(const Instruction& in);

inline int32_t mvm_pack_crossbars(int first, int count) { return (first & 0xffff) | (count << 16); }

}  // namespace cimvp
