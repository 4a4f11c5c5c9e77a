// The functional model of one RRAM crossbar with its periphery: row DACs
// (input bit slicing), cells holding 2^cell_bits levels, column ADCs and
// shift-and-add. docs/crossbar.md describes the arithmetic.
//
// program() maps a logical weight tile onto cells (weight bit slicing and the
// signed-weight mapping); mvm_accumulate() adds the tile's product with an
// input vector into an int32 output vector. These paths compute it:
//  - bit-accurate: per input slice, every used column's sum of level x digit
//    goes through the ADC model, shift-and-add recombines slices and signs;
//  - analog (when the device or the ADC is not ideal): the same, but the
//    cells hold the conductances of the device model (models/device/) and
//    every column current goes through it and the ADC's errors;
//  - recording (ADC range calibration, set_column_sum_recorder): the
//    bit-accurate path with an exact converter, counting the column sums;
//  - fast (only when the ADC is exact, AdcModel::exact(), and the device
//    ideal): the integer product of the logical weights with the decoded
//    inputs (Eigen, int32). It is identical to the bit-accurate path
//    because an ideal ADC reconstructs every column sum exactly
//    (models/adc.h) and shift-and-add then reassembles the weights and
//    inputs exactly (docs/crossbar.md). Tests check every path.
// Pure C++: the timing of these operations is the core's business.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "firmware/image.h"
#include "models/adc.h"
#include "models/column_sum_recorder.h"
#include "models/dac.h"
#include "models/device/device_model.h"
#include "models/shift_add.h"
#include "models/weight_mapping.h"
#include "config/arch_config.h"

namespace cimvp {

// True when every crossbar of `arch` computes the exact integer product:
// its ADC is exact (models/adc.h) and its device ideal. Then the VP equals
// the integer reference bit for bit.
bool crossbars_are_exact(const ArchConfig& arch);

class Crossbar {
 public:
  enum class Path {
    Auto,         // fast path when ADC and device are ideal, else bit-accurate (analog when not ideal)
    BitAccurate,  // always through cells, DAC digits, ADC and shift-and-add
  };
  using LevelMatrix = Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>;

  // A crossbar of `crossbar`'s geometry and cells with dac_bits-bit row
  // DACs, `adc` on its columns and cells behaving as `device` says.
  Crossbar(const CrossbarParams& crossbar, int dac_bits, const AdcModel& adc, const DeviceParams& device = {},
           Path path = Path::Auto);
  // The crossbar of `arch`: its crossbar, dac and device sections and its ADC.
  explicit Crossbar(const ArchConfig& arch, Path path = Path::Auto)
      : Crossbar(arch.crossbar, arch.dac.bits, AdcModel(arch), arch.device, path) {}

  // Which crossbar this is, for the device model's draws; programming
  // events count from 0 again, and programmed cells are drawn anew.
  void set_identity(const CrossbarIdentity& id);
  const CrossbarIdentity& identity() const { return id_; }
  // A new programming of the same weights (a refresh): a non-ideal device
  // draws its cells again, as real reprogramming would.
  void reprogram();
  // Programming events so far (program() and reprogram()).
  uint64_t programming_events() const { return events_; }
  // The age of the cells at the reads that follow, seconds after their
  // programming: device.read_time_s until set; with a refresh interval each
  // inference reads at its own age (models/device/lifetime.h). A drifting
  // device moves the programmed cells' drift to it, keeping their draws.
  void set_age(double seconds);
  // The inference the reads that follow belong to: each inference reads
  // its noise from a stream of its own, seeded from the crossbar, the
  // programming event and k, so an inference's noise does not depend on
  // the ones before it (a run's images can be split over processes).
  void set_inference(uint64_t k) {
    inference_ = k;
    read_seeded_ = false;
  }

  // Programs a logical tile. Throws cimvp::Error when the tile does not fit
  // (naming rows, columns, bits, mapping and capacity), when weight_bits is
  // outside 1..kMaxWeightBits or (functional) a weight is outside its signed range or the
  // weight count is not rows x cols, or when the block's ADC full scales
  // are not one per column group. On error the crossbar is unprogrammed.
  // functional = false keeps only the geometry (timing-only images).
  // block_id: the block's index in its image, for a column-sum recorder.
  // A block with ADC full scales (WeightBlock::adc_full_scale) converts
  // each column group with its own full scale: never the fast path.
  void program(const WeightBlock& block, bool functional, uint32_t block_id = 0);
  void clear();  // back to unprogrammed
  // Unprogrammed, and the programming history forgotten: the next
  // programming is event 0 again (a newly loaded image, a new deployment).
  void unload();

  // out[j] += (W^T x)_j for j < cols(): `in` points at the tile's first input
  // (row_offset already applied), `out` at its first output (col_offset
  // applied). bits 1..8; signed_input: inputs are two's complement.
  // Throws cimvp::Error when not programmed functionally or bits is invalid.
  // const: it changes only scratch buffers and the conversion count; one
  // crossbar is never used by two threads at once.
  void mvm_accumulate(const uint8_t* in, int bits, bool signed_input, int32_t* out) const;

  // ADC range calibration (models/column_sum_recorder.h): while a recorder
  // is set, every Mvm computes the exact product (no ADC or device error)
  // and counts its column sums under the programmed block's id; nullptr
  // ends it.
  void set_column_sum_recorder(ColumnSumRecorder* recorder);
  // The column groups of the programmed tile (CellLayout::column_groups): a
  // calibrated block carries one ADC full scale per group, or per group and
  // input slice.
  int column_groups() const { return layout_.column_groups(); }

  // path selection
  void set_path(Path path);
  Path path() const { return path_; }
  bool uses_fast_path() const { return fast_; }
  // True when cells or converter are not ideal: the analog path.
  bool analog() const { return analog_; }

  // geometry of the programmed tile
  bool programmed() const { return programmed_; }
  bool functional() const { return functional_; }
  int rows() const { return layout_.rows; }
  int cols() const { return layout_.cols; }
  int row_offset() const { return row_offset_; }
  int col_offset() const { return col_offset_; }
  int weight_bits() const { return layout_.weight_bits; }
  int physical_rows_used() const { return layout_.physical_rows; }
  int physical_cols_used() const { return layout_.physical_cols; }
  const CellLayout& layout() const { return layout_; }

  // The level of the cell at physical row r, column c (0 outside the tile),
  // as stored: complemented in flipped columns (crossbar.encoding).
  // Functional crossbars only.
  int level(int r, int c);
  // What the cell at physical row r, column c conducts at the read time, in
  // level steps (models/device/cell_effect.h); functional crossbars only.
  float conductance(int r, int c);

  const CrossbarParams& params() const { return crossbar_; }
  const AdcModel& adc() const { return adc_; }
  AdcModel& adc() { return adc_; }
  const Dac& dac() const { return dac_; }
  const DeviceModel& device() const { return device_; }

 private:
  // levels, column sums and shift-and-add plan (bit-accurate path)
  void build_cells(const WeightBlock* block = nullptr);
  void mvm_fast(const uint8_t* in, int bits, bool signed_input, int32_t* out) const;
  void mvm_bit_accurate(const uint8_t* in, int bits, bool signed_input, int32_t* out) const;
  void mvm_analog(const uint8_t* in, int bits, bool signed_input, int32_t* out) const;
  void mvm_recording(const uint8_t* in, int bits, bool signed_input, int32_t* out) const;
  // One slice's column sums (bit-accurate path) into column_; the sum of the digits.
  int64_t column_sums(int t) const;
  // The converters of input slice t's column groups (calibrated blocks).
  const AdcModel* slice_adcs(int bits, int t) const;
  void update_fast();
  void path_changed();  // after the path or the recorder changed: the fast path, or cells built
  void draw_cells();  // conductances of the current programming event
  // Shared by both slice paths: one slice's converted columns in
  // reconstructed_ (flipped columns undone) into shift-and-add; then the
  // signed-input correction and the accumulation into `out`.
  void add_slice(int t, int64_t digits) const;
  void finish(int bits, bool signed_input, int32_t* out) const;

  const CrossbarParams crossbar_;
  Path path_;
  bool adc_ideal_;
  bool fast_ = false;
  AdcModel adc_;
  Dac dac_;
  DeviceModel device_;
  bool analog_;
  CrossbarIdentity id_;
  uint64_t events_ = 0;
  mutable ShiftAdd shift_add_;

  bool programmed_ = false, functional_ = false, cells_built_ = false;
  CellLayout layout_;
  int row_offset_ = 0, col_offset_ = 0;

  // The logical weights, cols x rows (w(j, r) = w[r][j]), for the fast path:
  // in float when every product sum of the tile is below 2^24 in magnitude
  // (then float arithmetic is exact and vectorizes), else in double (exact
  // below 2^53: 16-bit weights x 8-bit inputs x any crossbar height).
  Eigen::MatrixXf weights_f_;
  Eigen::MatrixXd weights_d_;
  bool use_float_ = true;
  template <typename M>
  void set_weights(const WeightBlock& block, M& w);
  template <typename Scalar>
  void accumulate(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& w,
                  Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& x, Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& y,
                  const uint8_t* in, int bits, bool signed_input, int32_t* out) const;
  LevelMatrix levels_;              // physical cols x physical rows, as stored (flipped columns complemented)
  std::vector<uint8_t> flipped_;    // per physical column: stores complements (crossbar.encoding)
  int32_t top_level_ = 0;           // 2^cell_bits - 1
  std::vector<int64_t> colsum_;     // per logical output: sum of its weights
  // scratch, sized at programming time: no allocation per Mvm
  mutable Eigen::VectorXf xf_, yf_;                           // decoded inputs and products (fast path)
  mutable Eigen::VectorXd xd_, yd_;
  mutable std::vector<uint32_t> driven_;                      // DAC values (bit-accurate)
  mutable Eigen::Matrix<int32_t, Eigen::Dynamic, 1> column_;  // column sums of one slice
  mutable std::vector<int64_t> reconstructed_;
  // a drifting device: the cells before drift, and the age they are read at
  AgingCells aging_;
  double age_s_ = 1;
  // analog path: conductances (physical cols x rows); of one MVM: the row
  // drives and column currents of every input slice (a column each), each
  // slice's digit sum, and the columns' values summed over the slices
  Conductances conductances_;
  // Scratch of the analog path: each input slice's listed rows and drives,
  // their count, digit sum and squared sum; one slice's drives as a vector
  // and its currents.
  mutable std::vector<int32_t> listed_rows_, listed_;
  // Lists the rows of every slice (mvm_analog); Slices 0 for any count.
  template <int Slices>
  void list_digits(const uint8_t* in, int bits, bool signed_input, int stride, int32_t* rows, float* drive,
                   int32_t* listed, int64_t* digit_sum, int64_t* square_sum) const;
  mutable std::vector<float> listed_drive_;
  mutable std::vector<int64_t> slice_digits_, slice_squares_, combined_;
  mutable Eigen::VectorXf slice_drive_, currents_;
  // The read noise: the stream of (read_seed_, inference_), seeded at the
  // inference's first analog read.
  mutable RandomLanes read_rng_;
  uint64_t read_seed_ = 0, inference_ = 0;
  mutable bool read_seeded_ = false;
  // ADC range calibration: per physical column its group, and the groups'
  // converters when the block carries full scales (else empty: adc_ for
  // all): one per group, or per group and input slice (slice-major)
  std::vector<uint8_t> column_group_;
  std::vector<AdcModel> group_adc_;
  mutable std::vector<float> group_current_;  // scratch: one group's currents (analog path)
  mutable std::vector<int64_t> group_out_;
  uint32_t block_id_ = 0;
  ColumnSumRecorder* recorder_ = nullptr;
};

}  // namespace cimvp
