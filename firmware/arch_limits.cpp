#include "firmware/arch_limits.h"

namespace cimvp {

std::string instruction_arch_problem(const Instruction& in, int core, const ArchLimits& limits) {
  const int crossbars = limits.crossbars_per_core;
  if (in.op == Opcode::Xprog && (in.imm0 < 0 || in.imm0 >= crossbars))
    return "crossbar " + std::to_string(in.imm0) + " is out of range 0.." + std::to_string(crossbars - 1);
  if (in.op == Opcode::Mvm) {
    const int first = mvm_first_crossbar(in), count = mvm_crossbar_count(in);
    if (count < 1 || first + count > crossbars)
      return "crossbars " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
             " are out of range 0.." + std::to_string(crossbars - 1);
    if (mvm_input_bits(in) > 8) return "input bits " + std::to_string(mvm_input_bits(in)) + " exceed 8";
  }
  for (const AddressOperand& a : address_operands(in)) {
    // Registers are computed when the core runs; negative constants are
    // refused for any architecture (instruction_problem, firmware/image.h).
    if (a.reg != 0 || a.space == AddressOperand::ByteCount) continue;
    const bool buffer = a.space == AddressOperand::Buffer;
    const int64_t limit = buffer ? limits.buffer_bytes : limits.memory_bytes;
    if (a.offset > limit)
      return std::string(a.name) + " address " + std::to_string(a.offset) + " is outside the " +
             std::to_string(limit) + "-byte " + (buffer ? "local buffer" : "global memory");
  }
  if ((in.op == Opcode::Send || in.op == Opcode::Recv) &&
      (in.imm0 < 0 || in.imm0 >= limits.cores || in.imm0 == core))
    return "core " + std::to_string(in.imm0) + " is not another core of the " + std::to_string(limits.cores) +
           "-core SoC";
  return "";
}

}  // namespace cimvp
