#include "nn/model_source.h"

#include "nn/onnx_import.h"

#include <random>

#include "common/error.h"
#include "nn/zoo.h"

namespace cimvp {

ModelFile load_model_spec(const std::string& spec, uint64_t seed) {
  if (is_zoo_model(spec)) {
    ModelFile m;
    m.graph = make_model(spec, seed);
    m.metadata["source"] = "zoo (random weights, seed " + std::to_string(seed) + ")";
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
  if (!is_zoo_model(spec)) return load_model_spec(spec);
  ModelFile m;
  m.graph = make_model_structure(spec);
  m.metadata["source"] = "zoo structure (no weights)";
  return m;
}

QuantizedNetwork quantize_any(const ModelFile& model, const Policy& policy) {
  if (!model.graph.structure_only) return quantize_model(model, policy);
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

QuantizedNetwork quantize_model(const ModelFile& model, const Policy& policy) {
  Calibration calibration = model.calibration;
  const ActivationPlan plan = plan_activations(model.graph, policy);
  bool complete = true;
  for (const ActDomain& d : plan.domains)
    if (!d.int32_output && !calibration.act_clip.count(d.name)) complete = false;
  if (!complete) {
    // Random weights: calibrate on random images (a few, seeded) so that
    // activations use their ranges; the scales do not change timing.
    const Shape in = model.graph.input_shape();
    const int count = in.size() > 100000 ? 1 : 8;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> pixel(0.f, 1.f);
    std::vector<std::vector<float>> samples(size_t(count), std::vector<float>(size_t(in.size())));
    for (auto& s : samples)
      for (float& v : s) v = pixel(rng);
    CalibrationOptions options;
    options.method = ClipMethod::Max;
    calibration = calibrate(model.graph, samples, policy, options);
  }
  QuantizedNetwork q = quantize(model.graph, policy, calibration);
  q.name = model.graph.name;
  return q;
}

}  // namespace cimvp
