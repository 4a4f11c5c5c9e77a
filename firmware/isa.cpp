// Instruction encoding and decoding. Decoding is strict: every field an
// opcode does not use must be zero, so that each valid 16-byte pattern has
// exactly one meaning and one text form (the assembler round trip relies on it).
#include "firmware/isa.h"

#include <cstdio>
#include <cstring>

namespace cimvp {
namespace {

void put32(uint8_t* p, int32_t v) {
  const uint32_t u = uint32_t(v);
  p[0] = uint8_t(u);
  p[1] = uint8_t(u >> 8);
  p[2] = uint8_t(u >> 16);
  p[3] = uint8_t(u >> 24);
}

int32_t get32(const uint8_t* p) {
  return int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
}

// Which fields an opcode uses. Anything not listed must be zero.
struct OpInfo {
  Opcode op;
  const char* name;
  uint8_t flags;  // allowed flag bits
  bool rd, ra, rb;
  bool imm0, imm1, imm2;
};

constexpr OpInfo kOps[] = {
    {Opcode::Nop, "nop", 0, false, false, false, false, false, false},
    {Opcode::Halt, "halt", 0, false, false, false, false, false, false},
    {Opcode::Li, "li", 0, true, false, false, true, false, false},
    {Opcode::Addi, "addi", 0, true, true, false, true, false, false},
    {Opcode::Add, "add", 0, true, true, true, false, false, false},
    {Opcode::Sub, "sub", 0, true, true, true, false, false, false},
    {Opcode::Mul, "mul", 0, true, true, true, false, false, false},
    {Opcode::Jmp, "jmp", 0, false, false, false, true, false, false},
    {Opcode::Beq, "beq", 0, false, true, true, true, false, false},
    {Opcode::Bne, "bne", 0, false, true, true, true, false, false},
    {Opcode::Blt, "blt", 0, false, true, true, true, false, false},
    {Opcode::Bge, "bge", 0, false, true, true, true, false, false},
    {Opcode::Barrier, "barrier", 0, false, false, false, false, false, false},
    {Opcode::Xprog, "xprog", 0, false, false, false, true, true, false},
    {Opcode::Mvm, "mvm", flag::kMvmBitsMask | flag::kMvmSignedInput | flag::kMvmAccumulate, true, true, false, true,
     true, true},
    {Opcode::Vcfg, "vcfg", kNumVcfgRegs - 1, false, true, false, true, false, false},
    {Opcode::Vreq, "vreq", flag::kVreqBias | flag::kVreqHalfEven, true, true, true, true, true, true},
    {Opcode::Vmac, "vmac", flag::kSigned8, true, true, false, true, true, true},
    {Opcode::Vadd32, "vadd32", 0, true, true, true, true, true, true},
    {Opcode::Vmax8, "vmax8", flag::kSigned8, true, true, true, true, true, true},
    {Opcode::Vfill32, "vfill32", 0, true, false, false, true, true, false},
    {Opcode::Vcopy, "vcopy", 0, true, true, false, true, true, false},
    {Opcode::Vlut, "vlut", 0, true, true, true, true, true, true},
    {Opcode::Vmul8, "vmul8", flag::kSigned8 | flag::kSigned8B, true, true, true, true, true, true},
    {Opcode::Vsoftmax, "vsoftmax", flag::kSigned8 | flag::kSoftmaxLog, true, true, true, true, true, true},
    {Opcode::Load, "load", 0, true, true, true, true, true, true},
    {Opcode::Store, "store", 0, true, true, true, true, true, true},
    {Opcode::Send, "send", 0, false, true, true, true, true, true},
    {Opcode::Recv, "recv", 0, false, true, true, true, true, true},
};

const OpInfo* info(uint8_t value) {
  for (const OpInfo& o : kOps)
    if (uint8_t(o.op) == value) return &o;
  return nullptr;
}

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v & 0xffu);
  return buf;
}

}  // namespace

EncodedInstruction encode(const Instruction& in) {
  EncodedInstruction b{};
  b[0] = uint8_t(in.op);
  b[1] = in.flags;
  b[2] = uint8_t((in.rd & 0x0f) | (in.ra & 0x0f) << 4);
  b[3] = uint8_t((in.rb & 0x0f) | (in.rc & 0x0f) << 4);
  put32(&b[4], in.imm0);
  put32(&b[8], in.imm1);
  put32(&b[12], in.imm2);
  return b;
}

std::optional<Instruction> decode(const uint8_t* bytes, std::string* error) {
  auto fail = [&](const std::string& what) -> std::optional<Instruction> {
    if (error) *error = what;
    return std::nullopt;
  };
  const OpInfo* op = info(bytes[0]);
  if (!op) return fail("unknown opcode " + hex2(bytes[0]));
  Instruction in;
  in.op = op->op;
  in.flags = bytes[1];
  in.rd = bytes[2] & 0x0f;
  in.ra = bytes[2] >> 4;
  in.rb = bytes[3] & 0x0f;
  in.rc = bytes[3] >> 4;
  in.imm0 = get32(&bytes[4]);
  in.imm1 = get32(&bytes[8]);
  in.imm2 = get32(&bytes[12]);

  // Only a failure needs the text: image validation decodes every
  // instruction of every core, and formatting it each time was a third of
  // loading a large image (mobilenet_v2 on large.yaml).
  auto where = [&] { return std::string(op->name) + " (opcode " + hex2(bytes[0]) + "): "; };
  if (in.flags & ~op->flags)
    return fail(where() + "flags " + hex2(in.flags) + " has bits " + hex2(in.flags & ~op->flags) +
                " set that this opcode does not use");
  auto unused_reg = [&](const char* name, uint8_t v) {
    return fail(where() + "unused register field " + name + " must be 0 (is " + std::to_string(v) + ")");
  };
  auto unused_imm = [&](const char* name, int32_t v) {
    return fail(where() + "unused field " + name + " must be 0 (is " + std::to_string(v) + ")");
  };
  if (!op->rd && in.rd) return unused_reg("rd", in.rd);
  if (!op->ra && in.ra) return unused_reg("ra", in.ra);
  if (!op->rb && in.rb) return unused_reg("rb", in.rb);
  if (in.rc) return unused_reg("rc", in.rc);  // no opcode uses rc yet
  if (!op->imm0 && in.imm0) return unused_imm("imm0", in.imm0);
  if (!op->imm1 && in.imm1) return unused_imm("imm1", in.imm1);
  if (!op->imm2 && in.imm2) return unused_imm("imm2", in.imm2);

  // Fields that are used but have forbidden values.
  if (in.op == Opcode::Mvm && mvm_crossbar_count(in) == 0)
    return fail(where() + "field imm0 has crossbar count 0 (bits 16-31 must be >= 1)");
  if (in.op == Opcode::Vreq && !(in.flags & flag::kVreqBias)) {
    if (in.rb) return fail(where() + "register field rb (bias) must be 0 without the bias flag (is " +
                           std::to_string(in.rb) + ")");
    if (in.imm2) return fail(where() + "field imm2 (bias) must be 0 without the bias flag (is " +
                             std::to_string(in.imm2) + ")");
  }
  return in;
}

const char* mnemonic(Opcode op) {
  const OpInfo* o = info(uint8_t(op));
  return o ? o->name : nullptr;
}

std::optional<Opcode> opcode_from_mnemonic(std::string_view name) {
  for (const OpInfo& o : kOps)
    if (name == o.name) return o.op;
  return std::nullopt;
}

bool is_known_opcode(uint8_t value) { return info(value) != nullptr; }

std::vector<AddressOperand> address_operands(const Instruction& in) {
  using A = AddressOperand;
  switch (in.op) {
    case Opcode::Mvm:
      return {{A::Buffer, in.rd, in.imm1, "output"}, {A::Buffer, in.ra, in.imm2, "input"}};
    case Opcode::Vreq:
      if (in.flags & flag::kVreqBias)
        return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "source"},
                {A::Buffer, in.rb, in.imm2, "bias"}};
      return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "source"}};
    case Opcode::Vmac:
    case Opcode::Vcopy:
      return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "source"}};
    case Opcode::Vadd32:
    case Opcode::Vmax8:
    case Opcode::Vmul8:
      return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "first source"},
              {A::Buffer, in.rb, in.imm2, "second source"}};
    case Opcode::Vlut:
      return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "source"},
              {A::Buffer, in.rb, in.imm2, "table"}};
    case Opcode::Vsoftmax:
      return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "source"},
              {A::Buffer, in.rb, in.imm2, "constants"}};
    case Opcode::Vfill32: return {{A::Buffer, in.rd, in.imm0, "destination"}};
    case Opcode::Load:
      return {{A::Buffer, in.rd, in.imm0, "destination"}, {A::Memory, in.ra, in.imm1, "source"},
              {A::ByteCount, in.rb, in.imm2, "byte count"}};
    case Opcode::Store:
      return {{A::Memory, in.rd, in.imm0, "destination"}, {A::Buffer, in.ra, in.imm1, "source"},
              {A::ByteCount, in.rb, in.imm2, "byte count"}};
    case Opcode::Send:
    case Opcode::Recv:
      return {{A::Buffer, in.ra, in.imm1, in.op == Opcode::Send ? "source" : "destination"},
              {A::ByteCount, in.rb, in.imm2, "byte count"}};
    default: return {};
  }
}

namespace {
constexpr const char* kVcfgNames[kNumVcfgRegs] = {"vl", "mult", "shift", "zp", "lo", "hi", "rows", "stride"};
constexpr int64_t kInt32Max = 0x7fffffff;
}  // namespace

const char* vcfg_name(VcfgReg reg) { return uint8_t(reg) < kNumVcfgRegs ? kVcfgNames[uint8_t(reg)] : "?"; }

VcfgRange vcfg_range(VcfgReg reg) {
  switch (reg) {
    case VcfgReg::Mult: return {0, kInt32Max};        // a non-negative int32 multiplier
    case VcfgReg::Shift: return {0, 62};              // the requantizer's right shift
    case VcfgReg::Zp: return {-kInt32Max - 1, kInt32Max};
    case VcfgReg::Lo:
    case VcfgReg::Hi: return {-128, 255};             // clamps of a byte result, signed or unsigned
    case VcfgReg::VL:
    case VcfgReg::Rows:
    case VcfgReg::Stride: return {0, kInt32Max};      // counts and byte strides; the buffer bounds them further
  }
  return {0, -1};  // an unknown register accepts nothing
}

std::string vcfg_problem(VcfgReg reg, int64_t value) {
  const VcfgRange r = vcfg_range(reg);
  if (value >= r.lo && value <= r.hi) return "";
  return std::string("vcfg ") + vcfg_name(reg) + " " + std::to_string(value) + " is outside " + std::to_string(r.lo) +
         ".." + std::to_string(r.hi);
}

}  // namespace cimvp
