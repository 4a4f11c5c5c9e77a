// Input bit slicing: every byte, every input width and DAC width; the digits
// recombine to the driven value, which is the input (biased when signed).
#include <gtest/gtest.h>

#include "common/error.h"
#include "models/dac.h"

namespace cimvp {
namespace {

TEST(Dac, DecodeAndDigitsRecombine) {
  for (int db = 1; db <= 8; ++db) {
    const Dac dac(db);
    for (int bits = 1; bits <= 8; ++bits) {
      ASSERT_EQ(dac.slices(bits), (bits + db - 1) / db);
      for (int byte = 0; byte < 256; ++byte)
        for (bool is_signed : {false, true}) {
          // the input's value, computed by arithmetic rather than bit tricks
          int x = byte % (1 << bits);
          if (is_signed && x >= (1 << (bits - 1))) x -= 1 << bits;
          ASSERT_EQ(Dac::decode(uint8_t(byte), bits, is_signed), x) << byte << " " << bits;
          const uint32_t u = Dac::driven(uint8_t(byte), bits, is_signed);
          ASSERT_EQ(int64_t(u), int64_t(x) + (is_signed ? 1 << (bits - 1) : 0));
          ASSERT_LT(u, 1u << bits);
          uint32_t sum = 0;
          for (int t = 0; t < dac.slices(bits); ++t) {
            ASSERT_LE(dac.digit(u, t), dac.max_digit());
            sum += dac.digit(u, t) << dac.shift(t);
          }
          ASSERT_EQ(sum, u);
        }
    }
  }
}

TEST(Dac, RejectsBadWidth) {
  EXPECT_THROW(Dac(0), Error);
  EXPECT_THROW(Dac(17), Error);
  EXPECT_EQ(Dac(3).max_digit(), 7u);
}

}  // namespace
}  // namespace cimvp
