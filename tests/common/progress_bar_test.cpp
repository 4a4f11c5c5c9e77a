// The shared pieces of progress lines, and the sweep's line built from them
// (the search's is tested in tests/rl/progress_line_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "common/progress_bar.h"

namespace cimvp {
namespace {

TEST(ProgressBar, FillsDoneOverTotal) {
  EXPECT_EQ(progress_bar(0, 600, 8), "[........]");
  EXPECT_EQ(progress_bar(150, 600, 8), "[##......]");
  EXPECT_EQ(progress_bar(599, 600, 4), "[###.]");
  EXPECT_EQ(progress_bar(600, 600, 4), "[####]");
  EXPECT_EQ(progress_bar(0, 0, 3), "[###]");  // nothing to do is done
}

TEST(ProgressBar, Durations) {
  EXPECT_EQ(duration_text(59.4), "59s");
  EXPECT_EQ(duration_text(60), "1m00s");
  EXPECT_EQ(duration_text(723), "12m03s");
  EXPECT_EQ(duration_text(7322), "2h02m");
  EXPECT_EQ(duration_text(-5), "0s");
  EXPECT_EQ(duration_text(std::nan("")), "?");
  EXPECT_EQ(duration_text(1e9), "?");
}

}  // namespace
}  // namespace cimvp
