// `cimvp infer` under device non-idealities: --seeds N classifies under N
// device draws and reports each, their mean and spread; the same command
// gives the same numbers (every draw derives from device.seed); the VP
// differs from the integer reference by design there and the command still
// succeeds; a bad --seeds is one clear error.
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/cli.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

std::string noisy_arch() {
  const std::string path = test::temp_path("infer_device_", "noisy.yaml");
  std::ofstream(path) << "name: noisy\ndevice:\n  program_sigma: 0.02\n  read_sigma: 0.01\n";
  return path;
}

std::string infer(const std::string& arch, const std::string& extra) {
  return "infer --arch " + arch + " --model " + test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp") +
         " --dataset fashion-mnist --count 40 " + extra;
}

TEST(InferDevice, SeedsGiveEachDrawTheirMeanAndSpreadReproducibly) {
  const std::string arch = noisy_arch(), report = test::temp_path("infer_device_", "r.json");
  const auto first = test::cimvp(infer(arch, "--seeds 3 --report " + report));
  ASSERT_EQ(first.status, 0) << first.output;  // mismatches with the reference are expected, not an error
  EXPECT_THAT(first.output, HasSubstr("device.seed 1 "));
  EXPECT_THAT(first.output, HasSubstr("device.seed 3 "));
  EXPECT_THAT(first.output, HasSubstr("mean over 3 seeds, standard deviation"));
  EXPECT_THAT(first.output, HasSubstr("(expected: the ADC or the device is not exact)"));
  nlohmann::json j;
  std::ifstream(report) >> j;
  ASSERT_EQ(j.at("accuracy_per_seed").size(), 3u);
  double mean = 0;
  for (const auto& a : j.at("accuracy_per_seed")) mean += a.get<double>() / 3;
  EXPECT_NEAR(j.at("accuracy").get<double>(), mean, 1e-12);
  EXPECT_EQ(j.at("architecture").at("device").at("seed"), 1);
  // The same command, the same draws.
  const auto again = test::cimvp(infer(arch, "--seeds 3 --report " + report + ".again"));
  nlohmann::json k;
  std::ifstream(report + ".again") >> k;
  EXPECT_EQ(k.at("accuracy_per_seed"), j.at("accuracy_per_seed"));
}

TEST(InferDevice, PrimeLikeCalibratesItsAdcRangesAndSaysSo) {
  const std::string report = test::temp_path("infer_device_", "prime.json");
  const auto o = test::cimvp(infer(test::source_path("configs/arch/prime-like.yaml"), "--report " + report));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("ADC ranges calibrated (mse) on 256 training images: "));
  nlohmann::json j;
  std::ifstream(report) >> j;
  EXPECT_EQ(j.at("adc_calibration").at("method"), "mse");
  EXPECT_EQ(j.at("adc_calibration").at("images"), 256);
  EXPECT_LT(j.at("adc_calibration").at("largest_full_scale").get<int64_t>(), 26880);
  EXPECT_GT(j.at("accuracy").get<double>(), 0.8) << "uncalibrated, prime-like is at chance";
}

TEST(InferDevice, AnIdealDeviceStillMustEqualTheReference) {
  const auto o = test::cimvp(infer(test::source_path("configs/arch/default.yaml"), "--seeds 2"));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("draw nothing at random"));
  EXPECT_THAT(o.output, HasSubstr("0 of 80 outputs differ\n"));
}

// Drift with a refresh interval (docs/device.md, "Lifetime and refresh"):
// reads at ages spread over a day are no less accurate than reads a year
// after programming, nor than reads at the end of every day (the oldest
// cells a daily refresh leaves); the command says what the refresh costs
// per image, and the report holds it.
TEST(InferDevice, ARefreshIntervalIsNoLessAccurateThanItsWorstAge) {
  const std::string drift = "device:\n  drift_nu: 0.05\n  drift_nu_sigma: 0.01\n  drift_t0_s: 20\n";
  auto arch = [&](const std::string& name, const std::string& extra) {
    const std::string path = test::temp_path("infer_device_", name + ".yaml");
    std::ofstream(path) << "name: " << name << "\n" << drift << extra;
    return path;
  };
  auto accuracy = [&](const std::string& arch_path, const std::string& name, std::string* output = nullptr) {
    const std::string report = test::temp_path("infer_device_", name + ".json");
    const auto o = test::cimvp("infer --arch " + arch_path + " --model " +
                               test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp") +
                               " --dataset fashion-mnist --count 200 --no-check --report " + report);
    EXPECT_EQ(o.status, 0) << o.output;
    if (output) *output = o.output;
    nlohmann::json j;
    std::ifstream(report) >> j;
    return j;
  };
  std::string daily_output;
  const nlohmann::json daily = accuracy(arch("daily", "  refresh_interval_s: 86400\n"), "daily", &daily_output);
  const nlohmann::json day_old = accuracy(arch("day-old", "  read_time_s: 86400\n"), "day-old");
  const nlohmann::json year_old = accuracy(arch("year-old", "  read_time_s: 31536000\n"), "year-old");
  EXPECT_GE(daily.at("accuracy").get<double>(), day_old.at("accuracy").get<double>());
  EXPECT_GT(daily.at("accuracy").get<double>(), year_old.at("accuracy").get<double>() + 0.05);
  EXPECT_THAT(daily_output, HasSubstr("weights programmed   every 86400 s: "));
  EXPECT_THAT(daily_output, HasSubstr("per image deployed"));
  EXPECT_THAT(daily_output, HasSubstr("  refresh       every 86400 s: +"));
  const double refresh = daily.at("refresh_seconds").get<double>();
  EXPECT_GT(refresh, 0);
  EXPECT_NEAR(refresh,
              daily.at("setup_seconds").get<double>() * daily.at("inference_seconds").get<double>() / 86400,
              1e-12 * refresh);
  EXPECT_EQ(daily.at("architecture").at("device").at("refresh_interval_s"), 86400.0);
  EXPECT_EQ(day_old.at("architecture").at("device").at("refresh_interval_s"), "never");
  EXPECT_EQ(day_old.at("refresh_seconds").get<double>(), 0);
}

TEST(InferDevice, BadSeedsIsOneClearError) {
  const auto o = test::cimvp(infer(noisy_arch(), "--seeds 0"));
  EXPECT_NE(o.status, 0);
  EXPECT_THAT(o.output, HasSubstr("--seeds must be at least 1, got 0"));
}

}  // namespace
}  // namespace cimvp
