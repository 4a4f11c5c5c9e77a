// Builds firmware programs in C++ for tests, instruction by instruction,
// without going through the text assembler (which has tests of its own).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "firmware/image.h"
#include "firmware/isa.h"
#include "config/arch_config.h"

namespace cimvp::test {

struct Program {
  std::vector<Instruction> code;

  int here() const { return int(code.size()); }
  Program& emit(Instruction in) { code.push_back(in); return *this; }
  Program& op(Opcode o) { Instruction in; in.op = o; return emit(in); }
  Program& li(int rd, int32_t v) { Instruction in; in.op = Opcode::Li; in.rd = uint8_t(rd); in.imm0 = v; return emit(in); }
  Program& addi(int rd, int ra, int32_t v) {
    Instruction in; in.op = Opcode::Addi; in.rd = uint8_t(rd); in.ra = uint8_t(ra); in.imm0 = v; return emit(in);
  }
  Program& blt(int ra, int rb, int target) {
    Instruction in; in.op = Opcode::Blt; in.ra = uint8_t(ra); in.rb = uint8_t(rb); in.imm0 = target; return emit(in);
  }
  Program& xprog(int xb, int block) { Instruction in; in.op = Opcode::Xprog; in.imm0 = xb; in.imm1 = block; return emit(in); }
  Program& mvm(int first, int count, int out, int in_addr, int bits, bool is_signed = false, bool acc = false,
               int out_reg = 0, int in_reg = 0) {
    Instruction in;
    in.op = Opcode::Mvm;
    in.flags = uint8_t((bits - 1) | (is_signed ? flag::kMvmSignedInput : 0) | (acc ? flag::kMvmAccumulate : 0));
    in.rd = uint8_t(out_reg); in.ra = uint8_t(in_reg);
    in.imm0 = mvm_pack_crossbars(first, count); in.imm1 = out; in.imm2 = in_addr;
    return emit(in);
  }
  Program& vcfg(VcfgReg r, int32_t v) { Instruction in; in.op = Opcode::Vcfg; in.flags = uint8_t(r); in.imm0 = v; return emit(in); }
  Program& load(int buf, int mem, int bytes) { Instruction in; in.op = Opcode::Load; in.imm0 = buf; in.imm1 = mem; in.imm2 = bytes; return emit(in); }
  Program& store(int mem, int buf, int bytes) { Instruction in; in.op = Opcode::Store; in.imm0 = mem; in.imm1 = buf; in.imm2 = bytes; return emit(in); }
  Program& send(int core, int buf, int bytes) { Instruction in; in.op = Opcode::Send; in.imm0 = core; in.imm1 = buf; in.imm2 = bytes; return emit(in); }
  Program& recv(int core, int buf, int bytes) { Instruction in; in.op = Opcode::Recv; in.imm0 = core; in.imm1 = buf; in.imm2 = bytes; return emit(in); }
  Program& barrier() { return op(Opcode::Barrier); }
  Program& halt() { return op(Opcode::Halt); }
};

// An image for `arch` with the given per-core programs (missing cores idle).
inline FirmwareImage make_image(const ArchConfig& arch, std::vector<Program> programs) {
  FirmwareImage image;
  image.arch_name = arch.name;
  image.arch_fingerprint = arch.fingerprint();
  image.cores.resize(size_t(arch.cores()));
  for (size_t i = 0; i < programs.size(); ++i) image.cores[i].code = programs[i].code;
  return image;
}

inline TensorLayout tensor(const std::string& name, DType type, uint32_t elements, uint64_t address) {
  TensorLayout t;
  t.name = name;
  t.dtype = type;
  t.shape = {elements};
  t.address = address;
  return t;
}

inline std::vector<int32_t> as_int32(const std::vector<uint8_t>& bytes) {
  std::vector<int32_t> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

}  // namespace cimvp::test
