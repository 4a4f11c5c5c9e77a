// libFuzzer target for the image reader (docs/image-format.md, "Fuzzing").
// Each input is read twice: as given, and with the header's length and the
// trailing CRC32 repaired, so that mutations reach the section parser instead
// of stopping at the checksum. Whatever is accepted must write back to the
// same bytes and survive disassemble -> assemble unchanged.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <vector>

#include "common/error.h"
#include "firmware/assembler.h"
#include "firmware/image.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_image: %s\n", what);
    std::abort();
  }
}

void read_one(const std::vector<uint8_t>& bytes) {
  cimvp::FirmwareImage image;
  try {
    image = cimvp::read_image(bytes, "fuzz.img");
  } catch (const cimvp::Error&) {
    return;  // refused with a message: fine
  }
  check(cimvp::write_image(image) == bytes, "an accepted image does not write back to the same bytes");
  const std::string text = cimvp::disassemble(image);
  cimvp::FirmwareImage again;
  try {
    again = cimvp::assemble(text, "fuzz.s");
  } catch (const cimvp::Error& e) {
    std::fprintf(stderr, "%s\n%s\n", e.what(), text.c_str());
    check(false, "the disassembly of an accepted image does not assemble");
  }
  check(cimvp::write_image(again) == bytes, "disassemble -> assemble changed the image");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  read_one(bytes);
  if (size >= 20) {
    for (int i = 0; i < 8; ++i) bytes[8 + size_t(i)] = uint8_t(uint64_t(size) >> (8 * i));
    const uint32_t crc = uint32_t(crc32(0L, bytes.data(), uInt(size - 4)));
    for (int i = 0; i < 4; ++i) bytes[size - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
    read_one(bytes);
  }
  return 0;
}
