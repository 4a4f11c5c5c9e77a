// Writes a seed corpus for the fuzz targets: a few valid images (binary) into
// DIR/image and their disassembly (text) into DIR/asm.
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>

#include "firmware/assembler.h"
#include "firmware/image.h"
#include "tests/firmware/sample_image.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  mkdir(dir.c_str(), 0755);
  mkdir((dir + "/image").c_str(), 0755);
  mkdir((dir + "/asm").c_str(), 0755);
  cimvp::FirmwareImage timing = cimvp::test::small_image();
  timing.timing_only = true;
  for (auto& b : timing.blocks) b.weights.clear();
  const cimvp::FirmwareImage images[] = {cimvp::test::small_image(), cimvp::test::rich_image(), timing,
                                         cimvp::FirmwareImage{}};
  int n = 0;
  for (const cimvp::FirmwareImage& image : images) {
    cimvp::write_image_file(image, dir + "/image/seed" + std::to_string(n) + ".img");
    std::ofstream(dir + "/asm/seed" + std::to_string(n) + ".s") << cimvp::disassemble(image);
    ++n;
  }
  std::printf("wrote %d seeds to %s/image and %s/asm\n", n, dir.c_str(), dir.c_str());
  return 0;
}
