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

TEST(InferDevice, BadSeedsIsOneClearError) {
  const auto o = test::cimvp(infer(noisy_arch(), "--seeds 0"));
  EXPECT_NE(o.status, 0);
  EXPECT_THAT(o.output, HasSubstr("--seeds must be at least 1, got 0"));
}

}  // namespace
}  // namespace cimvp
