#include "models/weight_mapping.h"

#include <string>

#include "common/error.h"

namespace cimvp {

CellLayout cell_layout(const CrossbarParams& crossbar, int rows, int cols, int weight_bits) {
  // Only an error needs the text: the VP lays out every block it programs.
  auto what = [&] {
    return "weight block of " + std::to_string(rows) + " rows x " + std::to_string(cols) + " columns of " +
           std::to_string(weight_bits) + "-bit weights";
  };
  if (rows < 1 || cols < 1) throw Error(what() + ": rows and columns must be > 0");
  if (weight_bits < 1 || weight_bits > kMaxWeightBits)
    throw Error(what() + ": weight bits must be in 1.." + std::to_string(kMaxWeightBits));
  if (crossbar.cell_bits < 1 || crossbar.cell_bits > 8)
    throw Error(what() + ": cell bits " + std::to_string(crossbar.cell_bits) + " outside 1..8");
  CellLayout l;
  l.mapping = crossbar.mapping;
  l.cell_bits = crossbar.cell_bits;
  l.weight_bits = weight_bits;
  l.slices = crossbar.slices_per_weight(weight_bits);
  l.rows = rows;
  l.cols = cols;
  l.physical_rows = crossbar.physical_rows(rows);
  l.physical_cols = crossbar.physical_cols(cols, weight_bits);
  if (l.physical_rows > crossbar.rows || l.physical_cols > crossbar.cols)
    throw Error(what() + " does not fit a crossbar: with " + std::to_string(crossbar.cell_bits) + "-bit cells (" +
                std::to_string(l.slices) + " per weight) and the " + mapping_name(crossbar.mapping) +
                " mapping it needs " + std::to_string(l.physical_rows) + " rows x " +
                std::to_string(l.physical_cols) + " columns of cells, the crossbar has " +
                std::to_string(crossbar.rows) + " x " + std::to_string(crossbar.cols) + " (at most " +
                std::to_string(crossbar.max_tile_rows()) + " x " + std::to_string(crossbar.max_tile_cols(weight_bits)) +
                " such weights)");
  if (l.mapping == WeightMapping::Offset) {
    const int s = (weight_bits - 1) / l.cell_bits;
    l.reference_column = cols * l.slices;
    l.reference_shift = s * l.cell_bits;
    l.reference_level = 1 << ((weight_bits - 1) - l.reference_shift);
  }
  return l;
}

std::vector<ShiftAdd::Column> CellLayout::shift_add_columns() const {
  std::vector<ShiftAdd::Column> out(static_cast<size_t>(physical_cols));
  for (int j = 0; j < cols; ++j)
    for (int k = 0; k < slices; ++k) {
      out[size_t(column(j, k))] = {j, 1, k * cell_bits};
      if (mapping == WeightMapping::DifferentialColumn) out[size_t(column(j, k, true))] = {j, -1, k * cell_bits};
    }
  if (reference_column >= 0) out[size_t(reference_column)] = {ShiftAdd::kEveryOutput, -1, reference_shift};
  return out;
}

std::vector<uint8_t> CellLayout::column_group_of_columns() const {
  const std::vector<ShiftAdd::Column> columns = shift_add_columns();  // a column's slice is its shift
  std::vector<uint8_t> group(columns.size());
  for (size_t c = 0; c < columns.size(); ++c)
    group[c] = uint8_t(columns[c].output == ShiftAdd::kEveryOutput ? slices : columns[c].shift / cell_bits);
  return group;
}

void check_weights(const WeightBlock& b) {
  const size_t n = size_t(b.rows) * b.cols;
  if (b.weights.size() != n)
    throw Error("weight block of " + std::to_string(b.rows) + " rows x " + std::to_string(b.cols) + " columns has " +
                std::to_string(b.weights.size()) + " weights, expected " + std::to_string(n));
  if (b.weight_bits < 1 || b.weight_bits > kMaxWeightBits)
    throw Error("weight block: weight bits " + std::to_string(int(b.weight_bits)) + " outside 1.." +
                std::to_string(kMaxWeightBits));
  const int lo = -(1 << (b.weight_bits - 1)), hi = (1 << (b.weight_bits - 1)) - 1;
  for (size_t i = 0; i < n; ++i)
    if (b.weights[i] < lo || b.weights[i] > hi)
      throw Error("weight block: weight " + std::to_string(b.weights[i]) + " at row " + std::to_string(i / b.cols) +
                  ", column " + std::to_string(i % b.cols) + " is outside the signed " +
                  std::to_string(int(b.weight_bits)) + "-bit range " + std::to_string(lo) + ".." + std::to_string(hi));
}

void map_weights(const CellLayout& l, const WeightBlock& b, Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& levels) {
  levels.setZero(l.physical_cols, l.physical_rows);
  const uint32_t mask = (uint32_t(1) << l.cell_bits) - 1;
  const int bias = 1 << (l.weight_bits - 1);
  for (int r = 0; r < l.rows; ++r)
    for (int j = 0; j < l.cols; ++j) {
      const int w = b.weights[size_t(r) * l.cols + j];
      if (l.mapping == WeightMapping::Offset) {
        const uint32_t u = uint32_t(w + bias);
        for (int k = 0; k < l.slices; ++k) levels(l.column(j, k), r) = int32_t((u >> (k * l.cell_bits)) & mask);
        continue;
      }
      if (w == 0) continue;
      const uint32_t m = uint32_t(w > 0 ? w : -w);
      const bool negative = w < 0;
      for (int k = 0; k < l.slices; ++k) {
        const int32_t level = int32_t((m >> (k * l.cell_bits)) & mask);
        if (l.mapping == WeightMapping::DifferentialColumn)
          levels(l.column(j, k, negative), r) = level;
        else  // differential-row
          levels(l.column(j, k), negative ? l.rows + r : r) = level;
      }
    }
  if (l.reference_column >= 0)
    for (int r = 0; r < l.rows; ++r) levels(l.reference_column, r) = l.reference_level;
}

}  // namespace cimvp
