#include "models/adc.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace cimvp {

AdcModel::AdcModel(int bits, int64_t full_scale, int64_t largest_column_sum)
    : bits_(bits), full_scale_(full_scale), largest_column_sum_(largest_column_sum) {
  if (bits < 1 || bits > 62)
    throw Error("ADC: resolution of " + std::to_string(bits) + " bits is outside 1..62");
  if (full_scale < 1 || full_scale > kMaxFullScale)
    throw Error("ADC: full scale " + std::to_string(full_scale) + " is outside 1.." + std::to_string(kMaxFullScale));
  top_code_ = (int64_t(1) << bits) - 1;
  const __int128 worst = __int128(2) * full_scale_ * top_code_ + full_scale_ + top_code_;
  fits_int64_ = worst <= __int128(INT64_MAX);
  codes_per_unit_ = double(top_code_) / double(full_scale_);
}

AdcModel& AdcModel::set_errors(double offset_lsb, double gain_error, double noise_lsb) {
  offset_lsb_ = offset_lsb;
  gain_error_ = gain_error;
  noise_lsb_ = noise_lsb;
  return *this;
}

int64_t AdcModel::convert_analog(double v, Random& rng) const {
  const double magnitude = v < 0 ? -v : v;
  double x = magnitude * (1 + gain_error_) * codes_per_unit_ + offset_lsb_;
  if (noise_lsb_ > 0) x += noise_lsb_ * rng.normal();
  const double rounded = std::floor(x + 0.5);
  const int64_t code = rounded <= 0 ? 0 : rounded >= double(top_code_) ? top_code_ : int64_t(rounded);
  const int64_t r = reconstruct(code);
  return v < 0 ? -r : r;
}

AdcModel::AdcModel(const ArchConfig& arch)
    : AdcModel(arch.adc.bits, arch.adc.full_scale > 0 ? arch.adc.full_scale : arch.max_column_sum(),
               arch.max_column_sum()) {
  set_errors(arch.adc.offset_lsb, arch.adc.gain_error, arch.adc.noise_lsb);
}

AdcCosts::AdcCosts(const AdcParams& adc, int crossbar_cols, const EnergyParams& energy, const AreaParams& area)
    : converters_per_crossbar(int(ceil_div(uint64_t(crossbar_cols), uint64_t(adc.cols_per_adc)))),
      conversion(ns_to_ps(adc.ns)),
      rate_gsps(adc.ns > 0 ? 1.0 / adc.ns : 0.0),
      speed_factor(std::max(1.0, rate_gsps / energy.adc_corner_gsps)) {
  constexpr double fj = 1e-3;  // in pJ
  energy_pj = energy.adc_pj > 0 ? energy.adc_pj : energy.adc_fom_fj * fj * std::ldexp(1.0, adc.bits) * speed_factor;
  area_um2 = area.adc_um2 * std::ldexp(1.0, adc.bits - 8) * speed_factor;
}

int64_t AdcModel::code(int64_t v) const {
  // v >= F gives the top code: (2FL + F) div 2F = L. Clamping first keeps
  // the products below inside the range checked in the constructor.
  if (v >= full_scale_) return top_code_;
  if (v <= 0) return 0;
  if (fits_int64_) return (2 * v * top_code_ + full_scale_) / (2 * full_scale_);
  return int64_t((__int128(2) * v * top_code_ + full_scale_) / (__int128(2) * full_scale_));
}

int64_t AdcModel::reconstruct(int64_t code) const {
  if (code <= 0) return 0;
  if (code > top_code_) code = top_code_;
  if (fits_int64_) return (2 * code * full_scale_ + top_code_) / (2 * top_code_);
  return int64_t((__int128(2) * code * full_scale_ + top_code_) / (__int128(2) * top_code_));
}

}  // namespace cimvp
