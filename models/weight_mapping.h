// How a logical tile of signed weights occupies crossbar cells under the
// architecture's signed-weight mapping and weight bit slicing (WBS).
//
// A non-negative value is split into `slices` = ceil(weight_bits / cell_bits)
// cells, least significant first; slice k holds bits [k*cb, (k+1)*cb) and has
// significance 2^(k*cb). Physical column order (rows are the logical rows):
//   differential-column: column (j*slices + k)*2 holds slice k of w if w > 0,
//     column (j*slices + k)*2 + 1 slice k of -w if w < 0 (adjacent pair);
//   differential-row: column j*slices + k; rows 0..rows-1 hold slice k of w
//     if w > 0, rows rows..2*rows-1 slice k of -w if w < 0;
//   offset: column j*slices + k holds slice k of w + 2^(wb-1); the reference
//     column cols*slices holds 2^((wb-1) - s*cb) in every row, s =
//     floor((wb-1)/cb), and is subtracted with significance 2^(s*cb).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "firmware/image.h"
#include "models/shift_add.h"
#include "config/arch_config.h"

namespace cimvp {

struct CellLayout {
  WeightMapping mapping = WeightMapping::DifferentialColumn;
  int cell_bits = 0;
  int weight_bits = 0;
  int slices = 0;  // cells per weight
  int rows = 0, cols = 0;                      // logical tile
  int physical_rows = 0, physical_cols = 0;    // cells used
  int reference_column = -1;                   // offset mapping only
  int reference_level = 0;
  int reference_shift = 0;                     // s * cell_bits

  // Physical column of slice k of logical output j (negative: the
  // differential-column negative group).
  int column(int j, int k, bool negative = false) const {
    return mapping == WeightMapping::DifferentialColumn ? (j * slices + k) * 2 + (negative ? 1 : 0) : j * slices + k;
  }
  // How shift-and-add recombines the physical columns.
  std::vector<ShiftAdd::Column> shift_add_columns() const;
  // Column groups, which a calibrated ADC range serves (models/
  // column_sum_recorder.h): the columns of weight slice k are group k, the
  // offset mapping's reference column is group `slices`.
  int column_groups() const { return slices + (reference_column >= 0 ? 1 : 0); }
  // The group of every physical column.
  std::vector<uint8_t> column_group_of_columns() const;
};

// The layout of a rows x cols tile of weight_bits-bit weights. Throws
// cimvp::Error when the tile is empty, weight_bits is outside 1..kMaxWeightBits or the tile
// does not fit one crossbar of `arch` (message names the rows, columns, bits,
// mapping and the crossbar's capacity).
CellLayout cell_layout(const CrossbarParams& crossbar, int rows, int cols, int weight_bits);

// Throws cimvp::Error naming the row and column of the first weight outside
// the signed weight_bits range, or a weight count other than rows x cols.
void check_weights(const WeightBlock& block);

// Cell levels of `block` (checked) under `layout`: levels(c, r) is the level
// of the cell at physical row r, column c; size physical_cols x physical_rows.
void map_weights(const CellLayout& layout, const WeightBlock& block,
                 Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& levels);

}  // namespace cimvp
