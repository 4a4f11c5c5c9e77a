#include "models/shift_add.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace cimvp {

void ShiftAdd::configure(int outputs, std::vector<Column> columns) {
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& col = columns[c];
    if ((col.output != kEveryOutput && (col.output < 0 || col.output >= outputs)) ||
        (col.sign != 1 && col.sign != -1) || col.shift < 0 || col.shift > 32)
      throw Error("shift-and-add: column " + std::to_string(c) + " (output " + std::to_string(col.output) +
                  ", sign " + std::to_string(col.sign) + ", shift " + std::to_string(col.shift) +
                  ") is invalid for " + std::to_string(outputs) + " outputs");
  }
  columns_ = std::move(columns);
  acc_.assign(size_t(std::max(outputs, 0)), 0);
}

void ShiftAdd::clear() { std::fill(acc_.begin(), acc_.end(), 0); }

void ShiftAdd::add_slice(const int64_t* value, int input_shift) {
  int64_t every = 0;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const Column& col = columns_[c];
    // multiply, not shift: left shifts of negative values are undefined in C++17
    const int64_t term = value[c] * col.sign * (int64_t(1) << (col.shift + input_shift));
    if (col.output == kEveryOutput)
      every += term;
    else
      acc_[size_t(col.output)] += term;
  }
  if (every != 0)
    for (auto& a : acc_) a += every;
}

void ShiftAdd::add_per_output(const int64_t* per_output, int64_t factor) {
  for (size_t j = 0; j < acc_.size(); ++j) acc_[j] += factor * per_output[j];
}

}  // namespace cimvp
