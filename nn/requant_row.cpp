#include "nn/requant_row.h"

#include <cstdlib>

#include "common/error.h"

namespace cimvp {

bool row_kernel_available(RowKernel kernel) {
  if (kernel == RowKernel::Portable) return true;
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

namespace {

// Most layers: round half up, a bias below 2^30 and a shift of at least 33
// (the multiplier is normalized to 31 bits and the real scale is below 1/4).
// Then acc + bias fits in 32 bits, (acc + bias) * M in 62, and the rounded
// result in 31 after the shift, so the arithmetic runs in 32- and 64-bit
// lanes without a signed 64-bit shift (which x86 vectors lack): adding 2^62,
// a multiple of 2^shift, makes the sum nonnegative for a logical shift, and
// 2^(62 - shift) comes off afterwards. floor((x + half) / 2^shift) exactly.
// AVX2 multiplies four 32x32 -> 64-bit lanes at once; other machines run the
// same loop scalar. Both builds are named (not target_clones) so that a test
// on an AVX2 machine runs the portable one too.
__attribute__((always_inline)) inline void shift33_loop(const float* __restrict acc, int64_t n, int32_t bias,
                                                        int32_t mult, int shift, int32_t zero_point, int32_t lo,
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

void shift33_portable(const float* acc, int64_t n, int32_t bias, int32_t mult, int shift, int32_t zero_point,
                      int32_t lo, int32_t hi, int32_t* dst) {
  shift33_loop(acc, n, bias, mult, shift, zero_point, lo, hi, dst);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void shift33_avx2(const float* acc, int64_t n, int32_t bias, int32_t mult,
                                                   int shift, int32_t zero_point, int32_t lo, int32_t hi,
                                                   int32_t* dst) {
  shift33_loop(acc, n, bias, mult, shift, zero_point, lo, hi, dst);
}
#endif

RowKernel best_kernel() {
  static const RowKernel best = row_kernel_available(RowKernel::Avx2) ? RowKernel::Avx2 : RowKernel::Portable;
  return best;
}

}  // namespace

void requantize_row(const float* acc, int64_t n, int64_t bias, const Requant& rq, int32_t* dst) {
  requantize_row_with(best_kernel(), acc, n, bias, rq, dst);
}

void requantize_row_with(RowKernel kernel, const float* acc, int64_t n, int64_t bias, const Requant& rq,
                         int32_t* dst) {
  if (rq.rounding == Rounding::HalfUp && rq.shift >= 33 && rq.shift < 63 && rq.multiplier >= 0 &&
      std::abs(bias) < (int64_t(1) << 30)) {
    if (!row_kernel_available(kernel)) throw Error("requantize_row: this CPU cannot run the AVX2 kernel");
#if defined(__x86_64__)
    if (kernel == RowKernel::Avx2) {
      shift33_avx2(acc, n, int32_t(bias), rq.multiplier, rq.shift, rq.zero_point, rq.lo, rq.hi, dst);
      return;
    }
#endif
    shift33_portable(acc, n, int32_t(bias), rq.multiplier, rq.shift, rq.zero_point, rq.lo, rq.hi, dst);
    return;
  }
  // The rest: shifts of 32 and less (2-bit weights' first layers), half-even
  // rounding, huge biases. A local copy, so that the stores to dst (int32,
  // like its fields) do not make every value reload it.
  const Requant r = rq;
  for (int64_t j = 0; j < n; ++j) dst[j] = requantize_value(int64_t(acc[j]) + bias, r);
}

}  // namespace cimvp
