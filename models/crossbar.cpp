#include "models/crossbar.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "models/device/read_kernels.h"

namespace cimvp {

bool crossbars_are_exact(const ArchConfig& arch) {
  return AdcModel(arch).exact() && DeviceModel(arch.device, arch.crossbar.cell_bits).ideal();
}

Crossbar::Crossbar(const CrossbarParams& crossbar, int dac_bits, const AdcModel& adc, const DeviceParams& device,
                   Path path)
    : crossbar_(crossbar),
      path_(path),
      adc_ideal_(adc.exact()),
      adc_(adc),
      dac_(dac_bits),
      device_(device, crossbar.cell_bits),
      analog_(!device_.ideal() || !adc.error_free()) {
  id_.seed = uint64_t(device.seed);
  age_s_ = device.read_time_s;
  update_fast();
}

void Crossbar::update_fast() {
  fast_ = path_ == Path::Auto && adc_ideal_ && device_.ideal() && group_adc_.empty() && !recorder_;
}

void Crossbar::set_path(Path path) {
  path_ = path;
  path_changed();
}

void Crossbar::set_column_sum_recorder(ColumnSumRecorder* recorder) {
  recorder_ = recorder;
  path_changed();
}

void Crossbar::path_changed() {
  update_fast();
  if (programmed_ && functional_ && !fast_) build_cells();
}

void Crossbar::set_identity(const CrossbarIdentity& id) {
  id_ = id;
  events_ = 0;
  if (programmed_) reprogram();  // the programmed weights, drawn as this crossbar's event 0
}

void Crossbar::reprogram() {
  if (programmed_ && functional_ && analog_) {
    build_cells();
    draw_cells();
  }
  ++events_;
}

void Crossbar::draw_cells() {
  if (device_.drifts()) {  // the cells before drift kept: set_age() only drifts them again
    device_.program_aging(levels_, id_, events_, aging_);
    device_.age(aging_, age_s_, conductances_);
  } else {
    device_.program(levels_, id_, events_, conductances_);
  }
  read_seed_ = DeviceModel::read_seed(id_, events_);
  read_seeded_ = false;
}

void Crossbar::set_age(double seconds) {
  if (seconds == age_s_) return;
  age_s_ = seconds;
  if (programmed_ && functional_ && analog_ && device_.drifts())
    device_.age(aging_, age_s_, conductances_);
}

void Crossbar::clear() {
  programmed_ = functional_ = cells_built_ = false;
  group_adc_.clear();
  update_fast();
  layout_ = CellLayout();
  row_offset_ = col_offset_ = 0;
}

void Crossbar::unload() {
  clear();
  events_ = 0;
}

void Crossbar::program(const WeightBlock& block, bool functional, uint32_t block_id) {
  clear();
  CellLayout layout = cell_layout(crossbar_, int(block.rows), int(block.cols), int(block.weight_bits));
  if (functional) {
    check_weights(block);
    const size_t groups = size_t(layout.column_groups());
    if (block.adc_full_scale.size() % groups != 0)
      throw Error("crossbar: the weight block carries " + std::to_string(block.adc_full_scale.size()) +
                  " ADC full scales, not a multiple of the " + std::to_string(groups) + " column groups that its " +
                  std::to_string(layout.weight_bits) + "-bit weights make on " + std::to_string(layout.cell_bits) +
                  "-bit cells (" + mapping_name(layout.mapping) + ")");
    for (int64_t f : block.adc_full_scale) group_adc_.push_back(adc_.with_full_scale(f));
    // Largest |sum of products| of one output: its weights' absolute sum
    // times the largest input magnitude (255, unsigned 8-bit).
    int64_t largest = 0;
    for (uint32_t j = 0; j < block.cols; ++j) {
      int64_t s = 0;
      for (uint32_t r = 0; r < block.rows; ++r) s += std::abs(int64_t(block.weights[size_t(r) * block.cols + j]));
      largest = std::max(largest, s * 255);
    }
    use_float_ = largest < (int64_t(1) << 24);
    if (use_float_) {
      set_weights(block, weights_f_);
      weights_d_.resize(0, 0);
      xf_.resize(block.rows);
      yf_.resize(block.cols);
    } else {
      set_weights(block, weights_d_);
      weights_f_.resize(0, 0);
      xd_.resize(block.rows);
      yd_.resize(block.cols);
    }
  }
  layout_ = layout;
  row_offset_ = int(block.row_offset);
  col_offset_ = int(block.col_offset);
  block_id_ = block_id;
  programmed_ = true;
  functional_ = functional;
  update_fast();
  if (functional_ && !fast_) build_cells(&block);
  if (functional_ && analog_) draw_cells();
  ++events_;
}

template <typename M>
void Crossbar::set_weights(const WeightBlock& block, M& w) {
  // WeightBlock is row-major rows x cols: the same memory as a column-major
  // cols x rows matrix, which is what out += W x wants.
  w = Eigen::Map<const Eigen::Matrix<int16_t, Eigen::Dynamic, Eigen::Dynamic>>(block.weights.data(), block.cols,
                                                                               block.rows)
          .template cast<typename M::Scalar>();
}

void Crossbar::build_cells(const WeightBlock* block) {
  if (cells_built_) return;
  if (block) {
    map_weights(layout_, *block, levels_);
  } else {  // programmed on the fast path: the mapper wants the row-major block back
    WeightBlock view;
    view.rows = uint32_t(layout_.rows);
    view.cols = uint32_t(layout_.cols);
    view.weight_bits = uint8_t(layout_.weight_bits);
    view.weights.resize(size_t(layout_.rows) * layout_.cols);
    Eigen::Map<Eigen::Matrix<int16_t, Eigen::Dynamic, Eigen::Dynamic>> w(view.weights.data(), layout_.cols,
                                                                         layout_.rows);
    if (use_float_)
      w = weights_f_.cast<int16_t>();
    else
      w = weights_d_.cast<int16_t>();
    map_weights(layout_, view, levels_);
  }
  // ISAAC's encoding: complement the columns whose sum is above half the range.
  top_level_ = (1 << crossbar_.cell_bits) - 1;
  flipped_.assign(size_t(layout_.physical_cols), 0);
  if (crossbar_.flips_columns())
    for (int c = 0; c < layout_.physical_cols; ++c)
      if (2 * int64_t(levels_.row(c).sum()) > int64_t(layout_.physical_rows) * top_level_) {
        flipped_[size_t(c)] = 1;
        levels_.row(c) = (LevelMatrix::Constant(1, levels_.cols(), top_level_) - levels_.row(c)).eval();
      }
  column_group_ = layout_.column_group_of_columns();
  colsum_.assign(size_t(layout_.cols), 0);
  for (int j = 0; j < layout_.cols; ++j)
    colsum_[size_t(j)] = use_float_ ? weights_f_.row(j).cast<int64_t>().sum() : weights_d_.row(j).cast<int64_t>().sum();
  shift_add_.configure(layout_.cols, layout_.shift_add_columns());
  driven_.resize(size_t(layout_.rows));
  column_.resize(layout_.physical_cols);
  reconstructed_.resize(size_t(layout_.physical_cols));
  cells_built_ = true;
}

int Crossbar::level(int r, int c) {
  if (!programmed_ || !functional_) throw Error("crossbar: cell levels asked of a crossbar without weights");
  build_cells();
  if (r < 0 || c < 0 || r >= crossbar_.rows || c >= crossbar_.cols)
    throw Error("crossbar: cell (" + std::to_string(r) + ", " + std::to_string(c) + ") is outside the " +
                std::to_string(crossbar_.rows) + " x " + std::to_string(crossbar_.cols) + " crossbar");
  if (r >= layout_.physical_rows || c >= layout_.physical_cols) return 0;
  return levels_(c, r);
}

float Crossbar::conductance(int r, int c) {
  const int l = level(r, c);  // checks the crossbar and the position
  if (!analog_) return float(l);
  if (r >= layout_.physical_rows || c >= layout_.physical_cols) return device_.g_min();
  return conductances_(c, r);
}

void Crossbar::mvm_accumulate(const uint8_t* in, int bits, bool signed_input, int32_t* out) const {
  if (!programmed_) throw Error("crossbar: Mvm on a crossbar that is not programmed");
  if (!functional_) throw Error("crossbar: functional Mvm on a crossbar programmed without weights (timing-only)");
  if (bits < 1 || bits > 8) throw Error("crossbar: input bits " + std::to_string(bits) + " outside 1..8");
  // The same conversions happen in hardware whichever path computes them.
  adc_.add_conversions(AdcModel::conversions_per_mvm(layout_.physical_cols, uint64_t(dac_.slices(bits))));
  if (recorder_)
    mvm_recording(in, bits, signed_input, out);
  else if (fast_)
    mvm_fast(in, bits, signed_input, out);
  else if (analog_)
    mvm_analog(in, bits, signed_input, out);
  else
    mvm_bit_accurate(in, bits, signed_input, out);
}

void Crossbar::mvm_fast(const uint8_t* in, int bits, bool signed_input, int32_t* out) const {
  if (use_float_)
    accumulate(weights_f_, xf_, yf_, in, bits, signed_input, out);
  else
    accumulate(weights_d_, xd_, yd_, in, bits, signed_input, out);
}

template <typename Scalar>
void Crossbar::accumulate(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                          Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& x, Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& y,
                          const uint8_t* in, int bits, bool signed_input, int32_t* out) const {
  const int n = layout_.rows;
  Scalar* xv = x.data();
  if (bits == 8) {
    if (signed_input)
      for (int r = 0; r < n; ++r) xv[r] = int8_t(in[r]);
    else
      for (int r = 0; r < n; ++r) xv[r] = in[r];
  } else {
    const int32_t mask = (1 << bits) - 1, sign = signed_input ? 1 << (bits - 1) : 0;
    for (int r = 0; r < n; ++r) xv[r] = ((in[r] & mask) ^ sign) - sign;
  }
  y.noalias() = w * x;  // exact: integers below 2^24 (float) or 2^53 (double)
  for (int j = 0; j < layout_.cols; ++j)  // int32 accumulators wrap like the hardware's
    out[j] = int32_t(uint32_t(out[j]) + uint32_t(int64_t(y[j])));
}

int64_t Crossbar::column_sums(int t) const {
  // Column currents: only rows with a non-zero digit contribute. In the
  // differential-row mapping row r and row rows + r see the same digit and
  // the negative row's current is subtracted.
  const int n = layout_.rows;
  const bool diff_row = layout_.mapping == WeightMapping::DifferentialRow;
  column_.setZero();
  int64_t digits = 0;  // sum of the digits: what a flipped column's complements add
  for (int r = 0; r < n; ++r) {
    const int32_t d = int32_t(dac_.digit(driven_[size_t(r)], t));
    if (d == 0) continue;
    digits += d;
    column_.noalias() += d * levels_.col(r);
    if (diff_row) column_.noalias() -= d * levels_.col(n + r);
  }
  return digits;
}

const AdcModel* Crossbar::slice_adcs(int bits, int t) const {
  const size_t groups = size_t(layout_.column_groups()), slices = size_t(dac_.slices(bits));
  if (group_adc_.size() == groups) return group_adc_.data();
  if (group_adc_.size() != groups * slices)
    throw Error("crossbar: the weight block carries " + std::to_string(group_adc_.size()) + " ADC full scales; " +
                std::to_string(bits) + "-bit inputs need " + std::to_string(groups) + " (one per column group) or " +
                std::to_string(groups * slices) + " (per column group and input slice)");
  return group_adc_.data() + size_t(t) * groups;
}

void Crossbar::mvm_bit_accurate(const uint8_t* in, int bits, bool signed_input, int32_t* out) const {
  const int pcols = layout_.physical_cols;
  for (int r = 0; r < layout_.rows; ++r) driven_[size_t(r)] = Dac::driven(in[r], bits, signed_input);
  shift_add_.clear();
  for (int t = 0, slices = dac_.slices(bits); t < slices; ++t) {
    const int64_t digits = column_sums(t);
    if (digits == 0) continue;  // every column reads 0 and the ADC reconstructs 0 exactly
    if (group_adc_.empty()) {
      for (int c = 0; c < pcols; ++c) reconstructed_[size_t(c)] = adc_.quantize(column_[c]);
    } else {
      const AdcModel* adcs = slice_adcs(bits, t);
      for (int c = 0; c < pcols; ++c) reconstructed_[size_t(c)] = adcs[column_group_[size_t(c)]].quantize(column_[c]);
    }
    add_slice(t, digits);
  }
  finish(bits, signed_input, out);
}

void Crossbar::mvm_recording(const uint8_t* in, int bits, bool signed_input, int32_t* out) const {
  // The bit-accurate path with an exact converter: every column sum is
  // counted (per column group and input slice) and passed on unchanged.
  const size_t n_groups = size_t(layout_.column_groups());
  std::vector<ColumnSumRecorder::Histogram>& histograms =
      recorder_->block(block_id_, n_groups * size_t(dac_.slices(bits)));
  const int pcols = layout_.physical_cols;
  for (int r = 0; r < layout_.rows; ++r) driven_[size_t(r)] = Dac::driven(in[r], bits, signed_input);
  shift_add_.clear();
  for (int t = 0, slices = dac_.slices(bits); t < slices; ++t) {
    const int64_t digits = column_sums(t);
    if (digits == 0) continue;
    ColumnSumRecorder::Histogram* groups = histograms.data() + size_t(t) * n_groups;
    for (int c = 0; c < pcols; ++c) {
      const int64_t v = column_[c];
      ColumnSumRecorder::count(groups[column_group_[size_t(c)]], v < 0 ? -v : v);
      reconstructed_[size_t(c)] = v;
    }
    add_slice(t, digits);
  }
  finish(bits, signed_input, out);
}

namespace {

// The positions of the set bits of every byte, in increasing order, and
// their count (a table: baseline x86-64 has no popcount instruction).
struct SetBits {
  int32_t at[256][8];
  int32_t count[256];
  SetBits() {
    for (int p = 0; p < 256; ++p) {
      int k = 0;
      for (int j = 0; j < 8; ++j) {
        at[p][j] = 0;
        if (p >> j & 1) at[p][k++] = j;
      }
      count[p] = k;
    }
  }
};

// Bit j of byte t of the result is bit t of byte j of x (an 8 x 8 bit
// matrix transposed in three exchanges of blocks, Hacker's Delight 7-3).
uint64_t transpose8(uint64_t x) {
  uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  return x ^ t ^ (t << 28);
}

}  // namespace

template <int Slices>
void Crossbar::list_digits(const uint8_t* in, int bits, bool signed_input, int stride, int32_t* rows, float* drive,
                           int32_t* listed, int64_t* digit_sum, int64_t* square_sum) const {
  // Every row, driven or not (a row of zeros lists nowhere): no branch on
  // the data. Slices 0: any count, from the DAC.
  const int slices = Slices > 0 ? Slices : dac_.slices(bits);
  int32_t count[Slices > 0 ? Slices : 64] = {}, sum[Slices > 0 ? Slices : 64] = {},
                                           squares[Slices > 0 ? Slices : 64] = {};
  const int n = layout_.rows;
  if (dac_.max_digit() == 1) {
    // 1-bit digits, eight rows at a time: transposed, byte t of the eight
    // rows' driven values says which of them slice t drives.
    static const SetBits set_bits;
    for (int r0 = 0; r0 < n; r0 += 8) {
      uint64_t x = 0;
      for (int j = 0; j < 8 && r0 + j < n; ++j) x |= uint64_t(Dac::driven(in[r0 + j], bits, signed_input)) << (8 * j);
      const uint64_t planes = transpose8(x);
      for (int t = 0; t < slices; ++t) {
        const unsigned p = unsigned(planes >> (8 * t)) & 255u;
        const size_t at = size_t(t) * size_t(stride) + size_t(count[t]);
        int32_t* __restrict to_rows = rows + at;
        float* __restrict to_drive = drive + at;
        for (int j = 0; j < 8; ++j) {  // eight entries, of which the first k count
          to_rows[j] = r0 + set_bits.at[p][j];
          to_drive[j] = 1.0f;
        }
        const int k = set_bits.count[p];
        count[t] += k;
        sum[t] += k;
        squares[t] += k;
      }
    }
  } else {
    for (int r = 0; r < n; ++r) {
      const uint32_t driven = Dac::driven(in[r], bits, signed_input);
      for (int t = 0; t < slices; ++t) {
        const int32_t d = int32_t(dac_.digit(driven, t));
        const size_t at = size_t(t) * size_t(stride) + size_t(count[t]);
        rows[at] = r;
        drive[at] = float(d);
        count[t] += d != 0;
        sum[t] += d;
        squares[t] += d * d;
      }
    }
  }
  for (int t = 0; t < slices; ++t) {
    listed[t] = count[t];
    digit_sum[t] = sum[t];
    square_sum[t] = squares[t];
  }
}

void Crossbar::mvm_analog(const uint8_t* in, int bits, bool signed_input, int32_t* out) const {
  // As mvm_bit_accurate, with currents: the rows are driven with their DAC
  // digits (the differential-row mapping's negative rows with the negated
  // digit), the device model gives the column currents, the ADC converts
  // them with its errors. Each input slice lists the rows its digits
  // drive; the slices are read and converted in order, and shift-and-add
  // takes their sum at once (it is linear in the slices).
  if (!read_seeded_) {
    read_rng_.reseed(derive_seed({read_seed_, inference_}));
    read_seeded_ = true;
  }
  const int n = layout_.rows, prows = layout_.physical_rows, pcols = layout_.physical_cols;
  const int slices = dac_.slices(bits);
  const bool diff_row = layout_.mapping == WeightMapping::DifferentialRow;
  const bool skip_idle = adc_.error_free();  // an idle slice reads 0 only without ADC offset and noise
  // Slice t's list: listed_rows_[t * stride + i] with drive
  // listed_drive_[...], i < listed_[t]; its digits' sum and squared sum.
  // (The 1-bit listing writes eight entries at a time: room for them.)
  const int stride = prows + 8;
  listed_rows_.resize(size_t(slices) * size_t(stride));
  listed_drive_.resize(size_t(slices) * size_t(stride));
  listed_.resize(size_t(slices));
  slice_digits_.resize(size_t(slices));
  slice_squares_.resize(size_t(slices));
  int32_t* rows = listed_rows_.data();
  float* drive = listed_drive_.data();
  int32_t* listed = listed_.data();
  int64_t *digit_sum = slice_digits_.data(), *square_sum = slice_squares_.data();
  // The counts in registers: a loop per slice count (0: any count).
  using List = void (Crossbar::*)(const uint8_t*, int, bool, int, int32_t*, float*, int32_t*, int64_t*, int64_t*)
      const;
  static constexpr List kList[] = {&Crossbar::list_digits<0>, &Crossbar::list_digits<1>, &Crossbar::list_digits<2>,
                                   &Crossbar::list_digits<3>, &Crossbar::list_digits<4>, &Crossbar::list_digits<5>,
                                   &Crossbar::list_digits<6>, &Crossbar::list_digits<7>, &Crossbar::list_digits<8>};
  (this->*kList[slices <= 8 ? slices : 0])(in, bits, signed_input, stride, rows, drive, listed, digit_sum, square_sum);
  if (diff_row)  // the negative rows n + r after the positive ones, with the negated digits
    for (int t = 0; t < slices; ++t) {
      const size_t base = size_t(t) * size_t(stride), k = size_t(listed[t]);
      for (size_t i = 0; i < k; ++i) {
        rows[base + k + i] = n + rows[base + i];
        drive[base + k + i] = -drive[base + i];
      }
      listed[t] *= 2;
      square_sum[t] *= 2;
    }
  combined_.assign(size_t(pcols), 0);
  int64_t combined_digits = 0;  // sum over slices of digits x 2^shift: what flipped columns add back
  // One converter over `n` columns of slice t: an idle slice (no row driven:
  // every current is exactly 0, no read noise) draws its codes directly.
  auto convert = [&](const AdcModel& adc, const float* current, size_t n, double read_sigma, bool idle,
                     int64_t* into) {
    if (idle && adc.idle_tabulated())
      adc.convert_idle(n, read_rng_, into);
    else
      adc.convert_analog(current, n, read_sigma, read_rng_, into);
  };
  currents_.resize(pcols);
  for (int t = 0; t < slices; ++t) {
    const bool idle = slice_digits_[size_t(t)] == 0;
    if (idle && skip_idle) continue;
    double read_sigma = 0;
    if (idle) {
      currents_.setZero();
    } else {
      const size_t base = size_t(t) * size_t(stride);
      read_kernels::listed_rows(conductances_.data(), conductances_.outerStride(), pcols, rows + base, drive + base,
                                listed[t], currents_.data());
      if (device_.changes_currents()) {  // the effects want the drives as a vector
        slice_drive_.setZero(prows);
        for (int i = 0; i < listed[t]; ++i) slice_drive_[rows[base + size_t(i)]] = drive[base + size_t(i)];
        device_.read_currents(conductances_, slice_drive_, currents_);
      }
      read_sigma = device_.read_sigma(double(slice_squares_[size_t(t)]));
    }
    const float* current = currents_.data();
    if (group_adc_.empty()) {
      convert(adc_, current, size_t(pcols), read_sigma, idle, reconstructed_.data());
    } else {  // each column group through its converter, group after group
      const AdcModel* adcs = slice_adcs(bits, t);
      for (size_t g = 0, groups = size_t(layout_.column_groups()); g < groups; ++g) {
        group_current_.clear();
        for (int c = 0; c < pcols; ++c)
          if (column_group_[size_t(c)] == g) group_current_.push_back(current[c]);
        group_out_.resize(group_current_.size());
        convert(adcs[g], group_current_.data(), group_current_.size(), read_sigma, idle, group_out_.data());
        for (int c = 0, i = 0; c < pcols; ++c)
          if (column_group_[size_t(c)] == g) reconstructed_[size_t(c)] = group_out_[size_t(i++)];
      }
    }
    const int64_t significance = int64_t(1) << dac_.shift(t);
    for (int c = 0; c < pcols; ++c) combined_[size_t(c)] += significance * reconstructed_[size_t(c)];
    combined_digits += significance * slice_digits_[size_t(t)];
  }
  combined_.swap(reconstructed_);  // both hold pcols values; reconstructed_ is scratch again next time
  shift_add_.clear();
  add_slice(0, combined_digits);  // the slices' significances are in the values already
  finish(bits, signed_input, out);
}

void Crossbar::add_slice(int t, int64_t digits) const {
  if (crossbar_.flips_columns())  // a flipped column read (L - 1) x digits minus its value
    for (int c = 0; c < layout_.physical_cols; ++c)
      if (flipped_[size_t(c)]) reconstructed_[size_t(c)] = top_level_ * digits - reconstructed_[size_t(c)];
  shift_add_.add_slice(reconstructed_.data(), dac_.shift(t));
}

void Crossbar::finish(int bits, bool signed_input, int32_t* out) const {
  if (signed_input) shift_add_.add_per_output(colsum_.data(), -(int64_t(1) << (bits - 1)));
  const std::vector<int64_t>& result = shift_add_.result();
  for (int j = 0; j < layout_.cols; ++j)  // int32 accumulators wrap like the hardware's
    out[j] = int32_t(uint32_t(out[j]) + uint32_t(uint64_t(result[size_t(j)])));
}

}  // namespace cimvp
