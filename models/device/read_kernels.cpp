#include "models/device/read_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/vector_clones.h"

namespace cimvp::read_kernels {

CIMVP_VECTOR_CLONES
void driven_rows(const float* g, ptrdiff_t ld, ptrdiff_t cols, const float* drive, ptrdiff_t rows, float* column) {
  std::fill(column, column + cols, 0.f);
  for (ptrdiff_t r = 0; r < rows; ++r) {
    const float d = drive[r];
    if (d == 0) continue;  // most DAC digits are 0
    const float* __restrict gr = g + r * ld;
    float* __restrict out = column;
    for (ptrdiff_t c = 0; c < cols; ++c) out[c] += d * gr[c];
  }
}

namespace {

// A block of kBlock columns and kGroup slices of driven_rows_of_slices,
// its sums in registers (GCC vector extensions: one zmm, two ymm or four
// xmm per slice, whichever the clone has). Every lane computes
// acc += d * g row after row, as driven_rows does; a digit of 0 adds
// d * g = +-0, which leaves every sum as it was (a sum that starts at +0
// never becomes -0 by adding), so computing it is the same as skipping it.
constexpr int kBlock = 16;
constexpr int kGroup = 4;
typedef float Lanes __attribute__((vector_size(kBlock * sizeof(float))));

__attribute__((always_inline)) inline Lanes load(const float* p, ptrdiff_t width) {
  Lanes v = {};
  std::memcpy(&v, p, size_t(width) * sizeof(float));
  return v;
}

template <int Group>
__attribute__((always_inline)) inline void block_of_slices(const float* g, ptrdiff_t ld, ptrdiff_t c0, ptrdiff_t width, const float* drive,
                            ptrdiff_t rows, const int32_t* live, ptrdiff_t n_live, float* currents, ptrdiff_t cols) {
  Lanes acc[Group];
  for (Lanes& a : acc) a = Lanes{};
  for (ptrdiff_t i = 0; i < n_live; ++i) {
    const ptrdiff_t r = live[i];
    const Lanes gr = width == kBlock ? load(g + r * ld + c0, kBlock) : load(g + r * ld + c0, width);
    for (int s = 0; s < Group; ++s) acc[s] += drive[s * rows + r] * gr;
  }
  for (int s = 0; s < Group; ++s)  // a constant size where it can: a variable one is a library call
    if (width == kBlock)
      std::memcpy(currents + s * cols + c0, &acc[s], sizeof(Lanes));
    else
      std::memcpy(currents + s * cols + c0, &acc[s], size_t(width) * sizeof(float));
}

}  // namespace

CIMVP_VECTOR_CLONES
void driven_rows_of_slices(const float* g, ptrdiff_t ld, ptrdiff_t cols, const float* drive, ptrdiff_t rows,
                           int slices, const int32_t* live, ptrdiff_t n_live, float* currents) {
  for (ptrdiff_t c0 = 0; c0 < cols; c0 += kBlock) {
    const ptrdiff_t width = std::min<ptrdiff_t>(kBlock, cols - c0);
    int s = 0;
    for (; s + kGroup <= slices; s += kGroup)
      block_of_slices<kGroup>(g, ld, c0, width, drive + s * rows, rows, live, n_live, currents + s * cols, cols);
    for (; s < slices; ++s)
      block_of_slices<1>(g, ld, c0, width, drive + s * rows, rows, live, n_live, currents + s * cols, cols);
  }
}

CIMVP_VECTOR_CLONES
void convert(const float* v, const float* noise, float sigma, size_t n, bool bipolar, double gain, double offset,
             int32_t top, const int64_t* table, int64_t* __restrict out) {
  // Branch-free (clamped_code): noise makes every branch here unpredictable.
  // The bipolar and unipolar loops are apart so that each vectorizes.
  const double t = double(top);
  if (bipolar) {
    for (size_t i = 0; i < n; ++i) {
      const double x = noise ? double(v[i]) + double(sigma) * double(noise[i]) : double(v[i]);
      const int64_t r = table[int32_t(clamped_code(x, true, gain, offset, t))];
      out[i] = x < 0 ? -r : r;
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const double x = noise ? double(v[i]) + double(sigma) * double(noise[i]) : double(v[i]);
      out[i] = table[int32_t(clamped_code(x, false, gain, offset, t))];
    }
  }
}

}  // namespace cimvp::read_kernels
