// Requantization in the integer reference executor: one value, and a row of
// float accumulators with their bias, which is what every output of a
// convolution or dense layer goes through (a search's accuracy measures
// 2,000 images per policy, some 130 million values for vgg-small), so the
// row has a vector path.
#pragma once

#include <cstdint>

#include "nn/quant.h"

namespace cimvp {

// requantize() in 64-bit arithmetic where that is exact: |acc| < 2^31 and
// 0 <= M < 2^31 keep |acc * M| below 2^62, so adding the rounding half
// (< 2^62) cannot overflow. Anything else takes requantize()'s 128-bit path.
inline int32_t requantize_value(int64_t acc, const Requant& r) {
  if (r.rounding == Rounding::HalfUp && r.shift > 0 && r.shift < 63 && r.multiplier >= 0 && acc > INT32_MIN &&
      acc < INT32_MAX) {
    int64_t v = ((acc * r.multiplier) + (int64_t(1) << (r.shift - 1))) >> r.shift;  // arithmetic shift: floor
    v += r.zero_point;
    return int32_t(v < r.lo ? r.lo : (v > r.hi ? r.hi : v));
  }
  return int32_t(requantize(acc, r.multiplier, r.shift, r.zero_point, r.lo, r.hi, r.rounding));
}

// dst[j] = requantize(int64(acc[j]) + bias, rq...) for j < n. Every acc[j]
// must be an integer below 2^24 in magnitude (the executor's float GEMMs are
// exact only then). Bit for bit requantize(), on every path.
void requantize_row(const float* acc, int64_t n, int64_t bias, const Requant& rq, int32_t* dst);

// The builds of the row's vector path: requantize_row() takes AVX2 where the
// CPU has it. Named so that tests run every build this machine can.
enum class RowKernel { Portable, Avx2 };
bool row_kernel_available(RowKernel kernel);
void requantize_row_with(RowKernel kernel, const float* acc, int64_t n, int64_t bias, const Requant& rq,
                         int32_t* dst);

}  // namespace cimvp
