// Turning a user's `--model` and `--policy`/`--bits` into a quantized
// network: a zoo name (seeded random weights), a cimvp model file, or an
// ONNX file (float or QDQ). Shared by the command line, tests and benchmarks.
#pragma once

#include <optional>
#include <string>

#include "nn/model_file.h"
#include "nn/quant.h"

namespace cimvp {

// Loads `spec`: a zoo name or a model file. Throws naming the spec.
ModelFile load_model_spec(const std::string& spec, uint64_t seed = 1);
// The same without weights, for timing-only compiles (zoo names only; other
// sources are loaded whole).
ModelFile load_model_structure(const std::string& spec);

// The policy from --policy FILE or --bits wXaY (exactly one, or the model
// file's own policy when neither is given).
Policy choose_policy(const ModelFile& model, const std::optional<std::string>& policy_file,
                     const std::optional<std::string>& bits);

// Quantizes the model at `policy`. Calibrates when the model file carries no
// scales for the policy: with `samples` float images if given, else (zoo
// models with random weights) with seeded random images.
QuantizedNetwork quantize_model(const ModelFile& model, const Policy& policy);
// quantize_model, or quantize_structure for a structure-only graph.
QuantizedNetwork quantize_any(const ModelFile& model, const Policy& policy);

}  // namespace cimvp
