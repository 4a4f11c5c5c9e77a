// The exact integer softmax and log-softmax of the GPEU's softmax unit
// (Vsoftmax, firmware/isa.h) and of the integer reference (QOpKind::Softmax):
// one definition, so the VP equals the reference by construction. The
// quantizer computes the constants (nn/quant.cpp); the code generator puts
// them in every core's buffer; the unit reads them there.
//
// Over n 8-bit integers q_i (scale s_in): m = max q_i; e_i = E[m - q_i] with
// E[d] = round(2^15 exp(-s_in d)); S = sum e_i (>= 2^15, the maximum's).
//   softmax:     out_i = floor((e_i M + 2^15 S) / (2^16 S)), M = round(2^16 / s_out)
//                (e_i / S on the output grid, rounded half up)
//   log-softmax: out_i = floor((A (q_i - m) - LN(S) + 2^15) / 2^16), A = round(2^16 s_in / s_out),
//                LN(S) = (k - 15) L2 + T[j] for S = 2^k (1 + f), j = the 8 bits of f after the point,
//                L2 = round(2^16 ln 2 / s_out), T[j] = round(2^16 ln(1 + (j + 1/2) / 256) / s_out)
//                (s_in (q_i - m) - ln(S / 2^15) on the output grid)
// then clamped to [lo, hi] (max with lo, then min with hi). The unit reads E[d] as at most 2^15 (what the
// quantizer writes), so no product or sum overflows, and with a table of
// zeros (S = 0: hand-written constants) every output is lo.
#pragma once

#include <algorithm>
#include <cstdint>

namespace cimvp {

// The constants as int32 words, as the unit reads them from its buffer.
namespace softmax_word {
constexpr int kMult = 0;    // M (softmax) or A (log-softmax)
constexpr int kLn2 = 1;     // L2 (log-softmax)
constexpr int kLo = 2, kHi = 3;
constexpr int kExp = 4;     // E[0 .. 255]
constexpr int kLn = 260;    // T[0 .. 255] (log-softmax)
constexpr int kCount = 516;
}  // namespace softmax_word

// y[i * stride] for the n values q[i * stride] (as integers), `k` the
// constants (softmax_word).
template <typename In, typename Out>
void softmax_unit(const In* q, Out* y, int64_t n, int64_t stride, bool log, const int32_t* k) {
  if (n <= 0) return;
  int32_t m = int32_t(q[0]);
  for (int64_t i = 1; i < n; ++i) m = std::max(m, int32_t(q[i * stride]));
  auto e = [&](int64_t i) {
    const uint32_t v = uint32_t(k[softmax_word::kExp + std::min(255, m - int32_t(q[i * stride]))]);
    return uint64_t(std::min<uint32_t>(v, 32768u));
  };
  uint64_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += e(i);
  const int64_t lo = k[softmax_word::kLo], hi = k[softmax_word::kHi];
  if (s == 0) {
    for (int64_t i = 0; i < n; ++i) y[i * stride] = Out(lo);
    return;
  }
  if (!log) {
    const uint64_t mult = uint64_t(uint32_t(k[softmax_word::kMult]));
    for (int64_t i = 0; i < n; ++i)
      y[i * stride] = Out(std::min(std::max(int64_t((e(i) * mult + (s << 15)) / (s << 16)), lo), hi));
    return;
  }
  int top = 63;
  while (!((s >> top) & 1u)) --top;  // s > 0
  const uint64_t j = (top >= 8 ? s >> (top - 8) : s << (8 - top)) & 255u;
  const int64_t ln = int64_t(top - 15) * k[softmax_word::kLn2] + k[softmax_word::kLn + int(j)];
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = int64_t(k[softmax_word::kMult]) * (int64_t(q[i * stride]) - m) - ln + (int64_t(1) << 15);
    y[i * stride] = Out(std::min(std::max(v >> 16, lo), hi));  // arithmetic shift: floor
  }
}

}  // namespace cimvp
