// The general-purpose vector unit (GPEU) of a core: requantization, scaling,
// adds, max and strided copies over the local buffer, as in isa.h. Its
// functional operations and its timing are separate so that a timing-only
// run charges the same time without touching data.
#pragma once

#include <array>
#include <cstdint>

#include "firmware/isa.h"
#include "models/timing.h"

namespace cimvp {

class Gpeu {
 public:
  explicit Gpeu(const Timing& timing) : timing_(timing) { reset(); }

  void reset() { cfg_.fill(0); cfg_[int(VcfgReg::Hi)] = 255; cfg_[int(VcfgReg::Rows)] = 1; }
  void set(VcfgReg reg, int64_t value) { cfg_[int(reg)] = value; }
  int64_t get(VcfgReg reg) const { return cfg_[int(reg)]; }
  int64_t vl() const { return cfg_[int(VcfgReg::VL)]; }

  // Functional operations. Pointers are into the local buffer, already
  // bounds-checked by the core for vl() elements (Vcopy: rows x vl bytes).
  void vreq(uint8_t* dst, const uint8_t* src32, const uint8_t* bias32, bool half_even) const;
  void vmac(uint8_t* dst32, const uint8_t* src8, bool is_signed, int32_t multiplier) const;
  void vadd32(uint8_t* dst32, const uint8_t* a32, const uint8_t* b32) const;
  void vmax8(uint8_t* dst8, const uint8_t* a8, const uint8_t* b8, bool is_signed) const;
  void vfill32(uint8_t* dst32, int32_t value) const;
  void vcopy(uint8_t* dst, const uint8_t* src) const;
  void vlut(uint8_t* dst8, const uint8_t* src8, const uint8_t* table) const;
  void vmul8(uint8_t* dst32, const uint8_t* a8, const uint8_t* b8, bool a_signed, bool b_signed) const;
  // vl() values `stride` bytes apart; `constants`: common/softmax_unit.h's words.
  void vsoftmax(uint8_t* dst8, const uint8_t* src8, const uint8_t* constants, int64_t stride, bool is_signed,
                bool log) const;

  // Time of one operation on `elements` elements moving `buffer_bytes` bytes.
  Picos time(uint64_t elements, uint64_t buffer_bytes) const {
    return timing_.gpeu_op(elements) + timing_.buffer_access(buffer_bytes);
  }

 private:
  const Timing& timing_;
  std::array<int64_t, kNumVcfgRegs> cfg_{};
};

// The requantization step of Vreq on one value, shared with tests:
// clamp(round(acc * mult / 2^shift) + zp, lo, hi), rounding half up (or to even).
int64_t requantize_value(int64_t acc, int64_t mult, int64_t shift, int64_t zp, int64_t lo, int64_t hi,
                         bool half_even);

}  // namespace cimvp
