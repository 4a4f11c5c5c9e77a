// check_sweep: what a sweep needs beyond its own values, before any point
// runs: every architecture valid, every policy file fitting every model, and
// the count of points whose ADC loses column sums, by an independent formula.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "config/arch_config.h"
#include "sweep/sweep_check.h"
#include "sweep/sweep_config.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

const std::string kFolder = std::string(CIMVP_SOURCE_DIR) + "/configs/sweeps";

std::string check_error(const std::string& text) {
  try {
    check_sweep(parse_sweep_config(text, "s.yaml", kFolder));
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(SweepCheck, AnInvalidCombinationNamesTheGridAndCountsTheOthers) {
  const std::string e = check_error("base: ../arch/default.yaml\ngrid:\n  crossbar.cols: [4, 8, 256]\n"
                                    "  adc.cols_per_adc: [8, 16]\nmodels: [lenet5]\npolicies: [w8a8]\n"
                                    "metrics: [latency]\n");
  EXPECT_THAT(e, HasSubstr("s.yaml:3:3: grid: crossbar.cols=4, adc.cols_per_adc=8: 'adc.cols_per_adc' = 8 exceeds "
                           "'crossbar.cols' = 4"));
  EXPECT_THAT(e, HasSubstr("(3 of the sweep's 6 architectures are invalid)"));  // 4/8, 4/16, 8/16
}

TEST(SweepCheck, APolicyFileMustFitEveryModel) {
  const std::string dir = test::temp_folder("sweep_check");
  test::write_text(dir + "/five.yaml", "weight_bits: [8, 4, 4, 4, 8]\nactivation_bits: [8, 8, 8, 8, 8]\n");
  const std::string e = check_error("base: ../arch/default.yaml\nmodels: [lenet5, vgg-small]\npolicies: [w8a8, " +
                                    dir + "/five.yaml]\nmetrics: [latency]\n");
  EXPECT_THAT(e, HasSubstr("s.yaml:3:18: policies[1]: " + dir + "/five.yaml: weight_bits has 5 entries, the model has "
                           "8 quantizable layers (model vgg-small)"));
}

// The shipped vgg-small sweep: the inexact points counted here from the
// parameters and the base's DAC bits (the largest column sum rows x
// (2^cell - 1) x (2^dac - 1) above the ADC's 2^bits - 1 codes), times its 3
// policies.
TEST(SweepCheck, CountsThePointsWhoseAdcLosesColumnSums) {
  const SweepConfig c = parse_sweep_config(test::read_text(kFolder + "/vgg-small-xbar.yaml"), "vgg-small-xbar.yaml",
                                           kFolder);
  const ArchConfig base = load_arch_config(c.base);
  ASSERT_EQ(base.adc.full_scale, 0);  // the full scale is the largest column sum
  size_t expected = 0;
  for (int rows : {128, 256})
    for (int cols : {128, 256})
      for (int cell : {1, 2, 4})
        for (int bits : {6, 8, 10}) {
          (void)cols;
          const int64_t sum = int64_t(rows) * ((1 << cell) - 1) * ((1 << base.dac.bits) - 1);
          expected += sum > (int64_t(1) << bits) - 1 ? 3 : 0;
        }
  const SweepCheck check = check_sweep(c);
  EXPECT_EQ(check.points, 108u);
  EXPECT_EQ(check.architectures, 36u);
  EXPECT_EQ(check.inexact_adc_points, expected);
  ASSERT_EQ(check.warnings.size(), 1u);
  EXPECT_THAT(check.warnings[0], HasSubstr(std::to_string(expected) + " of the 108 points"));
  EXPECT_THAT(check.warnings[0], HasSubstr("worst: largest column sum 3840 against 63 codes"));
}

TEST(SweepCheck, ShippedSweepsPass) {
  for (const char* name : {"vgg-small-xbar.yaml", "resnet18-cores.yaml", "lenet5-adc-accuracy.yaml"})
    EXPECT_NO_THROW(check_sweep(load_sweep_config(kFolder + "/" + name))) << name;
}

}  // namespace
}  // namespace cimvp
