// libFuzzer target for the text assembler: any text either assembles or is
// refused with a cimvp::Error; what assembles must disassemble to text that
// assembles to the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "firmware/assembler.h"
#include "firmware/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  cimvp::FirmwareImage image;
  try {
    image = cimvp::assemble(text, "fuzz.s");
  } catch (const cimvp::Error&) {
    return 0;
  }
  const std::vector<uint8_t> bytes = cimvp::write_image(image);
  const std::string listing = cimvp::disassemble(image);
  try {
    if (cimvp::write_image(cimvp::assemble(listing, "disasm.s")) == bytes) return 0;
    std::fprintf(stderr, "fuzz_asm: disassemble -> assemble changed the image\n%s\n", listing.c_str());
  } catch (const cimvp::Error& e) {
    std::fprintf(stderr, "fuzz_asm: the disassembly does not assemble: %s\n%s\n", e.what(), listing.c_str());
  }
  std::abort();
}
