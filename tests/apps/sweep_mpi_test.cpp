// `mpirun -np 2 cimvp sweep` gives the same results (order aside) as the
// single-process sweep (the 4-rank run on vgg-small is in
// docs/sweeps.md). Open MPI refuses root without its two opt-in variables,
// which CI containers need.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cli.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

TEST(SweepMpi, TwoRanksGiveTheSameResultsAsOneProcess) {
  const std::string dir = test::temp_folder("sweep_mpi");
  const std::string cfg = dir + "/sweep.yaml";
  test::write_text(cfg, "base: " + std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml\n"
                        "grid:\n  crossbar.cell_bits: [1, 2]\n  adc.bits: [6, 10]\n"
                        "points:\n  - {crossbar.cols: 4, adc.cols_per_adc: 8}\n"
                        "models: [lenet5]\npolicies: [w8a8, w4a4]\nmetrics: [latency, energy, area, crossbars]\n");
  ASSERT_EQ(test::cimvp("sweep --config " + cfg + " -o " + dir + "/single --jobs 2 --no-progress").status, 0);
  const std::string mpirun = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 "
                             "mpirun --oversubscribe -np 2";
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/mpi --jobs 1 --no-progress", mpirun);
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, ::testing::HasSubstr("10 points: 0 already done, 10 run now (2 with errors)"));
  const auto single = test::sweep_results(dir + "/single"), mpi = test::sweep_results(dir + "/mpi");
  EXPECT_EQ(single.size(), 10u);
  EXPECT_EQ(mpi, single);
  EXPECT_EQ(test::line_count(dir + "/mpi/results.csv"), 11u);
}

}  // namespace
}  // namespace cimvp
