// The accuracy side of the search: a trained model at a policy, quantized
// through the one quantization path (nn/model_source.h), optionally
// fine-tuned (quantization-aware, a few batches of the training split, as
// HAQ does), then evaluated by the integer reference (the bits the VP
// computes) on the first `validation_images` of the validation split, which
// is held out of the training split: the test set is never used here.
// With measure_on_vp() the last step is the VP instead: the network compiled
// for the architecture and classified under its device and converter
// non-idealities, the mean over several device draws.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/arch_config.h"
#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/policy.h"
#include "rl/search_config.h"

namespace cimvp::flow {
class Pipeline;
}

namespace cimvp::rl {

class AccuracyModel {
 public:
  // Throws cimvp::Error naming the model when it has no trained weights (a
  // zoo name) or does not take the dataset's images.
  // `nonnegative_input`: mark the model's input nonnegative first
  // (mark_input_nonnegative, checked on the training split it loads).
  AccuracyModel(const ModelFile& trained, const std::string& dataset, int validation_images,
                const FinetuneSettings& finetune, int threads, bool nonnegative_input = false);
  ~AccuracyModel();

  double accuracy(const Policy& policy);  // fraction

  // From now on accuracy() classifies on the VP of `arch` (its SoC from
  // flow/pipeline.h: call before the process's first simulation), the mean
  // over `seeds` device draws.
  void measure_on_vp(const ArchConfig& arch, int seeds);
  // The accuracy of `tuned` (a model at `policy`, with its scales) on the
  // first `count` of `images` on that VP under `seeds` draws, one per seed,
  // the images split over as many processes as the model has threads.
  std::vector<double> vp_accuracies(const ModelFile& tuned, const Policy& policy, const Dataset& images,
                                    size_t count, int seeds);

  double finetune_seconds() const { return finetune_seconds_; }
  double evaluate_seconds() const { return evaluate_seconds_; }
  const ModelFile& model() const { return model_; }  // the model as measured (input marked, if asked)
  const Dataset& training_images() const { return train_; }
  ActivationSamples& activations() { return activations_; }

 private:
  double deployable_accuracy(const ModelFile& tuned, const Policy& policy);
  ModelFile model_;
  std::string dataset_;
  Dataset train_, validation_;
  ActivationSamples activations_;  // the float model on the calibration images, once for every policy
  FinetuneSettings finetune_;
  int threads_;
  std::map<std::pair<std::vector<int>, std::vector<int>>, double> cache_;  // shared by every search of a job
  double finetune_seconds_ = 0, evaluate_seconds_ = 0;
  std::optional<ArchConfig> vp_arch_;
  std::unique_ptr<flow::Pipeline> vp_;
  int vp_seeds_ = 1;
  double measure(const ModelFile& tuned, const Policy& policy);  // on validation_, by the source in use
};

// How a quantization-aware fine-tune runs (the trainer, quiet, batch 64,
// seed 1, cosine learning rate from `lr`).
struct FinetuneRun {
  size_t images = 0;  // the first N training images (0: all)
  int epochs = 1;
  double lr = 0.005;
  // Knowledge distillation from `teacher` (run in float; null: none), as
  // TrainOptions::teacher.
  std::shared_ptr<const ModelFile> teacher;
  double distill_weight = 0.5, distill_temperature = 1;
};

// Quantization-aware fine-tuning of `model` at `policy`. The returned model
// carries the policy and the learned scales. `activations` (optional) are
// calibration_activations(model, train): the same start, without running the
// float model on the calibration images again.
ModelFile finetune(const ModelFile& model, const Dataset& train, const std::string& dataset, const Policy& policy,
                   const FinetuneRun& run, int threads, ActivationSamples* activations = nullptr);

}  // namespace cimvp::rl
