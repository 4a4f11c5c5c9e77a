// Shift-and-add recombination: per-column significance and sign, the
// every-output (reference) column, input-slice shifts and the bias correction.
#include <gtest/gtest.h>

#include "common/error.h"
#include "models/shift_add.h"

namespace cimvp {
namespace {

TEST(ShiftAdd, RecombinesSlicesSignsAndReference) {
  ShiftAdd sa;
  // output 0: slices 0 and 1 (shift 2) positive, slice 0 negative; output 1: one column; a reference column
  sa.configure(2, {{0, 1, 0}, {0, 1, 2}, {0, -1, 0}, {1, 1, 0}, {ShiftAdd::kEveryOutput, -1, 1}});
  const int64_t slice0[] = {3, 2, 5, 7, 1};
  const int64_t slice1[] = {1, 0, 0, -2, 0};
  sa.add_slice(slice0, 0);
  sa.add_slice(slice1, 3);
  // output 0: (3 + 2*4 - 5 - 2) + 8*1 = 12; output 1: (7 - 2) + 8*(-2) = -11
  EXPECT_EQ(sa.result(), (std::vector<int64_t>{12, -11}));
  const int64_t colsum[] = {4, -1};
  sa.add_per_output(colsum, -8);
  EXPECT_EQ(sa.result(), (std::vector<int64_t>{-20, -3}));
  sa.clear();
  EXPECT_EQ(sa.result(), (std::vector<int64_t>{0, 0}));
}

TEST(ShiftAdd, RejectsInvalidColumns) {
  ShiftAdd sa;
  EXPECT_THROW(sa.configure(2, {{2, 1, 0}}), Error);
  EXPECT_THROW(sa.configure(2, {{0, 2, 0}}), Error);
  EXPECT_THROW(sa.configure(2, {{0, 1, -1}}), Error);
}

}  // namespace
}  // namespace cimvp
