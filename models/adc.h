// The column ADC of a crossbar: a uniform quantizer of B bits over the range
// [0, F] in column-sum units (F = arch.adc.full_scale, or the largest column
// sum when that is 0), followed by the digital reconstruction the periphery
// uses for shift-and-add. Column sums above F clip to the top code.
//
//   L    = 2^B - 1                                   top code
//   code = min(L, round_half_up(v * L / F))          = min(L, (2vL + F) div 2F)
//   v'   = round_half_up(code * F / L)               = (2 code F + L) div 2L
//
// All in exact integer arithmetic. A signed column value (the differential-row
// mapping subtracts currents in the column) is converted sign + magnitude: the
// magnitude as above, the sign kept.
//
// Exactness: when L >= F (enough codes) and every |v| <= F (no clipping),
// v' == v. Proof: code = vL/F + e with e in (-1/2, 1/2] (rounding), so
// code F / L = v + eF/L. If F == L, code = v exactly (e = 0). If F < L,
// |eF/L| < 1/2, hence round_half_up(v + eF/L) = v. AdcModel::exact() states
// exactly these two conditions for every reachable column sum, and
// tests/models/adc_test.cpp checks them exhaustively on small ranges.
//
// Non-idealities (adc.offset_lsb, adc.gain_error, adc.noise_lsb) act on
// the analog input, offset and noise in code steps (LSB = F / L). The noise
// is referred to the input, where it adds to the read noise of the cells
// (s_read, in column-sum units):
//   x    = v + sqrt(s_read^2 + (noise / g)^2) N(0,1),   g = (1 + gain) L / F
//   code = clamp(round_half_up(|x| g + offset), 0, L)
// sign of x kept; the digital reconstruction is the same. That is a
// bipolar (sign + magnitude) converter, as the differential-row mapping's
// signed columns need. The other mappings' columns only source current and
// their converters are unipolar (set_bipolar(false), the architecture's
// choice): a noisy reading below zero gives code 0, x's sign is not kept. Such an ADC is never
// exact(), and the crossbar converts through convert_analog().
//
// The ADC owns everything that follows from its section of the architecture
// (AdcParams): its range and exactness (AdcModel), how many conversions an
// MVM makes, how long they take and what one costs in energy and area
// (AdcCosts). The core's timing, the platform's energy and area reports and
// the sweep's ADC column all ask these two.
#pragma once

#include <cstdint>
#include <vector>

#include "common/random_lanes.h"
#include "config/arch_config.h"
#include "firmware/image.h"
#include "models/timing.h"

namespace cimvp {

class AdcModel {
 public:
  // The largest full scale accepted: column sums of real crossbars are far
  // below it, and it keeps every shift-and-add product inside int64.
  static constexpr int64_t kMaxFullScale = kMaxAdcFullScale;  // firmware/image.h

  // bits 1..62, full_scale 1..kMaxFullScale; throws cimvp::Error otherwise.
  // largest_column_sum: the largest sum a column can produce (0: unknown).
  AdcModel(int bits, int64_t full_scale, int64_t largest_column_sum = 0);
  // The converter of `arch`: adc.bits, and adc.full_scale or, when that is
  // 0, the crossbar's largest column sum (arch.max_column_sum()).
  explicit AdcModel(const ArchConfig& arch);

  // The converter's errors (0, 0, 0: ideal); returns *this.
  AdcModel& set_errors(double offset_lsb, double gain_error, double noise_lsb);
  bool error_free() const { return offset_lsb_ == 0 && gain_error_ == 0 && noise_lsb_ == 0; }
  // Bipolar (the default) or unipolar analog conversion (see above).
  AdcModel& set_bipolar(bool bipolar) {
    bipolar_ = bipolar;
    update_idle_distribution();
    return *this;
  }
  bool bipolar() const { return bipolar_; }
  // The same converter (bits, errors, polarity) with another full scale:
  // one column group's converter after a range calibration.
  AdcModel with_full_scale(int64_t full_scale) const {
    AdcModel a(bits_, full_scale, largest_column_sum_);
    a.offset_lsb_ = offset_lsb_, a.gain_error_ = gain_error_, a.noise_lsb_ = noise_lsb_, a.bipolar_ = bipolar_;
    a.update_idle_distribution();  // once, for the errors and the polarity together
    return a;
  }

  int bits() const { return bits_; }
  int64_t full_scale() const { return full_scale_; }
  int64_t top_code() const { return top_code_; }
  int64_t largest_column_sum() const { return largest_column_sum_; }
  // True when every value with |v| <= max_abs converts exactly (see above).
  bool exact_up_to(int64_t max_abs) const {
    return error_free() && max_abs <= full_scale_ && top_code_ >= full_scale_;
  }
  // True when every column sum the crossbar can produce converts exactly:
  // then the fast integer path computes what the bit-accurate one does.
  bool exact() const { return exact_up_to(largest_column_sum_); }
  // True when the largest column sum is beyond the full scale.
  bool clips() const { return largest_column_sum_ > full_scale_; }

  // Conversions of one MVM: every used physical column once per input slice.
  static uint64_t conversions_per_mvm(int columns, uint64_t input_slices) {
    return uint64_t(columns) * input_slices;
  }

  // The code of a non-negative column value (clipped to the top code).
  int64_t code(int64_t magnitude) const;
  // The column value the periphery reconstructs from a code.
  int64_t reconstruct(int64_t code) const;
  // code + reconstruct of a signed value (sign + magnitude); not counted.
  int64_t quantize(int64_t v) const { return v >= 0 ? reconstruct(code(v)) : -reconstruct(code(-v)); }
  // The reconstructed value of an analog column current `v` (in column-sum
  // units) through the converter with its errors; noise drawn from `rng`.
  // Equal to quantize(v) for an integer v when error_free(). Not counted.
  int64_t convert_analog(double v, RandomLanes& rng) const;
  // The same for n currents of one read whose read noise has standard
  // deviation input_sigma (column-sum units): out[i] for v[i].
  void convert_analog(const float* v, size_t n, double input_sigma, RandomLanes& rng, int64_t* out) const;
  // convert_analog of n currents that are exactly 0 with no read noise (an
  // input slice that drives no row): the converter sees its own offset and
  // noise alone, so every code is an independent draw from one discrete
  // distribution, P(code >= k) = P(noise_lsb N >= k - 1/2 - offset_lsb)
  // (|N| for a bipolar converter, whose sign is then a fair coin). Drawn
  // from that distribution by one uniform 64-bit word per column, the
  // probabilities to 2^-63; codes whose probability is below 1e-18 are
  // never drawn. Only when idle_tabulated() (the distribution spans at
  // most 65,535 codes).
  void convert_idle(size_t n, RandomLanes& rng, int64_t* out) const;
  bool idle_tabulated() const { return idle_tabulated_; }
  // One counted conversion.
  int64_t convert(int64_t v) const {
    ++conversions_;
    return quantize(v);
  }

  // Conversions performed (or accounted for by a caller that converts in
  // bulk). A statistic, not state: const methods may count.
  uint64_t conversions() const { return conversions_; }
  void add_conversions(uint64_t n) const { conversions_ += n; }
  void reset_conversions() { conversions_ = 0; }

 private:
  int bits_;
  int64_t full_scale_;
  int64_t top_code_;
  int64_t largest_column_sum_;
  bool fits_int64_;  // 2FL + F + L fits int64: no 128-bit arithmetic needed
  double offset_lsb_ = 0, gain_error_ = 0, noise_lsb_ = 0;
  bool bipolar_ = true;
  double codes_per_unit_;  // L / F
  // reconstruct(code) for every code, when L <= kLargestTable.
  static constexpr int64_t kLargestTable = (int64_t(1) << 16) - 1;
  std::vector<int64_t> reconstruction_;
  mutable std::vector<float> noise_;  // scratch of convert_analog
  // convert_idle: idle_tail_[k - 1] = P(code >= k) 2^63, k = 1, 2, ... while
  // P(code >= k) is above 1e-18
  std::vector<uint64_t> idle_tail_;
  mutable std::vector<uint64_t> words_;  // scratch of convert_idle
  bool idle_tabulated_ = true;
  void update_idle_distribution();
  mutable uint64_t conversions_ = 0;
};

// What the ADCs of one crossbar cost: the converters a crossbar has (its
// columns shared adc.cols_per_adc to a converter), the time of one input
// slice's conversions, and the energy and area of one converter. Energy and
// area follow the Walden figure of merit with a rate penalty above the
// corner (docs/energy-area.md); energy.adc_pj > 0 overrides the model.
struct AdcCosts {
  AdcCosts(const AdcParams& adc, int crossbar_cols, const EnergyParams& energy, const AreaParams& area);
  explicit AdcCosts(const ArchConfig& arch) : AdcCosts(arch.adc, arch.crossbar.cols, arch.energy, arch.area) {}

  int converters_per_crossbar;  // ceil(crossbar.cols / adc.cols_per_adc)
  Picos conversion;             // one conversion (adc.ns)
  double rate_gsps;             // 1 / adc.ns; 0 when adc.ns is 0 (no rate penalty)
  double speed_factor;          // max(1, rate / energy.adc_corner_gsps)
  double energy_pj;             // one conversion
  double area_um2;              // one converter

  // `columns` used columns of a crossbar, converted by its converters in turn.
  Picos slice_time(int columns) const {
    return ceil_div(uint64_t(columns), uint64_t(converters_per_crossbar)) * conversion;
  }
};

}  // namespace cimvp
