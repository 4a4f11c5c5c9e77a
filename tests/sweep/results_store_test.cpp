// The results files: a torn last line (a kill in the middle of a write) is
// dropped on resume, results.csv is rebuilt from results.jsonl, and a
// finished folder is not overwritten without --resume.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "sweep/results_store.h"
#include "sweep/sweep_config.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SweepConfig config() {
  return parse_sweep_config("base: ../arch/default.yaml\ngrid:\n  adc.bits: [4, 6]\nmodels: [lenet5]\n"
                            "policies: [w8a8]\nmetrics: [latency, accuracy]\n",
                            "s.yaml", std::string(CIMVP_SOURCE_DIR) + "/configs/sweeps");
}

TEST(SweepResults, TornLastLineIsDroppedAndCsvRebuilt) {
  const std::string dir = test::temp_folder("results");
  const SweepConfig c = config();
  test::write_text(dir + "/results.jsonl",
                   "{\"id\":\"a\",\"model\":\"lenet5\",\"policy\":\"w8a8\",\"params\":{\"adc.bits\":\"4\"},"
                   "\"metrics\":{\"latency_s\":0.5},\"adc\":{\"exact\":false},\"error\":null}\n{\"id\":\"b\",\"mod");
  test::write_text(dir + "/results.csv", "garbage\n");
  {
    ResultsStore store(dir, c, true);
    EXPECT_EQ(store.done(), (std::set<std::string>{"a"}));
    store.append({{"id", "c"}, {"model", "lenet5"}, {"policy", "w8a8"}, {"params", {{"adc.bits", "6"}}},
                  {"metrics", nlohmann::json::object()}, {"error", "it broke, badly"}});
  }
  EXPECT_EQ(test::line_count(dir + "/results.jsonl"), 2u);
  // accuracy absent: an empty cell, not 0; adc_exact empty for a point that
  // did not run; an error with a comma is quoted
  EXPECT_EQ(read(dir + "/results.csv"),
            "id,model,policy,adc.bits,latency_s,accuracy,adc_exact,error\n"
            "a,lenet5,w8a8,4,0.5,,0,\n"
            "c,lenet5,w8a8,6,,,,\"it broke, badly\"\n");
  EXPECT_EQ(failed_records(read_results(dir + "/results.jsonl")), 1u);
}

TEST(SweepResults, ExistingResultsNeedResume) {
  const std::string dir = test::temp_folder("results_again");
  test::write_text(dir + "/results.jsonl", "");
  try {
    ResultsStore store(dir, config(), false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("results.jsonl: exists; pass --resume"));
  }
}

}  // namespace
}  // namespace cimvp
