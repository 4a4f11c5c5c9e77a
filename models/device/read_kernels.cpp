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

// Sums of kBlock columns in registers (GCC vector extensions: one zmm, two
// ymm or four xmm, whichever the clone has).
constexpr int kBlock = 16;
typedef float Lanes __attribute__((vector_size(kBlock * sizeof(float))));

__attribute__((always_inline)) inline Lanes load(const float* p, ptrdiff_t width) {
  Lanes v = {};
  if (width == kBlock)  // a constant size where it can: a variable one is a library call
    std::memcpy(&v, p, sizeof v);
  else
    std::memcpy(&v, p, size_t(width) * sizeof(float));
  return v;
}

__attribute__((always_inline)) inline void store(float* p, const Lanes& v, ptrdiff_t width) {
  if (width == kBlock)
    std::memcpy(p, &v, sizeof v);
  else
    std::memcpy(p, &v, size_t(width) * sizeof(float));
}

}  // namespace

CIMVP_VECTOR_CLONES
void listed_rows(const float* g, ptrdiff_t ld, ptrdiff_t cols, const int32_t* rows, const float* drive, ptrdiff_t n,
                 float* column) {
  // Two blocks at a time: each listed row's index and drive loaded once
  // for 32 columns.
  ptrdiff_t c0 = 0;
  for (; c0 + 2 * kBlock <= cols; c0 += 2 * kBlock) {
    Lanes a = {}, b = {};
    for (ptrdiff_t i = 0; i < n; ++i) {
      const float* gr = g + ptrdiff_t(rows[i]) * ld + c0;
      const float d = drive[i];
      a += d * load(gr, kBlock);
      b += d * load(gr + kBlock, kBlock);
    }
    store(column + c0, a, kBlock);
    store(column + c0 + kBlock, b, kBlock);
  }
  for (; c0 < cols; c0 += kBlock) {
    const ptrdiff_t width = std::min<ptrdiff_t>(kBlock, cols - c0);
    Lanes a = {};
    for (ptrdiff_t i = 0; i < n; ++i) a += drive[i] * load(g + ptrdiff_t(rows[i]) * ld + c0, width);
    store(column + c0, a, width);
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
