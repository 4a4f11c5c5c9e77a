// The row DACs of a crossbar: input bit slicing. An Mvm input is a byte of
// which the low `bits` bits (1..8) count, two's complement when signed. The
// DAC drives an unsigned value u in digits of dac_bits, least significant
// first: ceil(bits / dac_bits) input slices, slice t with significance
// 2^(t * dac_bits).
//
// Signed inputs are driven biased, u = x + 2^(bits-1) in [0, 2^bits - 1],
// so they need no extra slice; the digital periphery removes the bias by
// subtracting 2^(bits-1) * (sum of the column's logical weights), a
// constant per programmed tile (see docs/crossbar.md).
#pragma once

#include <cstdint>

namespace cimvp {

class Dac {
 public:
  // dac_bits 1..16; throws cimvp::Error otherwise.
  explicit Dac(int dac_bits);

  int bits() const { return bits_; }
  // Input slices for inputs of `input_bits` bits.
  int slices(int input_bits) const { return (input_bits + bits_ - 1) / bits_; }
  // Significance (left shift) of slice t.
  int shift(int t) const { return t * bits_; }
  // Digit of slice t of the driven value u.
  uint32_t digit(uint32_t u, int t) const { return (u >> (t * bits_)) & mask_; }
  uint32_t max_digit() const { return mask_; }

  // The logical input value of a byte: its low `bits` bits, sign-extended
  // when signed_input.
  static int32_t decode(uint8_t byte, int bits, bool signed_input) {
    const uint32_t m = (uint32_t(1) << bits) - 1, sign = uint32_t(1) << (bits - 1);
    const uint32_t v = byte & m;
    return signed_input ? int32_t(v ^ sign) - int32_t(sign) : int32_t(v);
  }
  // The unsigned value the DAC drives for a byte: the input itself, or the
  // input biased by 2^(bits-1) when signed (the sign bit flipped).
  static uint32_t driven(uint8_t byte, int bits, bool signed_input) {
    const uint32_t m = (uint32_t(1) << bits) - 1;
    return (byte & m) ^ (signed_input ? uint32_t(1) << (bits - 1) : 0u);
  }

 private:
  int bits_;
  uint32_t mask_;
};

}  // namespace cimvp
