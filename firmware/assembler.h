// Text assembly and disassembly of whole firmware images. The text form holds
// everything an image holds (per-core code with labels, weight blocks, memory
// segments, tensor layouts, layer ranges), so `cimvp asm` of `cimvp disasm`'s
// output gives back the same image byte for byte. Syntax: docs/isa.md.
#pragma once

#include <string>

#include "firmware/arch_limits.h"
#include "firmware/image.h"

namespace cimvp {

// Throws cimvp::Error naming `source`, the line and column, and what is wrong.
// With `limits`, every operand is also checked against the architecture
// (crossbars, cores, constant addresses), so `mvm ..., xb=9` on an
// 8-crossbar core fails here with its line rather than when it runs.
// The architecture name and fingerprint come from the caller (the assembler
// does not know the architecture config); `.arch` directives in the text are
// checked against nothing and only kept as the name when none is given.
FirmwareImage assemble(const std::string& text, const std::string& source, const ArchLimits* limits = nullptr);

std::string disassemble(const FirmwareImage& image);

// One instruction in text form, e.g. "mvm r3, r2+16, xb=0..3, bits=8, signed" (the exact
// syntax is documented in docs/isa.md). Used by disassemble and error messages.
std::string format_instruction(const Instruction& in);

}  // namespace cimvp
