// `mpirun -np 2 cimvp sweep` gives the same results (order aside) as the
// single-process sweep (the 4-rank run on vgg-small is in
// docs/sweeps.md). Open MPI refuses root without its two opt-in variables,
// which CI containers need.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/cli.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

TEST(SweepMpi, TwoRanksGiveTheSameResultsAsOneProcess) {
  const std::string dir = test::temp_folder("sweep_mpi");
  const std::string cfg = dir + "/sweep.yaml";
  test::write_text(cfg, "base: " + std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml\n"
                        "grid:\n  crossbar.cell_bits: [1, 2]\n  adc.bits: [6, 10]\n"
                        "points:\n  - {buffer.bytes: 512}\n"
                        "models: [lenet5]\npolicies: [w8a8, w4a4]\nmetrics: [latency, energy, area, crossbars]\n");
  ASSERT_EQ(test::cimvp("sweep --config " + cfg + " -o " + dir + "/single --jobs 2 --no-progress").status, 1);  // 2 failed
  const std::string mpirun = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 "
                             "mpirun --oversubscribe -np 2";
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/mpi --jobs 1 --no-progress", mpirun);
  EXPECT_EQ(o.status, 1) << o.output;
  EXPECT_THAT(o.output, ::testing::HasSubstr("10 points: 0 already done, 10 run now (2 with errors)"));
  EXPECT_THAT(o.output, ::testing::HasSubstr("2 of the 10 points failed"));
  const auto single = test::sweep_results(dir + "/single"), mpi = test::sweep_results(dir + "/mpi");
  EXPECT_EQ(single.size(), 10u);
  EXPECT_EQ(mpi, single);
  EXPECT_EQ(test::line_count(dir + "/mpi/results.csv"), 11u);

  // A bad grid value stops every rank before any point runs.
  const std::string bad = dir + "/bad.yaml";
  test::write_text(bad, "base: " + std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml\n"
                        "grid:\n  adc.bits: [8, ten]\nmodels: [lenet5]\npolicies: [w8a8]\nmetrics: [latency]\n");
  const test::Outcome refused = test::cimvp("sweep --config " + bad + " -o " + dir + "/bad --no-progress", mpirun);
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.output, ::testing::HasSubstr("bad.yaml:3:17: grid.adc.bits: 'adc.bits' must be an integer"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/bad/results.jsonl"));
}

}  // namespace
}  // namespace cimvp
