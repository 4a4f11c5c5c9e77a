// Tiles a weight matrix over crossbars and builds the MVM program for it:
// the test's own simple mapper, independent of the compiler.
#pragma once

#include <algorithm>
#include <random>
#include <vector>

#include "tests/support/program.h"

namespace cimvp::test {

struct Matrix {
  int rows = 0, cols = 0;  // inputs x outputs
  std::vector<int16_t> w;  // row-major
  int16_t at(int r, int c) const { return w[size_t(r) * size_t(cols) + size_t(c)]; }
};

inline Matrix random_matrix(std::mt19937& rng, int rows, int cols, int bits) {
  Matrix m{rows, cols, {}};
  std::uniform_int_distribution<int> d(-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
  m.w.resize(size_t(rows) * size_t(cols));
  for (auto& v : m.w) v = int16_t(d(rng));
  return m;
}

inline std::vector<uint8_t> random_input(std::mt19937& rng, int n, int bits, bool is_signed) {
  std::uniform_int_distribution<int> d(is_signed ? -(1 << (bits - 1)) : 0,
                                       is_signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1);
  std::vector<uint8_t> x(static_cast<size_t>(n));
  for (auto& v : x) v = uint8_t(d(rng));
  return x;
}

// y = W^T x, exactly, in 64-bit.
inline std::vector<int64_t> reference_product(const Matrix& m, const std::vector<uint8_t>& x, bool is_signed) {
  std::vector<int64_t> y(size_t(m.cols), 0);
  for (int r = 0; r < m.rows; ++r) {
    const int64_t xv = is_signed ? int8_t(x[size_t(r)]) : x[size_t(r)];
    for (int c = 0; c < m.cols; ++c) y[size_t(c)] += int64_t(m.at(r, c)) * xv;
  }
  return y;
}

// An image computing y = W^T x on core 0: x (n bytes) at memory 0, y
// (int32) at memory `out_address`. Tiles go to the core's crossbars in
// groups; each group is one Mvm over its crossbars, accumulating after the first.
inline FirmwareImage mvm_image(const ArchConfig& arch, const Matrix& m, int weight_bits, int input_bits,
                               bool is_signed, uint64_t out_address, int* tiles_out = nullptr) {
  FirmwareImage image = make_image(arch, {});
  const int tr = arch.crossbar.max_tile_rows(), tc = arch.crossbar.max_tile_cols(weight_bits);
  for (int r0 = 0; r0 < m.rows; r0 += tr)
    for (int c0 = 0; c0 < m.cols; c0 += tc) {
      WeightBlock b;
      b.rows = uint32_t(std::min(tr, m.rows - r0));
      b.cols = uint32_t(std::min(tc, m.cols - c0));
      b.weight_bits = uint8_t(weight_bits);
      b.row_offset = uint32_t(r0);
      b.col_offset = uint32_t(c0);
      for (uint32_t r = 0; r < b.rows; ++r)
        for (uint32_t c = 0; c < b.cols; ++c) b.weights.push_back(m.at(r0 + int(r), c0 + int(c)));
      image.blocks.push_back(b);
    }
  if (tiles_out) *tiles_out = int(image.blocks.size());
  const int in_buf = 0, out_buf = (m.rows + 3) / 4 * 4;
  Program p;
  p.load(in_buf, 0, m.rows);
  const int crossbars = arch.crossbars_per_core();
  for (size_t g = 0; g < image.blocks.size(); g += size_t(crossbars)) {
    const int n = int(std::min(image.blocks.size() - g, size_t(crossbars)));
    for (int k = 0; k < n; ++k) p.xprog(k, int(g) + k);
    p.mvm(0, n, out_buf, in_buf, input_bits, is_signed, g > 0);
  }
  p.store(int(out_address), out_buf, 4 * m.cols);
  p.halt();
  image.cores[0].code = p.code;
  image.inputs.push_back(tensor("x", is_signed ? DType::I8 : DType::U8, uint32_t(m.rows), 0));
  image.outputs.push_back(tensor("y", DType::I32, uint32_t(m.cols), out_address));
  return image;
}

}  // namespace cimvp::test
