// An independent model of one crossbar tile's MVM through DACs, cells and a
// (possibly coarse) ADC, written from docs/crossbar.md without the model's
// code: per input slice and weight slice, each column sum of level x digit is
// converted by a sign-magnitude ADC (round half up, clipped at the full
// scale), then shifted and added; the signed mapping recombines positive and
// negative parts. With an ideal ADC it is the integer product.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "config/arch_config.h"
#include "firmware/image.h"

namespace cimvp::test {

// The input's value, written differently from the model: modulo, then wrap.
inline int64_t input_value(uint8_t byte, int bits, bool is_signed) {
  int64_t v = byte % (1 << bits);
  if (is_signed && v >= (1 << (bits - 1))) v -= (1 << bits);
  return v;
}


struct RefAdc {
  long double L, F;
  int64_t q(int64_t v) const {  // sign + magnitude, round half up, clip at F
    if (v < 0) return -q(-v);
    long double code = std::floor(static_cast<long double>(v) * L / F + 0.5L);
    if (code > L) code = L;
    return int64_t(std::floor(code * F / L + 0.5L));
  }
};

inline int64_t cell(int64_t magnitude, int k, int cb) { return (magnitude >> (k * cb)) % (int64_t(1) << cb); }

// b.adc_full_scale, when given, holds a full scale per weight slice k
// (the offset mapping's reference column after them), or per input slice t
// and weight slice (t-major), as docs/device.md defines the calibrated ranges.
inline std::vector<int64_t> adc_reference_mvm(const ArchConfig& a, const WeightBlock& b, const std::vector<uint8_t>& in, int ib,
                                   bool is_signed) {
  const long double top = static_cast<long double>((int64_t(1) << a.adc.bits) - 1);
  const RefAdc arch_adc{top, static_cast<long double>(a.adc.full_scale > 0 ? a.adc.full_scale
                                                                 : int64_t(a.crossbar.rows) * ((1 << a.crossbar.cell_bits) - 1) *
                                                                       ((1 << a.dac.bits) - 1))};
  const int cb = a.crossbar.cell_bits, db = a.dac.bits, wb = b.weight_bits;
  const int S = (wb + cb - 1) / cb, T = (ib + db - 1) / db;
  const int groups = S + (a.crossbar.mapping == WeightMapping::Offset ? 1 : 0);
  auto adc_of = [&](int t, int k) {
    if (b.adc_full_scale.empty()) return arch_adc;
    const size_t i = b.adc_full_scale.size() == size_t(groups) ? size_t(k) : size_t(t * groups + k);
    return RefAdc{top, static_cast<long double>(b.adc_full_scale.at(i))};
  };
  const int rows = int(b.rows), cols = int(b.cols);
  auto w = [&](int r, int j) { return int64_t(b.weights[size_t(r) * cols + j]); };
  std::vector<int64_t> driven(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) driven[size_t(r)] = input_value(in[size_t(r)], ib, is_signed) + (is_signed ? 1 << (ib - 1) : 0);
  std::vector<int64_t> y(static_cast<size_t>(cols), 0);
  for (int j = 0; j < cols; ++j) {
    int64_t acc = 0;
    for (int t = 0; t < T; ++t) {
      auto d = [&](int r) { return (driven[size_t(r)] >> (t * db)) % (int64_t(1) << db); };
      const int64_t ts = int64_t(1) << (t * db);
      for (int k = 0; k < S; ++k) {
        const RefAdc adc = adc_of(t, k);
        const int64_t ks = int64_t(1) << (k * cb);
        int64_t pos = 0, neg = 0, off = 0;
        for (int r = 0; r < rows; ++r) {
          pos += d(r) * cell(std::max<int64_t>(w(r, j), 0), k, cb);
          neg += d(r) * cell(std::max<int64_t>(-w(r, j), 0), k, cb);
          off += d(r) * cell(w(r, j) + (int64_t(1) << (wb - 1)), k, cb);
        }
        switch (a.crossbar.mapping) {
          case WeightMapping::DifferentialColumn: acc += ts * ks * (adc.q(pos) - adc.q(neg)); break;
          case WeightMapping::DifferentialRow: acc += ts * ks * adc.q(pos - neg); break;
          case WeightMapping::Offset: acc += ts * ks * adc.q(off); break;
        }
      }
      if (a.crossbar.mapping == WeightMapping::Offset) {
        const int s = (wb - 1) / cb;
        int64_t ref = 0;
        for (int r = 0; r < rows; ++r) ref += d(r) * (int64_t(1) << (wb - 1 - s * cb));
        acc -= ts * (int64_t(1) << (s * cb)) * adc_of(t, S).q(ref);
      }
    }
    if (is_signed)
      for (int r = 0; r < rows; ++r) acc -= (int64_t(1) << (ib - 1)) * w(r, j);
    y[size_t(j)] = acc;
  }
  return y;
}

}  // namespace cimvp::test
