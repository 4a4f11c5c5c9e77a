// Turning a user's `--model` and `--policy`/`--bits` into a quantized
// network: a zoo name (seeded random weights), a cimvp model file, or an
// ONNX file (float or QDQ). Shared by the command line, tests and benchmarks.
#pragma once

#include <optional>
#include <string>

#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/quant.h"

namespace cimvp {

// Loads `spec`: a zoo name or a model file. Throws naming the spec.
ModelFile load_model_spec(const std::string& spec, uint64_t seed = 1);
// The same without weights (structure_of the graph), for timing-only
// compiles: a zoo model is built without them, a model file or ONNX model is
// loaded and stripped.
ModelFile load_model_structure(const std::string& spec);

// The policy from --policy FILE or --bits wXaY (exactly one, or the model
// file's own policy when neither is given).
Policy choose_policy(const ModelFile& model, const std::optional<std::string>& policy_file,
                     const std::optional<std::string>& bits);

// ---------------------------------------------------------------- the one quantization path
// eval, infer, compile, export, the trainer's evaluation and the search all
// quantize through calibration_for(), so a model at a policy is one integer
// network whichever command asks.

// Training images that calibrate a trained model at a policy it carries no
// scales for (the first ones of the training split).
constexpr size_t kCalibrationImages = 512;

// True when `model` carries scales for exactly `policy`: it was trained
// (QAT) or calibrated at that policy, or imported from a QDQ model.
bool has_scales_for(const ModelFile& model, const Policy& policy);

// The scales for `model` at `policy`:
//  - the model's own when has_scales_for(model, policy);
//  - a model with random weights (a zoo name): seeded random images, which
//    exercise the ranges the timing-only uses need;
//  - otherwise the first kCalibrationImages of `training_images`: MSE clips
//    for activations and weights. Throws naming the model when they are
//    needed and not given.
// `activations` (optional) are calibration_activations(model, *training_images)
// gathered once for many policies: the same scales, without running the float
// model again or choosing a layer's scale at the same bits twice.
Calibration calibration_for(const ModelFile& model, const Policy& policy, const Dataset* training_images,
                            ActivationSamples* activations = nullptr);

// The float activations calibration_for looks at: the model (BatchNorm
// folded) on the first kCalibrationImages of `training_images`.
ActivationSamples calibration_activations(const ModelFile& model, const Dataset& training_images);

// A trained model's scales at `p`: activation clips by MSE over
// `activations` (calibrate()), weight scales by MSE at each layer's bits;
// remembered in `activations` (taken from `folded`) for the next policy.
Calibration calibrate_on_activations(const Graph& folded, const Policy& p, ActivationSamples& activations);

// The integer network of `model` at `policy` with calibration_for's scales.
QuantizedNetwork quantize_model(const ModelFile& model, const Policy& policy, const Dataset* training_images = nullptr);
// quantize_model, or quantize_structure for a structure-only graph.
QuantizedNetwork quantize_any(const ModelFile& model, const Policy& policy, const Dataset* training_images = nullptr);

// The training images calibration_for needs for `model` at `policy`, loaded
// only when it needs them: the training split of `dataset` (a command's
// --dataset) or, when that is empty, of the dataset the model file names.
// nullopt when the model's own scales or random images serve. Throws naming
// the model when images are needed and no dataset is known.
std::optional<Dataset> calibration_images(const ModelFile& model, const Policy& policy,
                                          const std::string& dataset = "");

// Marks `model`'s input nonnegative (quantized unsigned: one more level per
// bit, nn/graph.h) after checking that every value of `images` is >= 0.
// Throws naming the dataset and the model when one is negative.
void mark_input_nonnegative(ModelFile& model, const Dataset& images);

// `model` carrying `policy` and calibration_for's scales: what `export` writes
// for a float model given a policy.
ModelFile with_scales(const ModelFile& model, const Policy& policy, const Dataset* training_images);

}  // namespace cimvp
