// Small training runs: lenet5 learns a synthetic 10-class task far below the
// chance loss; a run killed after an epoch resumes from its checkpoint to the
// same weights as an uninterrupted run; progress is reported.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "common/error.h"
#include "nn/train/trainer.h"
#include "tests/support/synthetic_dataset.h"

using namespace cimvp;

namespace {

Dataset synthetic(size_t n, uint64_t seed) { return test::synthetic_bars(n, seed); }

struct Recorder : ProgressSink {
  std::vector<BatchProgress> batches;
  std::vector<EpochReport> epochs;
  int kill_after_epoch = -1;
  void on_batch(const BatchProgress& p) override { batches.push_back(p); }
  void on_epoch(const EpochReport& e) override {
    epochs.push_back(e);
    if (e.epoch == kill_after_epoch) throw std::runtime_error("killed");
  }
};

std::string tmp(const std::string& name) {
  return testing::TempDir() + "/train_tiny_" + std::to_string(::getpid()) + "_" + name;
}

}  // namespace

TEST(TrainTiny, LossFallsFarBelowChance) {
  TrainData data{synthetic(1000, 1), synthetic(300, 2)};
  TrainOptions o;
  o.epochs = 3;
  o.lr = 0.05f;
  Recorder rec;
  ModelFile m = train(initial_model(o), data, o, rec);
  ASSERT_EQ(rec.epochs.size(), 3u);
  EXPECT_GT(rec.epochs[0].train_loss, rec.epochs[2].train_loss);
  EXPECT_LT(rec.epochs[2].train_loss, 0.3 * std::log(10.0)) << "chance is ln 10 = 2.30";
  EXPECT_GT(rec.epochs[2].validation_accuracy, 0.9);
  EvalResult r = evaluate(m, data.validation, EvalMode::Float);
  EXPECT_NEAR(r.accuracy, rec.epochs[2].validation_accuracy, 1e-12);
  EXPECT_EQ(r.images, 300u);
  // Progress: one report per batch (16 per epoch), batch counters and time left.
  ASSERT_EQ(rec.batches.size(), 3u * 16);
  EXPECT_EQ(rec.batches[17].epoch, 1);
  EXPECT_EQ(rec.batches[17].batch, 1u);
  EXPECT_EQ(rec.batches[17].batches, 16u);
  EXPECT_GT(rec.batches[17].images_per_second, 0);
  EXPECT_GT(rec.batches[17].seconds_left, 0);
  EXPECT_LT(rec.batches.back().lr, 0.01 * o.lr);  // cosine schedule ends near 0
  EXPECT_EQ(m.metadata.at("train.epochs_done"), "3");
}

TEST(TrainTiny, KilledRunResumesToTheSameWeights) {
  TrainData data{synthetic(400, 3), synthetic(100, 4)};
  TrainOptions o;
  o.epochs = 3;
  Recorder full_rec;
  const ModelFile full = train(initial_model(o), data, o, full_rec);

  o.checkpoint = tmp("ckpt.cimvp");
  std::remove(o.checkpoint.c_str());
  Recorder killed;
  killed.kill_after_epoch = 0;
  EXPECT_THROW(train(initial_model(o), data, o, killed), std::runtime_error);
  ASSERT_EQ(killed.epochs.size(), 1u);
  o.resume = true;
  Recorder resumed;
  const ModelFile res = train(initial_model(o), data, o, resumed);
  ASSERT_EQ(resumed.epochs.size(), 2u);
  EXPECT_EQ(resumed.epochs[0].epoch, 1);
  for (size_t i = 0; i < full.graph.nodes.size(); ++i) {
    EXPECT_TRUE(full.graph.nodes[i].weight == res.graph.nodes[i].weight) << full.graph.nodes[i].name;
    EXPECT_TRUE(full.graph.nodes[i].bias == res.graph.nodes[i].bias) << full.graph.nodes[i].name;
  }
  // Resuming with other options is refused, naming the difference.
  o.lr = 0.01f;
  try {
    train(initial_model(o), data, o, resumed);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train.lr"), std::string::npos) << e.what();
  }
}

TEST(TrainTiny, BadOptionsAreErrors) {
  TrainData data{synthetic(10, 1), {}};
  TrainOptions o;
  ProgressSink quiet;
  o.epochs = 0;
  EXPECT_THROW(train(initial_model(o), data, o, quiet), Error);
  o.epochs = 1;
  o.policy = uniform_policy(3, 8, 8);  // lenet5 has 5 layers
  try {
    train(initial_model(o), data, o, quiet);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lenet5"), std::string::npos) << e.what();
  }
}

// Distillation really learns from the teacher: on labels that are all
// wrong (every class shifted by one), a student trained on the teacher's
// soft targets alone still classifies the true classes; trained on the
// labels alone it learns the wrong ones.
TEST(TrainTiny, DistillationLearnsTheTeachersClassesNotTheLabels) {
  TrainData data{synthetic(1000, 1), synthetic(300, 2)};
  TrainOptions o;
  o.epochs = 3;
  ProgressSink quiet;
  auto teacher = std::make_shared<const ModelFile>(train(initial_model(o), data, o, quiet));
  ASSERT_GT(evaluate(*teacher, data.validation, EvalMode::Float).accuracy, 0.9);

  TrainData wrong = data;
  for (uint8_t& l : wrong.train.labels) l = uint8_t((l + 1) % 10);
  TrainOptions s = o;
  s.seed = 7;
  s.validate = false;
  const double labels_only = evaluate(train(initial_model(s), wrong, s, quiet), data.validation, EvalMode::Float).accuracy;
  s.teacher = teacher;
  s.distill_weight = 1.f;
  s.distill_temperature = 2.f;
  const ModelFile distilled = train(initial_model(s), wrong, s, quiet);
  EXPECT_LT(labels_only, 0.2);
  EXPECT_GT(evaluate(distilled, data.validation, EvalMode::Float).accuracy, 0.85);
  EXPECT_EQ(distilled.metadata.at("train.distill"), "teacher weight 1 temperature 2");
}
