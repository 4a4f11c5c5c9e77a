// Builds instruction streams in C++ (the compiler's code generator and the
// tests use it): one method per instruction, register+offset operands, and
// labels patched when their position is known.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/isa.h"

namespace cimvp {

class ProgramBuilder {
 public:
  std::vector<Instruction> code;

  int here() const { return int(code.size()); }
  ProgramBuilder& emit(const Instruction& in) { code.push_back(in); return *this; }

  // control
  ProgramBuilder& halt() { return op(Opcode::Halt); }
  ProgramBuilder& barrier() { return op(Opcode::Barrier); }
  ProgramBuilder& li(int rd, int32_t v) { return emit(make(Opcode::Li, 0, rd, 0, 0, v)); }
  ProgramBuilder& addi(int rd, int ra, int32_t v) { return emit(make(Opcode::Addi, 0, rd, ra, 0, v)); }
  ProgramBuilder& add(int rd, int ra, int rb) { return emit(make(Opcode::Add, 0, rd, ra, rb)); }
  ProgramBuilder& blt(int ra, int rb, int target) { return emit(make(Opcode::Blt, 0, 0, ra, rb, target)); }
  ProgramBuilder& bne(int ra, int rb, int target) { return emit(make(Opcode::Bne, 0, 0, ra, rb, target)); }
  ProgramBuilder& jmp(int target) { return emit(make(Opcode::Jmp, 0, 0, 0, 0, target)); }

  // crossbars
  ProgramBuilder& xprog(int xb, int block) { return emit(make(Opcode::Xprog, 0, 0, 0, 0, xb, block)); }
  // out32 = rd + out, in = ra + in; crossbars first .. first + count - 1
  ProgramBuilder& mvm(int first, int count, int rd, int32_t out, int ra, int32_t in, int bits, bool is_signed,
                      bool accumulate) {
    const uint8_t flags = uint8_t((bits - 1) | (is_signed ? flag::kMvmSignedInput : 0) |
                                  (accumulate ? flag::kMvmAccumulate : 0));
    return emit(make(Opcode::Mvm, flags, rd, ra, 0, mvm_pack_crossbars(first, count), out, in));
  }

  // GPEU
  ProgramBuilder& vcfg(VcfgReg r, int32_t v, int ra = 0) { return emit(make(Opcode::Vcfg, uint8_t(r), 0, ra, 0, v)); }
  ProgramBuilder& vreq(int rd, int32_t dst, int ra, int32_t src, int rb, int32_t bias, bool with_bias) {
    return emit(make(Opcode::Vreq, with_bias ? flag::kVreqBias : 0, rd, ra, rb, dst, src, bias));
  }
  ProgramBuilder& vmac(int rd, int32_t dst, int ra, int32_t src, bool is_signed, int32_t multiplier) {
    return emit(make(Opcode::Vmac, is_signed ? flag::kSigned8 : 0, rd, ra, 0, dst, src, multiplier));
  }
  ProgramBuilder& vadd32(int rd, int32_t dst, int ra, int32_t a, int rb, int32_t b) {
    return emit(make(Opcode::Vadd32, 0, rd, ra, rb, dst, a, b));
  }
  ProgramBuilder& vmax8(int rd, int32_t dst, int ra, int32_t a, int rb, int32_t b, bool is_signed) {
    return emit(make(Opcode::Vmax8, is_signed ? flag::kSigned8 : 0, rd, ra, rb, dst, a, b));
  }
  ProgramBuilder& vlut(int rd, int32_t dst, int ra, int32_t src, int rb, int32_t table) {
    return emit(make(Opcode::Vlut, 0, rd, ra, rb, dst, src, table));
  }
  ProgramBuilder& vsoftmax(int rd, int32_t dst, int ra, int32_t src, int rb, int32_t constants, bool is_signed, bool log) {
    return emit(make(Opcode::Vsoftmax, uint8_t((is_signed ? flag::kSigned8 : 0) | (log ? flag::kSoftmaxLog : 0)), rd, ra,
                     rb, dst, src, constants));
  }
  ProgramBuilder& vmul8(int rd, int32_t dst, int ra, int32_t a, int rb, int32_t b, bool a_signed, bool b_signed) {
    return emit(make(Opcode::Vmul8, uint8_t((a_signed ? flag::kSigned8 : 0) | (b_signed ? flag::kSigned8B : 0)), rd, ra,
                     rb, dst, a, b));
  }
  ProgramBuilder& vfill32(int rd, int32_t dst, int32_t value) { return emit(make(Opcode::Vfill32, 0, rd, 0, 0, dst, value)); }
  ProgramBuilder& vcopy(int rd, int32_t dst, int ra, int32_t src) { return emit(make(Opcode::Vcopy, 0, rd, ra, 0, dst, src)); }

  // memory and network: buffer rd + buf, memory ra + mem, rb + bytes
  ProgramBuilder& load(int32_t buf, int32_t mem, int32_t bytes, int rd = 0, int ra = 0, int rb = 0) {
    return emit(make(Opcode::Load, 0, rd, ra, rb, buf, mem, bytes));
  }
  ProgramBuilder& store(int32_t mem, int32_t buf, int32_t bytes, int rd = 0, int ra = 0, int rb = 0) {
    return emit(make(Opcode::Store, 0, rd, ra, rb, mem, buf, bytes));
  }
  ProgramBuilder& send(int core, int32_t buf, int32_t bytes, int ra = 0, int rb = 0) {
    return emit(make(Opcode::Send, 0, 0, ra, rb, core, buf, bytes));
  }
  ProgramBuilder& recv(int core, int32_t buf, int32_t bytes, int ra = 0, int rb = 0) {
    return emit(make(Opcode::Recv, 0, 0, ra, rb, core, buf, bytes));
  }

  // Counted loop: `body` is emitted once and runs `count` times with
  // register `counter` going 0, step, 2*step, ... (count >= 1).
  template <typename Body>
  ProgramBuilder& loop(int counter, int limit_reg, int32_t count, int32_t step, Body body) {
    li(counter, 0).li(limit_reg, count * step);
    const int top = here();
    body();
    addi(counter, counter, step).blt(counter, limit_reg, top);
    return *this;
  }

  static Instruction make(Opcode op, uint8_t flags, int rd = 0, int ra = 0, int rb = 0, int32_t i0 = 0,
                          int32_t i1 = 0, int32_t i2 = 0) {
    Instruction in;
    in.op = op;
    in.flags = flags;
    in.rd = uint8_t(rd);
    in.ra = uint8_t(ra);
    in.rb = uint8_t(rb);
    in.imm0 = i0;
    in.imm1 = i1;
    in.imm2 = i2;
    return in;
  }

 private:
  ProgramBuilder& op(Opcode o) { return emit(make(o, 0)); }
};

}  // namespace cimvp
