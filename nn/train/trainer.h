// The trainer API behind `cimvp train` and `cimvp eval`: float training and
// quantization-aware training (QAT) of a Graph on a dataset, with progress
// reporting, per-epoch checkpoints that survive a kill, and evaluation in
// float, fake-quantized and integer-reference arithmetic. docs/training.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/policy.h"
#include "nn/train/network.h"

namespace cimvp {

struct TrainOptions {
  std::string model = "lenet5";           // zoo model, used when `from` is empty
  std::string dataset = "fashion-mnist";  // recorded in the model's metadata
  std::optional<Policy> policy;           // set: quantization-aware training at this policy
  int epochs = 10;
  int batch = 64;
  float lr = 0.05f;            // peak learning rate; cosine-annealed to 0 over all steps when `cosine`
  float momentum = 0.9f;
  float weight_decay = 5e-4f;  // L2 on conv/dense weights
  bool cosine = true;
  float scale_lr_factor = 1.f;  // learning rate of the LSQ scales relative to lr (QAT; recorded as
                                // train.scale_lr_factor). Noise-aware training wants it below 1: the
                                // weight-scale gradient carries the injected error (docs/training.md)
  uint64_t seed = 1;           // initial weights (zoo models) and the shuffling
  int threads = 2;             // results do not depend on it (1 or 2)
  std::string from;            // model file to start from (e.g. a float model to fine-tune at a policy)
  std::string checkpoint;      // model file written at the end of every epoch ("" = none), + ".state"
  bool resume = false;         // continue from `checkpoint` if it exists
  size_t train_images = 0;     // use only the first N training images (0 = all)
  size_t calibration_images = kCalibrationImages;  // QAT: images to calibrate the activation clips on
  bool validate = true;        // evaluate the validation split after every epoch
  // Data augmentation of the training images (seeded by seed, epoch and
  // position, so runs stay reproducible): each image is flipped left-right
  // with probability 1/2 and shifted by a random offset of -augment_shift ..
  // +augment_shift pixels in each direction (zero fill).
  bool augment = false;
  int augment_shift = 2;
  // Knowledge distillation (training::Distillation): the teacher runs in
  // float, inference mode, on the same (augmented) batch. Null: plain
  // cross-entropy on the labels.
  std::shared_ptr<const ModelFile> teacher;
  std::string teacher_name = "teacher";  // recorded in the model's metadata
  float distill_weight = 0.5f;
  float distill_temperature = 1.f;
  // Noise-aware training (needs a policy): per weight bit width, the error
  // a crossbar's programming puts on each weight value (filled by `cimvp
  // train --arch` from models/device/programmed_weight_error.h). Every
  // training batch then draws new errors for every conv/dense weight,
  // seeded by (seed, epoch, batch, layer); validation stays noise free.
  // Empty: no noise.
  std::map<int, training::WeightErrorTable> weight_noise;
  float noise_scale = 1.f;   // multiplies the standard deviation (not the mean) of weight_noise
  std::string noise_source;  // what the noise models, recorded as the metadata train.weight_noise
};

// Reported after every batch (a sink throttles its own printing).
struct BatchProgress {
  int epoch = 0, epochs = 0;     // 0-based epoch
  size_t batch = 0, batches = 0; // 0-based batch in the epoch
  double loss = 0;               // running mean over the epoch so far
  double accuracy = 0;           // running training accuracy over the epoch so far
  double lr = 0;
  double images_per_second = 0;  // this epoch so far
  double seconds_left = 0;       // estimate for the whole run
};

struct EpochReport {
  int epoch = 0, epochs = 0;
  double train_loss = 0, train_accuracy = 0;
  double validation_accuracy = -1;  // -1: not evaluated
  double seconds = 0, images_per_second = 0;
  std::string checkpoint;           // written file, if any
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void on_batch(const BatchProgress&) {}
  virtual void on_epoch(const EpochReport&) {}
  virtual void on_message(const std::string&) {}  // calibration, resuming, ...
};

struct TrainData {
  Dataset train;
  Dataset validation;  // may be empty
};
// The "train" and "validation" splits of a dataset.
TrainData load_train_data(const std::string& dataset);

// The model training starts from: load_model_file(options.from), or the zoo
// model options.model with weights from options.seed.
ModelFile initial_model(const TrainOptions& options);

// Trains and returns the trained model: the graph (float weights; under a
// policy the BatchNorm-folded graph the QAT trained), the policy and the
// learned scales (QAT), and metadata (dataset, epochs, validation accuracy,
// normalization). Throws cimvp::Error for bad options, a dataset that does
// not fit the model, or a checkpoint that belongs to another run.
ModelFile train(const ModelFile& start, const TrainData& data, const TrainOptions& options, ProgressSink& sink);
// The same on datasets held elsewhere (validation may be empty): a search
// fine-tunes hundreds of policies on one training set without copying it.
ModelFile train(const ModelFile& start, const Dataset& train, const Dataset& validation, const TrainOptions& options,
                ProgressSink& sink);

enum class EvalMode {
  Float,      // the float graph (BatchNorm in inference form)
  FakeQuant,  // simulated quantization at the model's policy and scales (what QAT trains)
  Integer,    // quantize() + the integer reference executor (what the VP computes)
};
const char* eval_mode_name(EvalMode m);

struct EvalResult {
  size_t images = 0, correct = 0;
  double accuracy = 0;  // correct / images
  double loss = -1;     // mean cross-entropy (float and fake-quant; -1 for integer)
  double seconds = 0;
  std::vector<int> predictions;  // per image
};

// Evaluates `m` on `d` (all of it). FakeQuant and Integer need a policy in
// `m` (or `policy`); their scales are calibration_for(m, policy,
// calibration_data) (nn/model_source.h), the same as every other command's.
EvalResult evaluate(const ModelFile& m, const Dataset& d, EvalMode mode, int threads = 2,
                    const std::optional<Policy>& policy = std::nullopt, const Dataset* calibration_data = nullptr);

// The calibration QAT starts from: activation clips by MSE (calibrate()) on
// the first n images, weight scales by MSE at each layer's bits.
Calibration initial_calibration(const Graph& folded, const Policy& p, const Dataset& d, size_t n);

}  // namespace cimvp
