#include "nn/requant_row.h"

#include <cstdlib>

namespace cimvp {
namespace {

// Most layers: round half up, a bias below 2^30 and a shift of at least 33
// (the multiplier is normalized to 31 bits and the real scale is below 1/4).
// Then acc + bias fits in 32 bits, (acc + bias) * M in 62, and the rounded
// result in 31 after the shift, so the arithmetic runs in 32- and 64-bit
// lanes without a signed 64-bit shift (which x86 vectors lack): adding 2^62,
// a multiple of 2^shift, makes the sum nonnegative for a logical shift, and
// 2^(62 - shift) comes off afterwards. floor((x + half) / 2^shift) exactly.
// AVX2 multiplies four 32x32 -> 64-bit lanes at once; other machines run the
// same loop scalar (target_clones picks the version when the program loads).
__attribute__((target_clones("avx2", "default"))) void requantize_row_shift33(
    const float* __restrict acc, int64_t n, int32_t bias, int32_t mult, int shift, int32_t zero_point, int32_t lo,
    int32_t hi, int32_t* __restrict dst) {
  const uint64_t add = (uint64_t(1) << (shift - 1)) + (uint64_t(1) << 62);
  const int32_t off = int32_t(int64_t(1) << (62 - shift)) - zero_point;
  for (int64_t j = 0; j < n; ++j) {
    const int32_t a = int32_t(acc[j]) + bias;
    const uint64_t u = uint64_t(int64_t(a) * int64_t(mult)) + add;
    int32_t v = int32_t(u >> shift) - off;
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    dst[j] = v;
  }
}

// Any shift of 1..62: 64-bit arithmetic, exact while |acc + bias| < 2^31.
void requantize_row_64(const float* __restrict acc, int64_t n, int64_t bias, const Requant& rq,
                       int32_t* __restrict dst) {
  const int64_t mult = rq.multiplier, half = int64_t(1) << (rq.shift - 1), zp = rq.zero_point;
  const int64_t lo = rq.lo, hi = rq.hi;
  const int sh = rq.shift;
  for (int64_t j = 0; j < n; ++j) {
    const int64_t v = (((int64_t(acc[j]) + bias) * mult + half) >> sh) + zp;  // arithmetic shift: floor
    dst[j] = int32_t(v < lo ? lo : (v > hi ? hi : v));
  }
}

}  // namespace

void requantize_row(const float* acc, int64_t n, int64_t bias, const Requant& rq, int32_t* dst) {
  const bool fits_64 = rq.rounding == Rounding::HalfUp && rq.shift > 0 && rq.shift < 63 && rq.multiplier >= 0 &&
                       std::abs(bias) < (int64_t(1) << 30);
  if (fits_64 && rq.shift >= 33) {
    requantize_row_shift33(acc, n, int32_t(bias), rq.multiplier, rq.shift, rq.zero_point, rq.lo, rq.hi, dst);
  } else if (fits_64) {
    requantize_row_64(acc, n, bias, rq, dst);
  } else {
    for (int64_t j = 0; j < n; ++j)
      dst[j] = int32_t(requantize(int64_t(acc[j]) + bias, rq.multiplier, rq.shift, rq.zero_point, rq.lo, rq.hi,
                                  rq.rounding));
  }
}

}  // namespace cimvp
