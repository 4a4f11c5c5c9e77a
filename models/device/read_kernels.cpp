#include "models/device/read_kernels.h"

#include <algorithm>
#include <cmath>

// Clones only where the toolchain makes them (GCC or Clang on x86-64 with
// ifunc); elsewhere the baseline loop alone.
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define CIMVP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CIMVP_VECTOR_CLONES
#endif

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

CIMVP_VECTOR_CLONES
void driven_rows_of_slices(const float* g, ptrdiff_t ld, ptrdiff_t cols, const float* drive, ptrdiff_t rows,
                           int slices, float* currents) {
  std::fill(currents, currents + cols * slices, 0.f);
  for (ptrdiff_t r = 0; r < rows; ++r) {
    const float* __restrict gr = g + r * ld;
    for (int s = 0; s < slices; ++s) {
      const float d = drive[s * rows + r];
      if (d == 0) continue;  // most DAC digits are 0
      float* __restrict out = currents + s * cols;
      for (ptrdiff_t c = 0; c < cols; ++c) out[c] += d * gr[c];
    }
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
