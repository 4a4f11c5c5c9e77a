// What the firmware fuzz targets check on one input, shared by the libFuzzer
// targets (tests/fuzz/fuzz_*.cpp) and the test that replays the corpus kept
// in tests/fuzz/corpus (tests/firmware/fuzz_corpus_test.cpp). Each returns
// an empty string when the input was handled correctly (refused with a
// cimvp::Error, or accepted and round-tripped), else what went wrong.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "firmware/assembler.h"
#include "firmware/image.h"

namespace cimvp::fuzz {

// The image reader on `bytes` as given: whatever it accepts writes back to
// the same bytes and survives disassemble -> assemble unchanged (but for the
// format version: the assembler writes the current one).
inline std::string check_image_bytes(const std::vector<uint8_t>& bytes) {
  FirmwareImage image;
  try {
    image = read_image(bytes, "fuzz.img");
  } catch (const Error&) {
    return "";  // refused with a message: fine
  }
  if (write_image(image) != bytes) return "an accepted image does not write back to the same bytes";
  const std::string text = disassemble(image);
  try {
    FirmwareImage again = assemble(text, "fuzz.s");
    again.version = image.version;
    if (write_image(again) != bytes) return "disassemble -> assemble changed the image";
  } catch (const Error& e) {
    return std::string("the disassembly of an accepted image does not assemble: ") + e.what() + "\n" + text;
  }
  return "";
}

// check_image_bytes on the input as given, and with the header's length and
// the trailing CRC-32 repaired, so that mutations reach the section parser
// instead of stopping at the checksum.
inline std::string check_image_input(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  std::string problem = check_image_bytes(bytes);
  if (!problem.empty() || size < 20) return problem;
  for (int i = 0; i < 8; ++i) bytes[8 + size_t(i)] = uint8_t(uint64_t(size) >> (8 * i));
  const uint32_t crc = uint32_t(crc32(0L, bytes.data(), uInt(size - 4)));
  for (int i = 0; i < 4; ++i) bytes[size - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
  return check_image_bytes(bytes);
}

// The assembler on text: it assembles or is refused with a cimvp::Error;
// what assembles disassembles to text that assembles to the same bytes.
inline std::string check_assembly_input(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  FirmwareImage image;
  try {
    image = assemble(text, "fuzz.s");
  } catch (const Error&) {
    return "";
  }
  const std::vector<uint8_t> bytes = write_image(image);
  const std::string listing = disassemble(image);
  try {
    if (write_image(assemble(listing, "disasm.s")) == bytes) return "";
    return "disassemble -> assemble changed the image\n" + listing;
  } catch (const Error& e) {
    return std::string("the disassembly does not assemble: ") + e.what() + "\n" + listing;
  }
}

}  // namespace cimvp::fuzz
