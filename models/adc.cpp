#include "models/adc.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "models/device/read_kernels.h"

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
  if (top_code_ <= kLargestTable) {
    reconstruction_.resize(size_t(top_code_) + 1);
    for (int64_t c = 0; c <= top_code_; ++c) reconstruction_[size_t(c)] = reconstruct(c);
  }
}

AdcModel& AdcModel::set_errors(double offset_lsb, double gain_error, double noise_lsb) {
  offset_lsb_ = offset_lsb;
  gain_error_ = gain_error;
  noise_lsb_ = noise_lsb;
  update_idle_distribution();
  return *this;
}

void AdcModel::update_idle_distribution() {
  // code >= k  <=>  noise_lsb N + offset_lsb + 1/2 >= k (|N| when bipolar),
  // the kernel's clamped_code with x = noise N / gain (adc.h).
  idle_tail_.clear();
  idle_tabulated_ = true;
  for (int64_t k = 1; k <= top_code_; ++k) {
    if (k > kLargestTable) {  // a noise of thousands of codes: convert_analog draws it instead
      idle_tabulated_ = false;
      return;
    }
    const double t = double(k) - 0.5 - offset_lsb_;  // in units of the noise's standard deviation x noise_lsb
    double p;
    if (noise_lsb_ == 0)
      p = t <= 0 ? 1.0 : 0.0;
    else if (t <= 0)
      p = bipolar_ ? 1.0 : 1.0 - 0.5 * std::erfc(-t / noise_lsb_ / std::sqrt(2.0));
    else
      p = bipolar_ ? std::erfc(t / noise_lsb_ / std::sqrt(2.0)) : 0.5 * std::erfc(t / noise_lsb_ / std::sqrt(2.0));
    if (p < 1e-18) break;
    idle_tail_.push_back(p >= 1 ? uint64_t(1) << 63 : uint64_t(std::ldexp(p, 63)));
  }
}

void AdcModel::convert_idle(size_t n, RandomLanes& rng, int64_t* out) const {
  if (idle_tail_.empty()) {  // every code is 0
    std::fill(out, out + n, 0);
    return;
  }
  words_.resize(n);
  rng.fill_words(words_.data(), n);
  // A 63-bit uniform u per column (the word's high bits; the low bit is a
  // bipolar converter's sign): code >= k exactly when u < P(code >= k) 2^63.
  // Codes 0 and 1 first, without a branch on the data; the rare columns of
  // higher codes after.
  const uint64_t one = idle_tail_[0], two = idle_tail_.size() > 1 ? idle_tail_[1] : 0;
  const int64_t r1 = reconstruction_.empty() ? reconstruct(1) : reconstruction_[1];
  const bool bipolar = bipolar_;
  bool higher = false;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = words_[i], u = w >> 1;
    const int64_t r = u < one ? r1 : 0;
    out[i] = bipolar && (w & 1) ? -r : r;
    higher |= u < two;
  }
  if (!higher) return;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = words_[i], u = w >> 1;
    if (u >= two) continue;
    size_t k = 2;
    while (k < idle_tail_.size() && u < idle_tail_[k]) ++k;
    const int64_t r = reconstruction_.empty() ? reconstruct(int64_t(k)) : reconstruction_[k];
    out[i] = bipolar && (w & 1) ? -r : r;
  }
}

int64_t AdcModel::convert_analog(double v, RandomLanes& rng) const {
  const float x = float(v);
  int64_t out;
  convert_analog(&x, 1, 0.0, rng, &out);
  return out;
}

void AdcModel::convert_analog(const float* v, size_t n, double input_sigma, RandomLanes& rng, int64_t* out) const {
  const double gain = (1 + gain_error_) * codes_per_unit_;  // codes per column-sum unit
  // The ADC's noise referred to its input, added to the read noise: the
  // converter sees one normal variable (a sum of independent normals).
  const double adc_sigma = noise_lsb_ / gain;
  const float sigma = float(std::sqrt(input_sigma * input_sigma + adc_sigma * adc_sigma));
  const float* noise = nullptr;
  if (sigma > 0) {
    noise_.resize(n);
    rng.fill_normal(noise_.data(), n);
    noise = noise_.data();
  }
  const double offset = offset_lsb_ + 0.5;
  if (!reconstruction_.empty()) {
    read_kernels::convert(v, noise, sigma, n, bipolar_, gain, offset, int32_t(top_code_), reconstruction_.data(),
                          out);
    return;
  }
  for (size_t i = 0; i < n; ++i) {  // more codes than a table holds
    const double x = noise ? double(v[i]) + double(sigma) * double(noise[i]) : double(v[i]);
    const int64_t r = reconstruct(int64_t(read_kernels::clamped_code(x, bipolar_, gain, offset, double(top_code_))));
    out[i] = bipolar_ && x < 0 ? -r : r;
  }
}

AdcModel::AdcModel(const ArchConfig& arch)
    : AdcModel(arch.adc.bits, arch.adc.full_scale > 0 ? arch.adc.full_scale : arch.max_column_sum(),
               arch.max_column_sum()) {
  set_errors(arch.adc.offset_lsb, arch.adc.gain_error, arch.adc.noise_lsb);
  set_bipolar(arch.crossbar.mapping == WeightMapping::DifferentialRow);
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
