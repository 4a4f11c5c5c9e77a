// ADC range calibration through the pipeline: prime-like's 6-bit ADCs over
// the largest possible column sum leave the trained lenet5 at chance; with
// the full scales calibrated on training images it comes within a point or
// two of the integer reference (checked here on validation images; the
// 10,000 test images are in docs/device.md). Every block the network reads
// gets one full scale per column group and input slice.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "common/error.h"
#include "flow/adc_calibration.h"
#include "flow/pipeline.h"
#include "models/crossbar.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/quant.h"
#include "nn/reference.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

ArchConfig prime_like(const std::string& calibration) {
  ArchConfig a = load_arch_config(test::source_path("configs/arch/prime-like.yaml"));
  a.adc.calibration = calibration;
  return a;
}

TEST(AdcCalibration, PrimeLikeLenet5ComesBackFromChance) {
  const ArchConfig calibrated = prime_like("mse"), plain = prime_like("none");
  ASSERT_TRUE(flow::calibrates_adc(calibrated));
  ASSERT_FALSE(flow::calibrates_adc(plain));
  // Both SoCs before the first simulation (one elaboration per process).
  flow::Pipeline with(calibrated), without(plain);
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp"));
  const Policy policy = uniform_policy(model.graph.quantizable_layers().size(), 8, 8);
  const Dataset train = load_dataset("fashion-mnist", Split::Train);
  const Dataset validation = load_dataset("fashion-mnist", Split::Validation).head(300);

  with.load(flow::build(model, policy, calibrated), "lenet5", &train);
  ASSERT_TRUE(with.adc_calibration().has_value());
  EXPECT_EQ(with.adc_calibration()->images, 256u);
  EXPECT_LT(with.adc_calibration()->largest, with.adc_calibration()->architecture);
  // Every block carries a full scale per column group and input slice:
  // 8-bit weights on 4-bit cells are 2 groups, 8-bit inputs through 3-bit DACs 3 slices.
  for (size_t b = 0; b < with.image().blocks.size(); ++b)
    EXPECT_EQ(with.image().blocks[b].adc_full_scale.size(), 6u) << "block " << b;

  without.load(flow::build(model, policy, plain), "lenet5", &train);
  EXPECT_FALSE(without.adc_calibration().has_value());

  flow::ClassifyOptions quiet;
  quiet.check_reference = false;
  ReferenceExecutor reference(with.loaded().network);
  size_t right = 0;
  for (size_t i = 0; i < validation.size(); ++i)
    right += argmax(reference.run(quantize_input(with.loaded().network, validation.image_vector(i)))) ==
             validation.labels[i];
  const double ideal = double(right) / double(validation.size());
  const double got = with.classify(validation, validation.size(), quiet).accuracy();
  const double chance = without.classify(validation, validation.size(), quiet).accuracy();
  EXPECT_GT(ideal, 0.85);
  EXPECT_NEAR(got, ideal, 0.02) << "calibrated " << got << ", integer reference " << ideal;
  EXPECT_LT(chance, 0.3) << "the uncalibrated 6-bit ADC must lose: else this test shows nothing";
}

TEST(AdcCalibration, ClassifyRefusesAnUncalibratedImage) {
  const ArchConfig arch = prime_like("max");
  flow::Pipeline p(arch);
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp"));
  p.load(flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch), "lenet5");
  EXPECT_NO_THROW(p.time());  // cycles do not depend on the ranges
  const Dataset test = load_dataset("fashion-mnist", Split::Test).head(2);
  try {
    p.classify(test, 2);
    FAIL() << "an uncalibrated image classified";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("architecture 'prime-like' calibrates its ADC ranges (adc.calibration: max)"));
  }
}

TEST(AdcCalibration, AnExactAdcIsNotCalibrated) {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  arch.adc.calibration = "mse";
  EXPECT_FALSE(flow::calibrates_adc(arch)) << "an exact ADC cannot gain from a smaller range";
}

}  // namespace
}  // namespace cimvp
