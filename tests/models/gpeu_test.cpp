// The GPEU's requantization against a reference written here from the
// definition: clamp(round(acc * mult / 2^shift) + zp, lo, hi), with exact
// rational rounding done by integer division (not by shifts), half up or
// half to even. Covers the 64-bit fast path, the 128-bit fallback near
// overflow, ties, and the clamps.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <iterator>
#include <random>

#include "common/softmax_unit.h"
#include "config/arch_config.h"
#include "models/gpeu.h"

namespace cimvp {
namespace {

__int128 floor_div(__int128 a, __int128 b) {  // b > 0
  __int128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

int64_t reference(int64_t acc, int64_t mult, int64_t shift, int64_t zp, int64_t lo, int64_t hi, bool half_even) {
  const __int128 p = __int128(acc) * mult;
  __int128 q = p;
  if (shift > 0) {
    const __int128 d = __int128(1) << shift;
    const __int128 f = floor_div(p, d), rem = p - f * d;  // 0 <= rem < d
    q = f;
    if (2 * rem > d || (2 * rem == d && (!half_even || (f & 1)))) ++q;
  }
  q += zp;
  return int64_t(q < lo ? lo : q > hi ? hi : q);
}

TEST(GpeuRequantize, EqualsTheDefinitionOnRandomAndEdgeValues) {
  std::mt19937_64 rng(42);
  const int64_t accs[] = {0, 1, -1, 3, -3, INT32_MAX, INT32_MIN, int64_t(INT32_MAX) * 2, int64_t(INT32_MIN) * 2,
                          INT64_MAX / 3, INT64_MIN / 3};
  const int64_t mults[] = {0, 1, 1 << 30, INT32_MAX, int64_t(1) << 40, int64_t(1) << 62};
  int64_t checked = 0, wide = 0;
  for (int i = 0; i < 200000; ++i) {
    const bool edge = i % 4 == 0;
    const int64_t acc = edge ? accs[rng() % std::size(accs)] : int64_t(rng() % (uint64_t(1) << 33)) - (int64_t(1) << 32);
    const int64_t mult = edge ? mults[rng() % std::size(mults)] : int64_t(rng() % (uint64_t(1) << 31));
    const int64_t shift = int64_t(rng() % 64);
    const int64_t zp = int64_t(rng() % 256) - 128;
    const bool unsigned8 = rng() % 2 == 0, open = rng() % 8 == 0;
    const int64_t lo = open ? INT64_MIN : unsigned8 ? 0 : -128, hi = open ? INT64_MAX : unsigned8 ? 255 : 127;
    for (bool half_even : {false, true}) {
      ASSERT_EQ(requantize_value(acc, mult, shift, zp, lo, hi, half_even),
                reference(acc, mult, shift, zp, lo, hi, half_even))
          << "acc " << acc << " mult " << mult << " shift " << shift << " zp " << zp << " half_even " << half_even;
      ++checked;
    }
    int64_t p;
    wide += __builtin_mul_overflow(acc, mult, &p);
  }
  EXPECT_GT(wide, 1000);  // the 128-bit fallback was exercised
  EXPECT_EQ(checked, 400000);
}

TEST(GpeuRequantize, TiesRoundUpOrToEven) {
  // acc / 2: odd accumulators are exact ties.
  for (int64_t acc = -9; acc <= 9; ++acc) {
    const int64_t up = requantize_value(acc, 1, 1, 0, -128, 127, false);
    const int64_t even = requantize_value(acc, 1, 1, 0, -128, 127, true);
    if (acc % 2 == 0) {
      EXPECT_EQ(up, acc / 2);
      EXPECT_EQ(even, acc / 2);
    } else {
      EXPECT_EQ(up, (acc + 1) / 2) << acc;  // floor(acc/2 + 1/2); acc + 1 is even
      EXPECT_EQ(even % 2, 0) << acc;
      EXPECT_EQ(std::abs(2 * even - acc), 1) << acc;
    }
  }
}

}  // namespace
}  // namespace cimvp

namespace cimvp {
namespace {

// Vlut indexes the table with the source byte read as 0..255; Vmul8
// multiplies two bytes, each signed or not by its own flag.
TEST(GpeuElementwise, VlutAndVmul8MeanWhatIsaMdSays) {
  const ArchConfig arch;
  const Timing timing(arch);
  Gpeu gpeu(timing);
  gpeu.set(VcfgReg::VL, 5);
  uint8_t table[256];
  for (int b = 0; b < 256; ++b) table[b] = uint8_t(255 - b);
  const uint8_t src[5] = {0, 1, 127, 128, 255};
  uint8_t dst[5] = {};
  gpeu.vlut(dst, src, table);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(dst[i], 255 - src[i]);
  const uint8_t a[5] = {0x80, 0xff, 3, 200, 127}, b[5] = {0x80, 2, 0xfd, 200, 0xff};
  for (bool as : {false, true})
    for (bool bs : {false, true}) {
      uint8_t out[20];
      gpeu.vmul8(out, a, b, as, bs);
      for (int i = 0; i < 5; ++i) {
        int32_t got;
        std::memcpy(&got, out + 4 * i, 4);
        const int32_t x = as ? int32_t(int8_t(a[i])) : int32_t(a[i]), y = bs ? int32_t(int8_t(b[i])) : int32_t(b[i]);
        EXPECT_EQ(got, x * y) << i << " " << as << bs;
      }
    }
}

}  // namespace
}  // namespace cimvp

namespace cimvp {
namespace {

// The softmax unit never fails on hand-written constants: a table of zeros
// gives lo everywhere; oversized entries and lo > hi give defined values.
TEST(GpeuSoftmax, AnyConstantsGiveDefinedOutputs) {
  int32_t k[softmax_word::kCount] = {};
  k[softmax_word::kLo] = 3;
  k[softmax_word::kHi] = 200;
  const uint8_t src[4] = {1, 2, 3, 4};
  uint8_t dst[4] = {9, 9, 9, 9};
  softmax_unit(src, dst, 4, 1, false, k);
  for (uint8_t v : dst) EXPECT_EQ(v, 3);
  for (int d = 0; d < 256; ++d) k[softmax_word::kExp + d] = -1;  // read as 2^15
  k[softmax_word::kMult] = -1;
  k[softmax_word::kLo] = 10, k[softmax_word::kHi] = 5;
  softmax_unit(src, dst, 4, 1, false, k);
  softmax_unit(src, dst, 4, 1, true, k);
  for (uint8_t v : dst) EXPECT_EQ(v, 5);  // min(max(v, 10), 5)
}

}  // namespace
}  // namespace cimvp
