// The analog path's column sums over a list of driven rows give the same
// bits as the plain loop over every row (driven_rows, which skips the rows
// whose drive is 0): for widths below, at and above the kernel's column
// blocks, drives of both signs and several magnitudes.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "models/device/read_kernels.h"

namespace cimvp {
namespace {

TEST(ReadKernels, ListedRowsEqualsDrivenRowsBitForBit) {
  std::mt19937 rng(7);
  std::normal_distribution<float> g_of(1.5f, 1.0f);
  for (int cols : {1, 7, 16, 17, 32, 33, 48, 100, 256})
    for (int rows : {1, 9, 150, 300}) {
      const int ld = cols + 3;  // a leading dimension beyond the columns
      std::vector<float> g(size_t(ld) * size_t(rows));
      for (float& v : g) v = g_of(rng);
      std::vector<float> drive(size_t(rows), 0.f), listed_drive;
      std::vector<int32_t> listed;
      for (int r = 0; r < rows; ++r) {
        const int d = int(rng() % 9) - 4;  // -4..4, a third or so 0
        if (rng() % 3 == 0 || d == 0) continue;
        drive[size_t(r)] = float(d);
        listed.push_back(r);
        listed_drive.push_back(float(d));
      }
      std::vector<float> plain(size_t(cols), 0.f), from_list(size_t(cols), -1.f);
      read_kernels::driven_rows(g.data(), ld, cols, drive.data(), rows, plain.data());
      read_kernels::listed_rows(g.data(), ld, cols, listed.data(), listed_drive.data(), ptrdiff_t(listed.size()),
                                from_list.data());
      EXPECT_EQ(std::memcmp(plain.data(), from_list.data(), plain.size() * sizeof(float)), 0)
          << cols << " columns, " << rows << " rows";
    }
}

}  // namespace
}  // namespace cimvp
