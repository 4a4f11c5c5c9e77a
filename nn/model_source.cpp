#include "nn/model_source.h"

#include <algorithm>
#include <random>

#include "common/error.h"
#include "nn/onnx_import.h"
#include "nn/train/trainer.h"
#include "nn/zoo.h"

namespace cimvp {

ModelFile load_model_spec(const std::string& spec, uint64_t seed) {
  if (is_zoo_model(spec)) {
    ModelFile m;
    m.graph = make_model(spec, seed);
    m.metadata["source"] = "zoo (random weights, seed " + std::to_string(seed) + ")";
    m.random_weights = true;
    return m;
  }
  if (spec.size() > 5 && spec.substr(spec.size() - 5) == ".onnx") {
    OnnxImport imported = import_onnx(spec);
    if (imported.kind == OnnxModelKind::Integer)
      throw Error(spec + ": an integer-operator ONNX model (QLinearConv, ConvInteger, ...) has fixed bits and cannot "
                  "take a policy; use a float or QDQ model here");
    return std::move(imported.model);
  }
  if (!is_model_file(spec))
    throw Error("'" + spec + "' is neither a zoo model (see cimvp models) nor a readable cimvp model file");
  return load_model_file(spec);
}

ModelFile load_model_structure(const std::string& spec) {
  ModelFile m;
  if (is_zoo_model(spec)) {
    m.graph = make_model_structure(spec);
    m.metadata["source"] = "zoo structure (no weights)";
    return m;
  }
  if (spec.size() > 5 && spec.substr(spec.size() - 5) == ".onnx") {  // the weights are not even decoded
    OnnxImportOptions o;
    o.structure_only = true;
    OnnxImport imported = import_onnx(spec, o);
    if (imported.kind == OnnxModelKind::Float) {
      m = std::move(imported.model);
      m.metadata["source"] = spec + " (structure only)";
      return m;
    }
  }
  const ModelFile full = load_model_spec(spec);
  m.graph = structure_of(full.graph);
  m.policy = full.policy;  // the model's own bits still choose the policy when none is given
  m.metadata = full.metadata;
  m.metadata["source"] = spec + " (structure only)";
  return m;
}

QuantizedNetwork quantize_any(const ModelFile& model, const Policy& policy, const Dataset* training_images) {
  if (!model.graph.structure_only) return quantize_model(model, policy, training_images);
  QuantizedNetwork q = quantize_structure(model.graph, policy);
  q.name = model.graph.name;
  return q;
}

Policy choose_policy(const ModelFile& model, const std::optional<std::string>& policy_file,
                     const std::optional<std::string>& bits) {
  const size_t layers = model.graph.quantizable_layers().size();
  if (policy_file && bits) throw Error("give either --policy or --bits, not both");
  if (policy_file) return load_policy(*policy_file, int(layers));
  if (bits) return parse_bits_spec(*bits, layers);
  if (model.has_policy()) return model.policy;
  throw Error("no bit widths: give --policy POLICY.yaml or --bits wXaY (e.g. --bits w8a8)");
}

bool has_scales_for(const ModelFile& model, const Policy& policy) {
  if (!model.has_policy() || !(model.policy == policy)) return false;
  for (const ActDomain& d : plan_activations(model.graph, policy).domains)
    if (!d.int32_output && !model.calibration.act_clip.count(d.name)) return false;
  return true;
}

namespace {

// Random weights: a few seeded random images, clips at the largest value, so
// that activations use their ranges (the scales do not change timing).
Calibration calibrate_on_random_images(const Graph& g, const Policy& policy) {
  const Shape in = g.input_shape();
  const int count = in.size() > 100000 ? 1 : 8;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  std::vector<std::vector<float>> samples(size_t(count), std::vector<float>(size_t(in.size())));
  for (auto& s : samples)
    for (float& v : s) v = pixel(rng);
  CalibrationOptions options;
  options.method = ClipMethod::Max;
  return calibrate(g, samples, policy, options);
}

}  // namespace

Calibration calibration_for(const ModelFile& model, const Policy& policy, const Dataset* training_images,
                            ActivationSamples* activations) {
  check_policy(policy, model.graph.quantizable_layers().size(), "policy for model '" + model.graph.name + "'");
  if (has_scales_for(model, policy)) return model.calibration;
  if (model.random_weights) return calibrate_on_random_images(model.graph, policy);
  if (!training_images)
    throw Error("model '" + model.graph.name + "' carries no scales for " + policy.str() +
                " and needs training images to calibrate them (give --dataset)");
  const Graph folded = has_batch_norm(model.graph) ? fold_batch_norm(model.graph) : model.graph;
  if (activations) return calibrate_on_activations(folded, policy, *activations);
  return initial_calibration(folded, policy, *training_images, kCalibrationImages);
}

ActivationSamples calibration_activations(const ModelFile& model, const Dataset& training_images) {
  const Graph folded = has_batch_norm(model.graph) ? fold_batch_norm(model.graph) : model.graph;
  const size_t n = std::max<size_t>(1, std::min(kCalibrationImages, training_images.size()));
  std::vector<std::vector<float>> samples;
  for (size_t i = 0; i < n; ++i) samples.push_back(training_images.image_vector(i));
  return sample_activations(folded, samples);
}

Calibration calibrate_on_activations(const Graph& folded, const Policy& p, ActivationSamples& activations) {
  Calibration c = calibrate(folded, activations, p);
  const std::vector<int> layers = folded.quantizable_layers();
  for (size_t l = 0; l < layers.size(); ++l) {
    const Node& nd = folded.nodes[size_t(layers[l])];
    const auto key = std::make_pair(layers[l], p.weight_bits[l]);
    auto it = activations.weight_scales.find(key);
    if (it == activations.weight_scales.end())
      it = activations.weight_scales.emplace(key, float(weight_scale_for(nd, p.weight_bits[l], Calibration{}, true))).first;
    c.weight_scale[nd.name] = it->second;
  }
  return c;
}

QuantizedNetwork quantize_model(const ModelFile& model, const Policy& policy, const Dataset* training_images) {
  QuantizedNetwork q = quantize(model.graph, policy, calibration_for(model, policy, training_images));
  q.name = model.graph.name;
  return q;
}

std::optional<Dataset> calibration_images(const ModelFile& model, const Policy& policy, const std::string& dataset) {
  if (model.graph.structure_only || model.random_weights || has_scales_for(model, policy)) return std::nullopt;
  std::string name = dataset;
  if (name.empty()) {
    const auto it = model.metadata.find("dataset");
    if (it == model.metadata.end())
      throw Error("model '" + model.graph.name + "' carries no scales for " + policy.str() +
                  " and names no dataset to calibrate them on: give --dataset");
    name = it->second;
  }
  return load_dataset(name, Split::Train).head(kCalibrationImages);
}

ModelFile with_scales(const ModelFile& model, const Policy& policy, const Dataset* training_images) {
  ModelFile m = model;
  m.calibration = calibration_for(model, policy, training_images);
  if (has_batch_norm(m.graph)) m.graph = fold_batch_norm(m.graph);  // as quantization-aware training leaves it
  m.policy = policy;
  return m;
}

void mark_input_nonnegative(ModelFile& model, const Dataset& images) {
  const auto lowest = std::min_element(images.images.begin(), images.images.end());
  if (lowest != images.images.end() && *lowest < 0)
    throw Error("model '" + model.graph.name + "': its input cannot be quantized unsigned: " + images.name +
                " image " + std::to_string(size_t(lowest - images.images.begin()) / images.image_size()) +
                " has the value " + std::to_string(*lowest));
  model.graph.nodes.at(0).nonnegative = true;
}

}  // namespace cimvp
