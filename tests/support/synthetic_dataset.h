// A learnable stand-in for an image dataset, for training tests that must be
// fast and independent of installed data: 1x28x28 images of class c carry a
// bright 2-row bar at rows 2 + 2c .. 3 + 2c (between columns col_lo and
// col_hi, exclusive) plus uniform noise; a fixed LCG makes it the same
// everywhere.
#pragma once

#include <cstdint>

#include "nn/dataset.h"

namespace cimvp::test {

struct BarStyle {
  float brightness = 0.6f;
  int noise_levels = 100;  // noise uniform in {0, ..., noise_levels - 1} / 255
  int col_lo = -1, col_hi = 28;
};

inline Dataset synthetic_bars(size_t n, uint64_t seed, BarStyle style = {}) {
  Dataset d;
  d.name = "synthetic";
  uint64_t s = seed;
  auto next = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(s >> 33);
  };
  for (size_t i = 0; i < n; ++i) {
    const int c = int(next() % 10);
    d.labels.push_back(uint8_t(c));
    for (int p = 0; p < 784; ++p) {
      const int row = p / 28, col = p % 28;
      const bool on = row >= 2 + 2 * c && row < 4 + 2 * c && col > style.col_lo && col < style.col_hi;
      d.images.push_back((on ? style.brightness : 0.f) + float(next() % uint32_t(style.noise_levels)) / 255.f);
    }
  }
  return d;
}

}  // namespace cimvp::test
