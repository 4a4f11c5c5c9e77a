#include "rl/evaluation/accuracy.h"

#include <chrono>
#include <cstdio>

#include "common/error.h"
#include "common/seconds_since.h"
#include "flow/build.h"
#include "flow/pipeline.h"
#include "nn/train/trainer.h"
#include "rl/episode_record.h"

namespace cimvp::rl {

namespace {

constexpr int kFinetuneBatch = 64;

}  // namespace

AccuracyModel::AccuracyModel(const ModelFile& trained, const std::string& dataset, int validation_images,
                             const FinetuneSettings& finetune, int threads, bool nonnegative_input)
    : model_(trained), dataset_(dataset), finetune_(finetune), threads_(threads) {
  if (trained.random_weights || trained.graph.structure_only)
    throw Error("model '" + trained.graph.name + "' has no trained weights: the search's accuracy needs a trained "
                "model file (cimvp train ... -o MODEL.cimvp)");
  if (validation_images < 1) throw Error("validation.images must be at least 1");
  train_ = load_dataset(dataset, Split::Train);
  validation_ = load_dataset(dataset, Split::Validation).head(size_t(validation_images));
  if (train_.shape != trained.graph.input_shape())
    throw Error("model '" + trained.graph.name + "' takes " + trained.graph.input_shape().str() + " inputs, " +
                dataset + " has " + train_.shape.str() + " images");
  if (nonnegative_input) mark_input_nonnegative(model_, train_);
  activations_ = calibration_activations(model_, train_);
}

AccuracyModel::~AccuracyModel() = default;

double AccuracyModel::accuracy(const Policy& policy) {
  const auto key = std::make_pair(policy.weight_bits, policy.activation_bits);
  if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  double a;
  if (finetune_.batches > 0) {
    auto t0 = std::chrono::steady_clock::now();
    FinetuneRun run;
    run.images = size_t(finetune_.batches) * kFinetuneBatch;
    run.lr = finetune_.lr;
    const ModelFile tuned = finetune(model_, train_, dataset_, policy, run, threads_, &activations_);
    finetune_seconds_ += seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    a = deployable_accuracy(tuned, policy);
    evaluate_seconds_ += seconds_since(t0);
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    ModelFile m = model_;  // at the policy, with the scales every command would give it
    m.calibration = calibration_for(model_, policy, &train_, &activations_);
    m.policy = policy;
    a = deployable_accuracy(m, policy);
    evaluate_seconds_ += seconds_since(t0);
  }
  cache_.emplace(key, a);
  return a;
}

void AccuracyModel::measure_on_vp(const ArchConfig& arch, int seeds) {
  if (seeds < 1) throw Error("accuracy_seeds must be at least 1");
  vp_arch_ = arch;
  vp_ = std::make_unique<flow::Pipeline>(arch);
  vp_seeds_ = seeds;
}

std::vector<double> AccuracyModel::vp_accuracies(const ModelFile& tuned, const Policy& policy, const Dataset& images,
                                                 size_t count, int seeds) {
  if (!vp_) throw Error("VP accuracy asked of an accuracy model without an architecture (measure_on_vp)");
  // The pipeline's SoC is shared with the latency measurement: load every time.
  vp_->load(flow::build(tuned, policy, *vp_arch_), tuned.graph.name, &train_);
  return vp_->accuracy_over_seeds(images, count, seeds, threads_);  // the VP on as many processes as threads
}

// A policy whose (fine-tuned) scales let a layer's int32 accumulator
// overflow cannot be deployed: quantization, the compiler and the VP all
// refuse it. One such policy must not end a search of hours, so it scores
// accuracy 0, the least reward, and the refusal is printed once (the
// accuracy is cached per policy).
double AccuracyModel::deployable_accuracy(const ModelFile& tuned, const Policy& policy) {
  try {
    return measure(tuned, policy);
  } catch (const Error& e) {
    std::fprintf(stderr, "\ncimvp search: policy w %s a %s cannot be deployed, its accuracy counts as 0: %s\n",
                 bits_text(policy.weight_bits).c_str(), bits_text(policy.activation_bits).c_str(), e.what());
    return 0;
  }
}

double AccuracyModel::measure(const ModelFile& tuned, const Policy& policy) {
  if (!vp_) return evaluate(tuned, validation_, EvalMode::Integer, threads_).accuracy;
  return flow::accuracy_spread(vp_accuracies(tuned, policy, validation_, validation_.size(), vp_seeds_)).mean;
}

ModelFile finetune(const ModelFile& model, const Dataset& train, const std::string& dataset, const Policy& policy,
                   const FinetuneRun& run, int threads, ActivationSamples* activations) {
  // The trainer calibrates the clips it starts from exactly as
  // calibration_for does (the model's own scales when it has them for
  // `policy`); given the activations, that costs no float pass.
  ModelFile start = model;
  if (activations) {
    start.calibration = calibration_for(model, policy, &train, activations);
    start.policy = policy;
  }
  TrainOptions o;
  o.dataset = dataset;
  o.policy = policy;
  o.epochs = run.epochs;
  o.batch = kFinetuneBatch;
  o.lr = float(run.lr);
  o.threads = threads;
  o.train_images = run.images;
  if (run.teacher) {
    o.teacher = run.teacher;
    o.teacher_name = "model '" + run.teacher->graph.name + "'";
    o.distill_weight = float(run.distill_weight);
    o.distill_temperature = float(run.distill_temperature);
  }
  o.validate = false;
  ProgressSink quiet;
  return cimvp::train(start, train, Dataset{}, o, quiet);
}

}  // namespace cimvp::rl
