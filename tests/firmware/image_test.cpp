// The binary image format: write/read round trip, and every kind of malformed
// file refused with a message naming the problem, the section and the byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <fstream>
#include <limits>

#include "common/error.h"
#include "firmware/image.h"
#include "tests/firmware/sample_image.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;
using test::ins;

std::string read_error(const std::vector<uint8_t>& bytes, const std::string& source = "model.img") {
  try {
    read_image(bytes, source);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string validate_error(const FirmwareImage& img) {
  try {
    validate_image(img, "mem");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

// Recomputes the trailing CRC32 so that a deliberately broken field is found
// by the structural checks rather than by the checksum.
void fix_crc(std::vector<uint8_t>& b) {
  const uint32_t crc = uint32_t(crc32(0L, b.data(), uInt(b.size() - 4)));
  put32(b, b.size() - 4, crc);
}

// Offsets in small_image()'s file, from docs/image-format.md: a 32-byte fixed
// header, the architecture name "tiny" (4 + 4 bytes), then the cores section
// header (id, u64 length), the core count, and core 0's two counts.
constexpr size_t kCoresSection = 32 + 4 + 4;
constexpr size_t kCoreCount = kCoresSection + 12;
constexpr size_t kFirstInstruction = kCoreCount + 4 + 8;

TEST(FirmwareImage, HeaderLayout) {
  const std::vector<uint8_t> b = write_image(test::small_image());
  ASSERT_GT(b.size(), kFirstInstruction + 16);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "CVMP");
  EXPECT_EQ(b[4], kImageVersion);
  uint64_t total = 0;
  for (int i = 0; i < 8; ++i) total |= uint64_t(b[8 + size_t(i)]) << (8 * i);
  EXPECT_EQ(total, b.size());
  EXPECT_EQ(b[16], 0);     // flags
  EXPECT_EQ(b[24], 0x88);  // fingerprint, little-endian
  EXPECT_EQ(b[32], 4);     // name length
  EXPECT_EQ(std::string(b.begin() + 36, b.begin() + 40), "tiny");
  EXPECT_EQ(b[kCoresSection], 1);  // section id of 'cores'
  EXPECT_EQ(b[kCoreCount], 2);
  EXPECT_EQ(b[kFirstInstruction], uint8_t(Opcode::Xprog));
  EXPECT_EQ(uint32_t(crc32(0L, b.data(), uInt(b.size() - 4))),
            uint32_t(b[b.size() - 4] | b[b.size() - 3] << 8 | b[b.size() - 2] << 16 | uint32_t(b[b.size() - 1]) << 24));
}

TEST(FirmwareImage, WriteReadRoundTrip) {
  for (const FirmwareImage& img : {test::small_image(), test::rich_image()}) {
    const std::vector<uint8_t> bytes = write_image(img);
    const FirmwareImage back = read_image(bytes, "mem");
    EXPECT_EQ(write_image(back), bytes);
    EXPECT_EQ(back.arch_name, img.arch_name);
    EXPECT_EQ(back.arch_fingerprint, img.arch_fingerprint);
    ASSERT_EQ(back.cores.size(), img.cores.size());
    for (size_t c = 0; c < img.cores.size(); ++c) {
      EXPECT_EQ(back.cores[c].code, img.cores[c].code);
      ASSERT_EQ(back.cores[c].layers.size(), img.cores[c].layers.size());
      for (size_t k = 0; k < img.cores[c].layers.size(); ++k) {
        EXPECT_EQ(back.cores[c].layers[k].layer, img.cores[c].layers[k].layer);
        EXPECT_EQ(back.cores[c].layers[k].begin, img.cores[c].layers[k].begin);
        EXPECT_EQ(back.cores[c].layers[k].end, img.cores[c].layers[k].end);
      }
    }
    ASSERT_EQ(back.blocks.size(), img.blocks.size());
    for (size_t b = 0; b < img.blocks.size(); ++b) {
      EXPECT_EQ(back.blocks[b].weights, img.blocks[b].weights);
      EXPECT_EQ(back.blocks[b].rows, img.blocks[b].rows);
      EXPECT_EQ(back.blocks[b].weight_bits, img.blocks[b].weight_bits);
      EXPECT_EQ(back.blocks[b].row_offset, img.blocks[b].row_offset);
      EXPECT_EQ(back.blocks[b].col_offset, img.blocks[b].col_offset);
      EXPECT_EQ(back.blocks[b].adc_full_scale, img.blocks[b].adc_full_scale);
    }
    ASSERT_EQ(back.segments.size(), img.segments.size());
    for (size_t s = 0; s < img.segments.size(); ++s) {
      EXPECT_EQ(back.segments[s].core, img.segments[s].core);
      EXPECT_EQ(back.segments[s].address, img.segments[s].address);
      EXPECT_EQ(back.segments[s].bytes, img.segments[s].bytes);
    }
    ASSERT_EQ(back.outputs.size(), img.outputs.size());
    for (size_t t = 0; t < img.outputs.size(); ++t) {
      EXPECT_EQ(back.outputs[t].name, img.outputs[t].name);
      EXPECT_EQ(back.outputs[t].shape, img.outputs[t].shape);
      EXPECT_EQ(back.outputs[t].dtype, img.outputs[t].dtype);
      EXPECT_EQ(back.outputs[t].scale, img.outputs[t].scale);
      EXPECT_EQ(back.outputs[t].zero_point, img.outputs[t].zero_point);
      EXPECT_EQ(back.outputs[t].address, img.outputs[t].address);
    }
    EXPECT_EQ(back.inputs.size(), img.inputs.size());
    EXPECT_EQ(back.layer_names, img.layer_names);
  }
}

TEST(FirmwareImage, AdcFullScalesRoundTripAndVersion1ImagesStillRead) {
  FirmwareImage img = test::small_image();
  img.blocks[0].adc_full_scale = {1, 37, int64_t(1) << 40};
  const std::vector<uint8_t> with = write_image(img);
  EXPECT_EQ(read_image(with, "mem").blocks[0].adc_full_scale, img.blocks[0].adc_full_scale);
  // Version 1 wrote the same bytes without full scales (the count byte was
  // reserved, 0): such a file reads, and one claiming full scales does not.
  img.blocks[0].adc_full_scale.clear();
  std::vector<uint8_t> v1 = write_image(img);
  put32(v1, 4, 1);
  fix_crc(v1);
  const FirmwareImage old = read_image(v1, "old.img");
  EXPECT_EQ(old.version, 1u);
  EXPECT_TRUE(old.blocks[0].adc_full_scale.empty());
  std::vector<uint8_t> bad = with;
  put32(bad, 4, 1);
  fix_crc(bad);
  EXPECT_THAT(read_error(bad), HasSubstr("reserved weight-block byte must be 0 in a version 1 image (is 3)"));
  img.blocks[0].adc_full_scale.assign(256, 5);
  EXPECT_THAT(validate_error(img), HasSubstr("weight block 0: 256 ADC full scales (at most 255)"));
  EXPECT_THROW(write_image(img), Error);
}

TEST(FirmwareImage, TimingOnlyImagesCarryNoWeights) {
  FirmwareImage img = test::rich_image();
  const size_t full = write_image(img).size();
  size_t weights = 0;
  for (WeightBlock& b : img.blocks) {
    weights += b.weights.size();
    b.weights.clear();
  }
  img.timing_only = true;
  const std::vector<uint8_t> bytes = write_image(img);
  EXPECT_EQ(bytes.size(), full - 2 * weights);
  const FirmwareImage back = read_image(bytes, "mem");
  EXPECT_TRUE(back.timing_only);
  EXPECT_EQ(back.blocks.size(), img.blocks.size());
  EXPECT_EQ(back.blocks[1].rows, img.blocks[1].rows);
  EXPECT_TRUE(back.blocks[1].weights.empty());

  FirmwareImage bad = test::small_image();
  bad.timing_only = true;
  EXPECT_THROW(write_image(bad), Error);
  EXPECT_THAT(validate_error(bad), HasSubstr("weight block 0: carries 4 weights, but the image is timing-only"));
}

TEST(FirmwareImage, FileRoundTripAndMissingFile) {
  const std::string path = ::testing::TempDir() + "fw_image_test.img";
  write_image_file(test::rich_image(), path);
  EXPECT_EQ(write_image(read_image_file(path)), write_image(test::rich_image()));
  std::remove(path.c_str());
  try {
    read_image_file(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr("cannot open"));
  }
}

TEST(FirmwareImage, BadMagic) {
  std::vector<uint8_t> b = write_image(test::small_image());
  b[0] = 'X';
  const std::string e = read_error(b);
  EXPECT_THAT(e, HasSubstr("model.img: not a cimvp firmware image"));
  EXPECT_THAT(e, HasSubstr("magic"));
  const std::string text = "this is not an image";
  EXPECT_THAT(read_error(std::vector<uint8_t>(text.begin(), text.end())), HasSubstr("not a cimvp firmware image"));
}

TEST(FirmwareImage, WrongVersion) {
  FirmwareImage img = test::small_image();
  img.version = 7;
  EXPECT_EQ(read_error(write_image(img)), "model.img: format version 7, this cimvp reads versions 1 to 2");
  EXPECT_THAT(validate_error(img), HasSubstr("format version 7"));
}

TEST(FirmwareImage, EveryTruncationIsReported) {
  const std::vector<uint8_t> b = write_image(test::small_image());
  for (size_t n = 0; n < b.size(); ++n) {
    const std::string e = read_error(std::vector<uint8_t>(b.begin(), b.begin() + long(n)));
    ASSERT_THAT(e, HasSubstr("model.img: truncated in section '")) << "prefix of " << n << " bytes";
    EXPECT_THAT(e, HasSubstr("more bytes)")) << n;
  }
}

TEST(FirmwareImage, CutInsideWeightsNamesOffsetAndMissingBytes) {
  const std::vector<uint8_t> full = write_image(test::small_image());
  // The 4 int16 weights of block 0 are the last 8 bytes of the weight-block
  // section; find them by their values (1, -2, 7, -8).
  const std::vector<uint8_t> w = {1, 0, 0xfe, 0xff, 7, 0, 0xf8, 0xff};
  const auto it = std::search(full.begin(), full.end(), w.begin(), w.end());
  ASSERT_NE(it, full.end());
  const size_t weights_at = size_t(it - full.begin());
  const std::vector<uint8_t> cut(full.begin(), full.begin() + long(weights_at + 3));
  EXPECT_EQ(read_error(cut), "model.img: truncated in section 'weight blocks' at byte " + std::to_string(weights_at) +
                                 " (need 5 more bytes)");
}

TEST(FirmwareImage, EveryCorruptedByteIsRefused) {
  const std::vector<uint8_t> b = write_image(test::small_image());
  for (size_t i = 0; i < b.size(); ++i) {
    std::vector<uint8_t> c = b;
    c[i] ^= 0x41;
    const std::string e = read_error(c);
    ASSERT_FALSE(e.empty()) << "byte " << i;
    if (i >= 16) {
      EXPECT_THAT(e, HasSubstr("checksum mismatch")) << "byte " << i << ": " << e;
    }
  }
  std::vector<uint8_t> c = b;
  c[b.size() / 2] ^= 1;
  EXPECT_THAT(read_error(c), testing::MatchesRegex(
                                 "model.img: checksum mismatch \\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\): "
                                 "the file is corrupted"));
}

TEST(FirmwareImage, TrailingBytesAreRefused) {
  std::vector<uint8_t> b = write_image(test::small_image());
  b.push_back(0);
  EXPECT_THAT(read_error(b), HasSubstr("the header says the image is"));
}

TEST(FirmwareImage, UnknownOpcodeNamesCoreInstructionAndByte) {
  std::vector<uint8_t> b = write_image(test::small_image());
  const size_t at = kFirstInstruction + 16 * 2;
  ASSERT_EQ(b[at], uint8_t(Opcode::Mvm));
  b[at] = 0x7f;
  fix_crc(b);
  EXPECT_EQ(read_error(b), "model.img: section 'cores' at byte " + std::to_string(at) +
                               ": core 0 instruction 2: unknown opcode 0x7f");
}

TEST(FirmwareImage, NonZeroUnusedFieldInAFile) {
  std::vector<uint8_t> b = write_image(test::small_image());
  const size_t at = kFirstInstruction + 16 * 3;  // halt
  ASSERT_EQ(b[at], uint8_t(Opcode::Halt));
  b[at + 12] = 9;  // imm2
  fix_crc(b);
  const std::string e = read_error(b);
  EXPECT_THAT(e, HasSubstr("core 0 instruction 3: halt (opcode 0x01): unused field imm2 must be 0 (is 9)"));
  EXPECT_THAT(e, HasSubstr("section 'cores' at byte " + std::to_string(at)));
}

TEST(FirmwareImage, HugeCountsAreCappedBeforeAllocating) {
  std::vector<uint8_t> b = write_image(test::small_image());
  put32(b, kCoreCount, 0xffffffffu);
  fix_crc(b);
  EXPECT_THAT(read_error(b), HasSubstr("section 'cores' at byte"));
  b = write_image(test::small_image());
  put32(b, kCoreCount + 4, 0x7fffffffu);  // instructions of core 0
  fix_crc(b);
  EXPECT_THAT(read_error(b), HasSubstr("content overruns the section's declared length"));
}

TEST(FirmwareImage, StructuralErrorsNameTheItem) {
  struct Case {
    std::function<void(FirmwareImage&)> breaks;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](FirmwareImage& i) { i.cores[0].code[3] = ins(Opcode::Jmp, 0, 0, 0, 0, 4); },
       "core 0 instruction 3: jmp target 4 is outside the core's code (instructions 0..3)"},
      {[](FirmwareImage& i) { i.cores[0].code[3] = ins(Opcode::Bge, 0, 0, 1, 2, -1); },
       "core 0 instruction 3: bge target -1 is outside"},
      {[](FirmwareImage& i) { i.cores[0].code[0].imm1 = 1; },
       "core 0 instruction 0: xprog weight block 1 does not exist (the image has 1 weight blocks)"},
      {[](FirmwareImage& i) { i.cores[0].code[2].flags = 8; }, "core 0 instruction 2: mvm input bits 9 are outside 1..8"},
      {[](FirmwareImage& i) { i.blocks[0].weights[3] = 8; },
       "weight block 0: weight 8 at row 1, column 1 is outside the signed 4-bit range -8..7"},
      {[](FirmwareImage& i) { i.blocks[0].weights[1] = -9; }, "weight -9 at row 0, column 1"},
      {[](FirmwareImage& i) { i.blocks[0].weight_bits = 17; }, "weight block 0: weight_bits 17 is outside 1..16"},
      {[](FirmwareImage& i) { i.blocks[0].weight_bits = 0; }, "weight_bits 0 is outside 1..16"},
      {[](FirmwareImage& i) { i.cores[0].layers[0].layer = 1; },
       "core 0 layer range 0: layer 1 does not exist (the image names 1 layers)"},
      {[](FirmwareImage& i) { i.cores[0].layers[0].end = 5; },
       "core 0 layer range 0: instructions [0, 5) are not inside the core's code (4 instructions)"},
      {[](FirmwareImage& i) { i.outputs[0].shape.clear(); }, "output tensor 0 ('y'): the shape is empty"},
      {[](FirmwareImage& i) { i.inputs[0].shape = {3, 0}; }, "input tensor 0 ('x'): dimension 1 is 0"},
      {[](FirmwareImage& i) { i.cores[0].code[1].imm2 = -4; }, "load byte count -4 is negative"},
      {[](FirmwareImage& i) { i.segments[0].address = ~uint64_t(0) - 1; }, "memory segment 0: address"},
      {[](FirmwareImage& i) { i.blocks[0].adc_full_scale = {40, 0}; },
       "weight block 0: ADC full scale 0 of column group 1 is outside 1..1099511627776"},
  };
  for (const Case& c : cases) {
    FirmwareImage img = test::small_image();
    c.breaks(img);
    EXPECT_THAT(validate_error(img), ::testing::StartsWith("mem: ")) << c.message;
    EXPECT_THAT(validate_error(img), HasSubstr(c.message));
    // The same problem in a file names the file, the section and the byte.
    const std::string e = read_error(write_image(img));
    EXPECT_THAT(e, HasSubstr(c.message));
    EXPECT_THAT(e, HasSubstr("model.img: section '"));
    EXPECT_THAT(e, HasSubstr("' at byte "));
  }
  // Sizes that a file cannot even hold are refused by the writer.
  FirmwareImage img = test::small_image();
  img.blocks[0].rows = 0;
  EXPECT_THAT(validate_error(img), HasSubstr("weight block 0: has 0 rows and 2 columns"));
  img = test::small_image();
  img.blocks[0].weights.pop_back();
  EXPECT_THAT(validate_error(img), HasSubstr("weight block 0: has 3 weights, rows x cols = 4"));
  EXPECT_THROW(write_image(img), Error);
  img = test::small_image();
  img.cores[1].code = {ins(Opcode::Li, 0, 17, 0, 0, 1)};
  EXPECT_THAT(validate_error(img), HasSubstr("core 1 instruction 0: li: register field rd is 17"));
  EXPECT_EQ(validate_error(test::small_image()), "");
  EXPECT_EQ(validate_error(test::rich_image()), "");
}

TEST(FirmwareImage, BrokenFramingAndReservedBytes) {
  const FirmwareImage img = test::small_image();
  std::vector<uint8_t> b = write_image(img);
  b[kCoresSection] = 9;
  fix_crc(b);
  EXPECT_THAT(read_error(b), HasSubstr("section 'cores' at byte 40: expected section id 1 ('cores'), found id 9"));
  b = write_image(img);
  b[16] = 2;  // unknown header flag
  fix_crc(b);
  EXPECT_THAT(read_error(b), HasSubstr("section 'header' at byte 16: unknown header flags 0x00000002"));
  b = write_image(img);
  b[kCoresSection + 4] += 4;  // cores section declares 4 bytes more than it holds
  fix_crc(b);
  EXPECT_THAT(read_error(b), HasSubstr("section 'cores'"));
}

}  // namespace
}  // namespace cimvp
