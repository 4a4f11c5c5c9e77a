// libFuzzer target for the text assembler (docs/image-format.md, "Fuzzing"):
// tests/fuzz/fuzz_checks.h says what is checked.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = cimvp::fuzz::check_assembly_input(data, size);
  if (problem.empty()) return 0;
  std::fprintf(stderr, "fuzz_asm: %s\n", problem.c_str());
  std::abort();
}
