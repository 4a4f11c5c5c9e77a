// The text of `cimvp compile --explain`: what the compiler decided for each
// op (bits, slices, tiles, programming rounds, cores, MVMs) and, with a
// resident placement, which layer parts each core's crossbars hold.
#pragma once

#include <string>

#include "compiler/compile.h"
#include "config/arch_config.h"

namespace cimvp {

std::string explain(const CompileResult& result, const ArchConfig& arch);

}  // namespace cimvp
