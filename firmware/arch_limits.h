// What an instruction may name on one architecture: crossbars of its core,
// other cores, constant addresses inside the buffer and global memory. The
// SoC's loader and the assembler (`cimvp asm --arch`) check with the same
// function, so an image the assembler accepts is one the SoC loads. The
// firmware library does not know the architecture config; the caller fills
// this in (platform/soc.h arch_limits()).
#pragma once

#include <cstdint>
#include <string>

#include "firmware/isa.h"

namespace cimvp {

struct ArchLimits {
  int cores = 1;
  int crossbars_per_core = 1;
  int64_t buffer_bytes = 0;  // each core's local buffer
  int64_t memory_bytes = 0;  // the global memory
};

// "" when `in`, on core `core`, fits the architecture; else what does not
// ("crossbars 8..8 are out of range 0..7"), for the caller to prefix with
// where the instruction is.
std::string instruction_arch_problem(const Instruction& in, int core, const ArchLimits& limits);

}  // namespace cimvp
