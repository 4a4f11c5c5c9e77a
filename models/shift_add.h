// Shift-and-add: the digital periphery that recombines the reconstructed
// column values of one crossbar into logical outputs. Every physical column
// contributes sign * 2^(shift + input shift) * value to one logical output
// (a weight slice), or to every output (the offset mapping's reference
// column). Accumulates in int64 over the input slices of one Mvm.
#pragma once

#include <cstdint>
#include <vector>

namespace cimvp {

class ShiftAdd {
 public:
  static constexpr int32_t kEveryOutput = -1;
  struct Column {
    int32_t output = 0;  // logical output, or kEveryOutput
    int32_t sign = 1;    // +1 or -1
    int32_t shift = 0;   // weight-slice significance: k * cell_bits
  };

  void configure(int outputs, std::vector<Column> columns);
  int outputs() const { return int(acc_.size()); }
  const std::vector<Column>& columns() const { return columns_; }

  // Zeroes the accumulators (start of an Mvm).
  void clear();
  // Adds one input slice: value[c] is the reconstructed value of physical
  // column c, input_shift the slice's significance t * dac_bits.
  void add_slice(const int64_t* value, int input_shift);
  // acc[j] += factor * per_output[j] (the signed-input bias correction).
  void add_per_output(const int64_t* per_output, int64_t factor);
  const std::vector<int64_t>& result() const { return acc_; }

 private:
  std::vector<Column> columns_;
  std::vector<int64_t> acc_;
};

}  // namespace cimvp
