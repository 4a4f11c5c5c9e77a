// The search's accuracy side: the same number `cimvp eval` gives for a
// model at a policy on the same images (the float activations gathered once
// for every policy change nothing), cached per policy, and clear errors for
// models the search cannot measure.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "common/error.h"
#include "config/arch_config.h"
#include "nn/model_source.h"
#include "nn/train/trainer.h"
#include "rl/evaluation/accuracy.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

TEST(SearchAccuracy, EqualsTheEvaluatorOfEveryOtherCommand) {
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-float.cimvp"));
  rl::AccuracyModel accuracy(model, "fashion-mnist", 400, rl::FinetuneSettings{}, 2);
  const Dataset train = load_dataset("fashion-mnist", Split::Train);
  const Dataset validation = load_dataset("fashion-mnist", Split::Validation).head(400);
  const size_t layers = model.graph.quantizable_layers().size();
  Policy mixed = uniform_policy(layers, 8, 8);
  mixed.weight_bits[1] = 3, mixed.activation_bits[2] = 4;
  for (const Policy& p : {uniform_policy(layers, 8, 8), uniform_policy(layers, 4, 4), mixed}) {
    const double expected = evaluate(model, validation, EvalMode::Integer, 2, p, &train).accuracy;
    EXPECT_DOUBLE_EQ(accuracy.accuracy(p), expected);
    EXPECT_DOUBLE_EQ(accuracy.accuracy(p), expected);  // from the cache
  }
}

TEST(SearchAccuracy, FinetuneFromGatheredActivationsEqualsTheTrainersOwnCalibration) {
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-float.cimvp"));
  const Dataset train = load_dataset("fashion-mnist", Split::Train);
  ActivationSamples activations = calibration_activations(model, train);
  Policy p = uniform_policy(model.graph.quantizable_layers().size(), 4, 4);
  p.activation_bits[1] = 3;
  rl::FinetuneRun run;
  run.images = 256;
  const ModelFile own = rl::finetune(model, train, "fashion-mnist", p, run, 2);
  const ModelFile gathered = rl::finetune(model, train, "fashion-mnist", p, run, 2, &activations);
  const Graph start = has_batch_norm(model.graph) ? fold_batch_norm(model.graph) : model.graph;
  ASSERT_EQ(own.graph.nodes.size(), gathered.graph.nodes.size());
  ASSERT_EQ(own.graph.nodes.size(), start.nodes.size());
  bool moved = false;
  for (size_t i = 0; i < own.graph.nodes.size(); ++i) {
    EXPECT_EQ(own.graph.nodes[i].weight, gathered.graph.nodes[i].weight) << own.graph.nodes[i].name;
    moved = moved || own.graph.nodes[i].weight != start.nodes[i].weight;
  }
  EXPECT_TRUE(moved) << "the fine-tune changed no weight";
  EXPECT_EQ(own.calibration.act_clip, gathered.calibration.act_clip);
}

TEST(SearchAccuracy, OnTheVpOfAnIdealArchitectureEqualsTheIntegerReference) {
  // Two independent paths: the compiled network on the VP and the integer
  // reference. On ideal crossbars they agree bit for bit, hence in accuracy.
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-float.cimvp"));
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  rl::AccuracyModel reference(model, "fashion-mnist", 150, rl::FinetuneSettings{}, 2);
  rl::AccuracyModel vp(model, "fashion-mnist", 150, rl::FinetuneSettings{}, 2);
  vp.measure_on_vp(arch, 2);
  const size_t layers = model.graph.quantizable_layers().size();
  Policy mixed = uniform_policy(layers, 6, 8);
  mixed.weight_bits[1] = 3;
  for (const Policy& p : {uniform_policy(layers, 8, 8), mixed}) EXPECT_DOUBLE_EQ(vp.accuracy(p), reference.accuracy(p));
}

TEST(SearchAccuracy, OnANoisyVpIsTheMeanOverItsDeviceDrawsAndFallsWithTheNoise) {
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-float.cimvp"));
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  arch.device.program_sigma = 0.1;  // about 40 % instead of 90 % (docs/device.md)
  rl::AccuracyModel reference(model, "fashion-mnist", 100, rl::FinetuneSettings{}, 2);
  rl::AccuracyModel vp(model, "fashion-mnist", 100, rl::FinetuneSettings{}, 2);
  vp.measure_on_vp(arch, 3);
  const Policy p = uniform_policy(model.graph.quantizable_layers().size(), 8, 8);
  const double noisy = vp.accuracy(p);
  EXPECT_LT(noisy, reference.accuracy(p) - 0.2);
  // The mean of the three draws, each measured again on the same images.
  ModelFile at = model;
  const Dataset train = load_dataset("fashion-mnist", Split::Train);
  at.calibration = calibration_for(model, p, &train);
  at.policy = p;
  const Dataset validation = load_dataset("fashion-mnist", Split::Validation).head(100);
  const std::vector<double> draws = vp.vp_accuracies(at, p, validation, 100, 3);
  ASSERT_EQ(draws.size(), 3u);
  EXPECT_NE(draws[0], draws[1]);
  EXPECT_NEAR(noisy, (draws[0] + draws[1] + draws[2]) / 3, 1e-12);
}

TEST(SearchAccuracy, RefusesModelsItCannotMeasure) {
  try {
    rl::AccuracyModel a(load_model_spec("lenet5"), "fashion-mnist", 100, rl::FinetuneSettings{}, 1);
    FAIL() << "a zoo model has random weights";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no trained weights"));
  }
  ModelFile rgb;  // trained weights (as far as the search can tell) for 3x8x8 images
  const int in = rgb.graph.add_input("input", Shape{3, 8, 8});
  rgb.graph.add_dense("fc", rgb.graph.add_flatten("flat", rgb.graph.add_relu("relu", rgb.graph.add_conv("conv", in, 4, 3))),
                      10);
  rgb.graph.name = "rgb";
  try {
    rl::AccuracyModel a(rgb, "fashion-mnist", 100, rl::FinetuneSettings{}, 1);
    FAIL() << "the dataset's images do not fit the model";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("model 'rgb' takes 3x8x8 inputs, fashion-mnist has 1x28x28"));
  }
}

}  // namespace
}  // namespace cimvp
