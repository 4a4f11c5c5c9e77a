// `cimvp sweep` end to end: results files, invalid points recorded, a
// SIGKILLed sweep resumed to the same results as an uninterrupted one, bad
// input named by key, and the system-level trends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/cli.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

const std::string kArch = std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml";

std::string sweep_file(const std::string& folder, const std::string& body) {
  const std::string path = folder + "/sweep.yaml";
  test::write_text(path, "base: " + kArch + "\n" + body);
  return path;
}

// A point that fails when it runs (here: the network does not fit its
// buffer) is recorded and the sweep goes on; the command then exits 1 and
// says how many failed.
TEST(SweepCli, WritesEveryPointAndRecordsFailedOnes) {
  const std::string dir = test::temp_folder("sweep");
  const std::string cfg = sweep_file(dir,
                                     "grid:\n  crossbar.cell_bits: [1, 2]\n  adc.bits: [6, 10]\n"
                                     "points:\n  - {buffer.bytes: 512}\n"
                                     "models: [lenet5]\npolicies: [w8a8, w4a4]\n"
                                     "metrics: [latency, energy, area, edp, crossbars, accuracy]\n");
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --jobs 2");
  EXPECT_EQ(o.status, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("10 points: 0 already done, 10 run now (2 with errors)"));
  EXPECT_THAT(o.output, HasSubstr("2 of the 10 points failed (their errors are in the error column of " + dir +
                                  "/out/results.csv)"));
  const auto r = test::sweep_results(dir + "/out");
  ASSERT_EQ(r.size(), 10u);
  EXPECT_EQ(test::line_count(dir + "/out/results.csv"), 11u);  // header + points
  size_t errors = 0;
  for (const auto& [id, j] : r) {
    if (j["error"].is_string()) {
      ++errors;
      EXPECT_THAT(j["error"].get<std::string>(), HasSubstr("do not fit the 512-byte local buffer"));
      continue;
    }
    for (const char* m : {"latency_s", "energy_j", "area_mm2", "edp_js", "crossbars"}) EXPECT_TRUE(j["metrics"].contains(m)) << m;
    EXPECT_FALSE(j["metrics"].contains("accuracy"));  // a zoo model has random weights: absent, not zero
  }
  EXPECT_EQ(errors, 2u);
  // Without --resume, an existing results file is refused.
  const test::Outcome again = test::cimvp("sweep --config " + cfg + " -o " + dir + "/out");
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.output, HasSubstr("pass --resume"));
}

TEST(SweepCli, KilledSweepResumesToTheSameResults) {
  const std::string dir = test::temp_folder("sweep_kill");
  const std::string cfg = sweep_file(dir,
                                     "grid:\n  crossbar.rows: [128, 256]\n  crossbar.cell_bits: [1, 2, 4]\n"
                                     "  adc.bits: [6, 8, 10]\nmodels: [vgg-small]\npolicies: [w8a8, w4a4]\n"
                                     "metrics: [latency, energy, area, crossbars]\n");
  ASSERT_EQ(test::cimvp("sweep --config " + cfg + " -o " + dir + "/straight --jobs 2 --no-progress").status, 0);
  const auto straight = test::sweep_results(dir + "/straight");
  ASSERT_EQ(straight.size(), 36u);

  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1), dup2(null, 2);
    const std::string out = dir + "/killed";
    execl(CIMVP_BINARY, CIMVP_BINARY, "sweep", "--config", cfg.c_str(), "-o", out.c_str(), "--jobs", "2", nullptr);
    _exit(127);
  }
  // SIGKILL once a few points are written (and well before the end).
  const auto start = std::chrono::steady_clock::now();
  while (test::line_count(dir + "/killed/results.jsonl") < 4 && std::chrono::steady_clock::now() - start < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep ended before it could be killed";
  const size_t before = test::sweep_results(dir + "/killed").size();
  EXPECT_GE(before, 4u);
  EXPECT_LT(before, 36u);

  const test::Outcome resumed = test::cimvp("sweep --config " + cfg + " -o " + dir + "/killed --jobs 2 --resume --no-progress");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr(std::to_string(before) + " already done"));
  EXPECT_EQ(test::sweep_results(dir + "/killed"), straight);
  EXPECT_EQ(test::line_count(dir + "/killed/results.csv"), 37u);
}

TEST(SweepCli, NetworkThatDoesNotFitIsRecordedAndTheSweepGoesOn) {
  const std::string dir = test::temp_folder("sweep_fit");
  const std::string cfg = sweep_file(dir, "points:\n  - {buffer.bytes: 2048}\n  - {buffer.bytes: 1048576}\n"
                                          "models: [vgg-small]\npolicies: [w8a8]\nmetrics: [latency]\n");
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --no-progress");
  EXPECT_EQ(o.status, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("1 of the 2 points failed"));
  const auto r = test::sweep_results(dir + "/out");
  ASSERT_EQ(r.size(), 2u);
  for (const auto& [id, j] : r) {
    if (j["params"]["buffer.bytes"] == "2048") {
      EXPECT_THAT(j["error"].get<std::string>(), HasSubstr("do not fit the 2048-byte local buffer"));
      EXPECT_TRUE(j["metrics"].empty());
    } else {
      EXPECT_TRUE(j["error"].is_null());
      EXPECT_GT(j["metrics"]["latency_s"].get<double>(), 0);
    }
  }
}

TEST(SweepCli, PolicyFilesAreSweptLikeUniformPolicies) {
  const std::string dir = test::temp_folder("sweep_policy");
  test::write_text(dir + "/mixed.yaml", "weight_bits: [8, 4, 4, 2, 8]\nactivation_bits: [8, 6, 4, 4, 8]\n");
  const std::string cfg = sweep_file(dir, "models: [lenet5]\npolicies: [mixed.yaml, w8a8]\nmetrics: [latency, crossbars]\n");
  ASSERT_EQ(test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --no-progress").status, 0);
  const auto r = test::sweep_results(dir + "/out");
  ASSERT_EQ(r.size(), 2u);
  std::map<std::string, nlohmann::json> by_policy;
  for (const auto& [id, j] : r) by_policy[j["policy"]] = j;
  ASSERT_TRUE(by_policy.count("mixed"));
  EXPECT_EQ(by_policy["mixed"]["weight_bits"], nlohmann::json({8, 4, 4, 2, 8}));
  EXPECT_EQ(by_policy["mixed"]["activation_bits"], nlohmann::json({8, 6, 4, 4, 8}));
  EXPECT_LT(by_policy["mixed"]["metrics"]["crossbars"].get<int>(), by_policy["w8a8"]["metrics"]["crossbars"].get<int>());
  EXPECT_LT(by_policy["mixed"]["metrics"]["latency_s"].get<double>(), by_policy["w8a8"]["metrics"]["latency_s"].get<double>());
}

TEST(SweepCli, ParamsPrintsEnergiesAndAreaPerCoreAndChip) {
  const test::Outcome o = test::cimvp("params --arch " + kArch);
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("ADC                  6.246 pJ per conversion (10 bits at 1 GS/s)"));  // 6.1 fJ x 2^10
  EXPECT_THAT(o.output, HasSubstr("mm2 per core"));
  EXPECT_THAT(o.output, HasSubstr("mm2 per chip (4 cores, 32 ADCs per crossbar)"));
}

TEST(SweepCli, APointPastTheTimeoutIsRecordedAndTheSweepGoesOn) {
  const std::string dir = test::temp_folder("sweep_timeout");
  // vgg-small's accuracy on the whole test split on the VP takes far longer
  // than the limit (lenet5's could finish in about it on a quiet machine);
  // the timing-only zoo model finishes well within it.
  const std::string cfg = sweep_file(dir, "models:\n  - {model: " + std::string(CIMVP_SOURCE_DIR) +
                                              "/pretrained/vgg-small-fmnist-w8a8.cimvp, dataset: fashion-mnist}\n"
                                              "  - lenet5\npolicies: [w8a8]\nmetrics: [latency, accuracy]\n"
                                              "accuracy_images: 10000\n");
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --jobs 2 --timeout 1.5 --no-progress");
  EXPECT_EQ(o.status, 1) << o.output;  // one point failed
  const auto r = test::sweep_results(dir + "/out");
  ASSERT_EQ(r.size(), 2u);
  for (const auto& [id, j] : r) {
    if (j["model"] == "lenet5") EXPECT_TRUE(j["error"].is_null());
    else EXPECT_EQ(j["error"], "timed out after 1.5 s (--timeout)");
  }
}

TEST(SweepCli, BadInputNamesTheKey) {
  const std::string dir = test::temp_folder("sweep_bad");
  const std::string cfg = sweep_file(dir, "grid:\n  adc.bitz: [4]\nmodels: [lenet5]\npolicies: [w8a8]\nmetrics: [latency]\n");
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/out");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("unknown architecture parameter 'adc.bitz' (did you mean 'adc.bits'?)"));
  const test::Outcome missing = test::cimvp("sweep --config " + dir + "/nope.yaml -o " + dir + "/out");
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.output, HasSubstr("nope.yaml: cannot open the sweep file"));
}

// Values a parameter cannot take, policies outside 1..8 bits and
// combinations that are no architecture stop the sweep before any point
// runs, naming the sweep file's line.
TEST(SweepCli, BadGridValuesAreRefusedBeforeAnyPointRuns) {
  const std::string dir = test::temp_folder("sweep_grid");
  struct Case {
    std::string body, expected;
  };
  const std::string tail = "models: [vgg-small]\npolicies: [w8a8]\nmetrics: [latency]\n";
  const Case cases[] = {
      {"grid:\n  adc.bits: [8, ten]\n" + tail, "sweep.yaml:3:17: grid.adc.bits: 'adc.bits' must be an integer, got 'ten'"},
      {"grid:\n  adc.bits: [8, -3]\n" + tail, "sweep.yaml:3:17: grid.adc.bits: 'adc.bits' = -3 is out of range 1..40"},
      {"grid:\n  crossbar.mapping: [offset, diferential-row]\n" + tail,
       "sweep.yaml:3:30: grid.crossbar.mapping: 'crossbar.mapping' must be one of differential-column, "
       "differential-row, offset, got 'diferential-row' (did you mean 'differential-row'?)"},
      {"points:\n  - {crossbar.rows: 128}\n  - {crossbar.rows: 1e3}\n" + tail,
       "sweep.yaml:4:21: points[1].crossbar.rows: 'crossbar.rows' must be an integer, got '1e3'"},
      {"models: [vgg-small]\npolicies: [w8a8, w9a8]\nmetrics: [latency]\n",
       "sweep.yaml:3:18: policies[1]: bits spec 'w9a8': bits must be in 1..8"},
      {"grid:\n  crossbar.cols: [4, 256]\n  adc.cols_per_adc: [8]\n" + tail,
       "sweep.yaml:3:3: grid: crossbar.cols=4, adc.cols_per_adc=8: 'adc.cols_per_adc' = 8 exceeds 'crossbar.cols' = 4"
       "; no point was run"},
      {"points:\n  - {crossbar.cols: 256}\n  - {crossbar.cols: 4}\n" + tail,
       "sweep.yaml:4:5: points[1]: crossbar.cols=4: 'adc.cols_per_adc' = 8 exceeds 'crossbar.cols' = 4"},
  };
  for (const Case& c : cases) {
    const std::string out = dir + "/out";
    const test::Outcome o = test::cimvp("sweep --config " + sweep_file(dir, c.body) + " -o " + out);
    EXPECT_EQ(o.status, 1) << c.body;
    EXPECT_THAT(o.output, HasSubstr(c.expected)) << c.body;
    EXPECT_FALSE(std::filesystem::exists(out + "/results.jsonl")) << c.body;  // not one point ran
  }
  // A policy file that does not fit a model is named with the model.
  test::write_text(dir + "/two.yaml", "weight_bits: [8, 8]\nactivation_bits: [8, 8]\n");
  const test::Outcome o = test::cimvp(
      "sweep --config " + sweep_file(dir, "models: [lenet5]\npolicies: [two.yaml]\nmetrics: [latency]\n") + " -o " +
      dir + "/out");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("sweep.yaml:3:12: policies[0]: " + dir + "/two.yaml: weight_bits has 2 entries, "
                                  "the model has 5 quantizable layers (model lenet5)"));
}

// The largest possible column sum, computed here from the parameters: rows x
// (2^cell_bits - 1) x (2^dac_bits - 1), against the ADC's 2^bits - 1 codes
// (default.yaml's full scale is that sum itself).
bool adc_loses_sums(int rows, int cell_bits, int dac_bits, int adc_bits) {
  return int64_t(rows) * ((1 << cell_bits) - 1) * ((1 << dac_bits) - 1) > (int64_t(1) << adc_bits) - 1;
}

// A timing-only vgg-small sweep ranks designs by latency, energy and area
// alone: the points whose ADC cannot digitize every column sum are said to
// be so, in the records, the CSV, the command's output and the report.
TEST(SweepCli, TimingOnlySweepMarksThePointsWhoseAdcLosesColumnSums) {
  const std::string dir = test::temp_folder("sweep_clip");
  const std::string cfg = sweep_file(dir, "grid:\n  crossbar.rows: [128, 256]\n  crossbar.cell_bits: [1, 4]\n"
                                          "  adc.bits: [8, 10]\nmodels: [vgg-small]\npolicies: [w8a8]\n"
                                          "metrics: [latency, energy, area]\n");
  const test::Outcome o = test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --jobs 2 --no-progress");
  ASSERT_EQ(o.status, 0) << o.output;
  const int dac_bits = 1;  // default.yaml's
  size_t lossy = 0;
  const auto r = test::sweep_results(dir + "/out");
  ASSERT_EQ(r.size(), 8u);
  const std::string csv = test::read_text(dir + "/out/results.csv");
  for (const auto& [id, j] : r) {
    const int rows = std::stoi(j["params"]["crossbar.rows"].get<std::string>());
    const int cell = std::stoi(j["params"]["crossbar.cell_bits"].get<std::string>());
    const int bits = std::stoi(j["params"]["adc.bits"].get<std::string>());
    const bool loses = adc_loses_sums(rows, cell, dac_bits, bits);
    lossy += loses;
    EXPECT_EQ(j["adc"]["exact"].get<bool>(), !loses) << id;
    EXPECT_EQ(j["adc"]["largest_column_sum"].get<int64_t>(), int64_t(rows) * ((1 << cell) - 1)) << id;
    EXPECT_EQ(j["adc"]["top_code"].get<int64_t>(), (int64_t(1) << bits) - 1) << id;
    EXPECT_THAT(csv, HasSubstr(id + ",vgg-small,w8a8," + std::to_string(rows) + ",")) << id;
    const size_t line = csv.find(id + ",");
    const std::string row = csv.substr(line, csv.find('\n', line) - line);
    EXPECT_EQ(row.substr(row.size() - 3), std::string(loses ? ",0," : ",1,")) << row;  // adc_exact, then no error
  }
  EXPECT_EQ(lossy, 5u);  // 128 x 1-bit cells fit both ADCs, 256 x 1-bit the 10-bit one; 4-bit cells fit neither
  EXPECT_THAT(o.output, HasSubstr("warning: 5 of the 8 points have an ADC that does not digitize every column sum "
                                  "exactly (adc_exact 0 in results.csv; worst: largest column sum 3840 against 255 codes)"));
  EXPECT_EQ(test::cimvp("report " + dir + "/out -o " + dir + "/report.html").status, 0);
  EXPECT_THAT(test::read_text(dir + "/report.html"), HasSubstr("5 of the 8 points have an ADC that does not digitize"));
}

std::vector<double> metric_by(const std::map<std::string, nlohmann::json>& r, const std::string& key,
                              const std::vector<std::string>& values, const char* metric) {
  std::vector<double> out;
  for (const std::string& v : values)
    for (const auto& [id, j] : r)
      if (j["params"][key] == v) out.push_back(j["metrics"][metric].get<double>());
  return out;
}

TEST(SweepCli, FewerAdcBitsLowerARunsEnergyAndArea) {
  const std::string dir = test::temp_folder("sweep_adc");
  const std::string cfg = sweep_file(dir, "grid:\n  adc.bits: [4, 6, 8, 10, 12]\nmodels: [vgg-small]\npolicies: [w8a8]\n"
                                          "metrics: [latency, energy, area]\n");
  ASSERT_EQ(test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --jobs 2 --no-progress").status, 0);
  const auto r = test::sweep_results(dir + "/out");
  const std::vector<std::string> bits = {"4", "6", "8", "10", "12"};
  const auto energy = metric_by(r, "adc.bits", bits, "energy_j"), area = metric_by(r, "adc.bits", bits, "area_mm2");
  const auto latency = metric_by(r, "adc.bits", bits, "latency_s");
  ASSERT_EQ(energy.size(), 5u);
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_GT(energy[i], energy[i - 1]) << bits[i];
    EXPECT_GT(area[i], area[i - 1]) << bits[i];
    EXPECT_EQ(latency[i], latency[0]);  // resolution changes cost here, not conversion time
  }
}

TEST(SweepCli, MoreCoresLowerLatencyUntilItSaturates) {
  const std::string dir = test::temp_folder("sweep_cores");
  const std::string cfg = sweep_file(dir,
                                     "points:\n  - {mesh.rows: 1, mesh.cols: 1}\n  - {mesh.rows: 1, mesh.cols: 2}\n"
                                     "  - {mesh.rows: 2, mesh.cols: 2}\n  - {mesh.rows: 2, mesh.cols: 4}\n"
                                     "  - {mesh.rows: 4, mesh.cols: 4}\n  - {mesh.rows: 4, mesh.cols: 8}\n"
                                     "models: [vgg-small]\npolicies: [w8a8]\nplacement: per-layer\nmetrics: [latency]\n");
  ASSERT_EQ(test::cimvp("sweep --config " + cfg + " -o " + dir + "/out --jobs 2 --no-progress").status, 0);
  const auto r = test::sweep_results(dir + "/out");
  std::vector<double> latency;
  for (const char* cols : {"1", "2", "2", "4", "4", "8"})
    for (const auto& [id, j] : r)
      if (j["params"]["mesh.cols"] == cols && latency.size() < 6 &&
          (j["params"]["mesh.rows"] == (latency.size() < 2 ? "1" : latency.size() < 4 ? "2" : "4")))
        latency.push_back(j["metrics"]["latency_s"].get<double>());
  ASSERT_EQ(latency.size(), 6u);
  EXPECT_LT(latency[1], latency[0] * 0.75);  // 1 -> 2 cores: a large gain
  EXPECT_LT(latency[2], latency[1]);
  for (size_t i = 1; i < 6; ++i) EXPECT_LE(latency[i], latency[i - 1] * 1.001) << i;
  // 16 -> 32 cores: the gain has mostly gone (layers run one after another).
  EXPECT_GT(latency[5], latency[4] * 0.85);
  EXPECT_LT(latency[5] / latency[0], 0.5);
}

}  // namespace
}  // namespace cimvp
