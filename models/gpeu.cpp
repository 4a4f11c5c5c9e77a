#include "models/gpeu.h"

#include <algorithm>
#include <cstring>

#include "common/softmax_unit.h"

namespace cimvp {
namespace {

int32_t load32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);  // little-endian host, as the buffer layout
  return v;
}
void store32(uint8_t* p, int32_t v) { std::memcpy(p, &v, 4); }

// requantize_value in 128-bit arithmetic: exact for any register values.
int64_t requantize_wide(int64_t acc, int64_t mult, int64_t shift, int64_t zp, int64_t lo, int64_t hi,
                        bool half_even) {
  const __int128 product = __int128(acc) * mult;
  __int128 scaled;
  if (shift <= 0) {
    scaled = product;
  } else {
    const __int128 half = __int128(1) << (shift - 1);
    scaled = (product + half) >> shift;  // floor((p + half) / 2^shift): round half up
    if (half_even) {
      const __int128 rem = product & ((__int128(1) << shift) - 1);
      if (rem == half && (scaled & 1)) scaled -= 1;  // an exact tie went up to an odd value
    }
  }
  scaled += zp;
  if (scaled < lo) return lo;
  if (scaled > hi) return hi;
  return int64_t(scaled);
}

}  // namespace

int64_t requantize_value(int64_t acc, int64_t mult, int64_t shift, int64_t zp, int64_t lo, int64_t hi,
                         bool half_even) {
  // The common case in 64 bits (an int32 plus an int32 bias times a 31-bit
  // multiplier fits); anything that could overflow takes the 128-bit path.
  // Floor division by 2^shift is an arithmetic shift.
  int64_t product, rounded;
  if (shift < 1 || shift > 62 || __builtin_mul_overflow(acc, mult, &product) ||
      __builtin_add_overflow(product, int64_t(1) << (shift - 1), &rounded))
    return requantize_wide(acc, mult, shift, zp, lo, hi, half_even);
  int64_t scaled = rounded >> shift;  // round half up
  if (half_even && (product & ((int64_t(1) << shift) - 1)) == int64_t(1) << (shift - 1) && (scaled & 1))
    scaled -= 1;  // an exact tie went up to an odd value
  if (__builtin_add_overflow(scaled, zp, &scaled)) return requantize_wide(acc, mult, shift, zp, lo, hi, half_even);
  return scaled < lo ? lo : scaled > hi ? hi : scaled;
}

void Gpeu::vreq(uint8_t* dst, const uint8_t* src32, const uint8_t* bias32, bool half_even) const {
  const int64_t n = vl(), mult = get(VcfgReg::Mult), shift = get(VcfgReg::Shift), zp = get(VcfgReg::Zp),
                lo = get(VcfgReg::Lo), hi = get(VcfgReg::Hi);
  for (int64_t i = 0; i < n; ++i) {
    int64_t acc = load32(src32 + 4 * i);
    if (bias32) acc += load32(bias32 + 4 * i);
    dst[i] = uint8_t(requantize_value(acc, mult, shift, zp, lo, hi, half_even));
  }
}

void Gpeu::vmac(uint8_t* dst32, const uint8_t* src8, bool is_signed, int32_t multiplier) const {
  const int64_t n = vl();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t x = is_signed ? int32_t(int8_t(src8[i])) : int32_t(src8[i]);
    const uint32_t sum = uint32_t(load32(dst32 + 4 * i)) + uint32_t(x) * uint32_t(multiplier);
    store32(dst32 + 4 * i, int32_t(sum));  // wraps modulo 2^32 like the hardware adder
  }
}

void Gpeu::vadd32(uint8_t* dst32, const uint8_t* a32, const uint8_t* b32) const {
  const int64_t n = vl();
  for (int64_t i = 0; i < n; ++i)
    store32(dst32 + 4 * i, int32_t(uint32_t(load32(a32 + 4 * i)) + uint32_t(load32(b32 + 4 * i))));
}

void Gpeu::vmax8(uint8_t* dst8, const uint8_t* a8, const uint8_t* b8, bool is_signed) const {
  const int64_t n = vl();
  if (is_signed) {
    for (int64_t i = 0; i < n; ++i) dst8[i] = uint8_t(std::max(int8_t(a8[i]), int8_t(b8[i])));
  } else {
    for (int64_t i = 0; i < n; ++i) dst8[i] = std::max(a8[i], b8[i]);
  }
}

void Gpeu::vfill32(uint8_t* dst32, int32_t value) const {
  const int64_t n = vl();
  for (int64_t i = 0; i < n; ++i) store32(dst32 + 4 * i, value);
}

void Gpeu::vlut(uint8_t* dst8, const uint8_t* src8, const uint8_t* table) const {
  const int64_t n = vl();
  for (int64_t i = 0; i < n; ++i) dst8[i] = table[src8[i]];
}

void Gpeu::vsoftmax(uint8_t* dst8, const uint8_t* src8, const uint8_t* constants, int64_t stride, bool is_signed,
                    bool log) const {
  int32_t k[softmax_word::kCount];
  std::memcpy(k, constants, sizeof k);
  if (is_signed)
    softmax_unit(reinterpret_cast<const int8_t*>(src8), dst8, vl(), stride, log, k);
  else
    softmax_unit(src8, dst8, vl(), stride, log, k);
}

void Gpeu::vmul8(uint8_t* dst32, const uint8_t* a8, const uint8_t* b8, bool a_signed, bool b_signed) const {
  const int64_t n = vl();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t a = a_signed ? int32_t(int8_t(a8[i])) : int32_t(a8[i]);
    const int32_t b = b_signed ? int32_t(int8_t(b8[i])) : int32_t(b8[i]);
    store32(dst32 + 4 * i, a * b);  // |a * b| <= 2^16: no overflow
  }
}

void Gpeu::vcopy(uint8_t* dst, const uint8_t* src) const {
  const int64_t n = vl(), rows = get(VcfgReg::Rows), stride = get(VcfgReg::Stride);
  for (int64_t r = 0; r < rows; ++r) std::memmove(dst + r * n, src + r * stride, size_t(n));
}

}  // namespace cimvp
