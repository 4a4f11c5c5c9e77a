#include "flow/build.h"

#include <optional>

#include "nn/model_source.h"
#include "nn/graph.h"

namespace cimvp::flow {

QuantizedNetwork quantize(const ModelFile& model, const Policy& policy, const BuildOptions& options) {
  if (options.compile.timing_only) {
    if (model.graph.structure_only) return quantize_any(model, policy);
    ModelFile structure;
    structure.graph = structure_of(model.graph);
    return quantize_any(structure, policy);
  }
  const std::optional<Dataset> calibration = calibration_images(model, policy, options.dataset);
  return quantize_any(model, policy, calibration ? &*calibration : nullptr);
}

Build build(const ModelFile& model, const Policy& policy, const ArchConfig& arch, const BuildOptions& options) {
  Build b;
  b.network = quantize(model, policy, options);
  b.compiled = compile(b.network, arch, options.compile);
  return b;
}

}  // namespace cimvp::flow
