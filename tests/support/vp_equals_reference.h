// The checks every new operator's test makes: the VP's outputs equal the
// integer reference's, bit for bit, for each policy under the default
// (resident when it fits) and the per-layer placement; and a model's ONNX
// export imports back to the same integer outputs.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "nn/model_source.h"
#include "nn/onnx_export.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp::test {

// `images` random images per policy and placement on configs/arch/default.yaml.
inline void expect_vp_equals_reference(const ModelFile& model, const std::vector<Policy>& policies, uint32_t seed,
                                       int images = 2) {
  const ArchConfig arch = load_arch_config(source_path("configs/arch/default.yaml"));
  Soc soc("soc", arch);
  std::mt19937 rng(seed);
  for (const Policy& policy : policies) {
    const QuantizedNetwork q = quantize_model(model, policy);
    ReferenceExecutor reference(q);
    for (Placement placement : {Placement::Auto, Placement::PerLayer}) {
      CompileOptions options;
      options.placement = placement;
      const CompileResult compiled = compile(q, arch, options);
      soc.load(compiled.image, model.graph.name);
      for (int image = 0; image < images; ++image) {
        const std::vector<int8_t> x = random_image(rng, q);
        const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
        ASSERT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x))
            << model.graph.name << " w" << ::testing::PrintToString(policy.weight_bits) << " a"
            << ::testing::PrintToString(policy.activation_bits) << ", " << placement_name(compiled.placement);
      }
    }
  }
}

// Calibrates `model` at W8A8 on generated images, exports it to ONNX (the
// checker runs), imports it back and checks both give the same integers on
// `images` random images. Returns the import for the caller's own checks.
inline OnnxImport expect_onnx_round_trip(ModelFile model, uint32_t seed, int images = 3) {
  model.policy = uniform_policy(model.graph.quantizable_layers().size(), 8, 8);
  model.calibration = calibrate(model.graph, random_images(model.graph.input_shape(), 4, 10), model.policy);
  OnnxImport im = import_onnx_bytes(export_onnx_bytes(model), model.graph.name + ".onnx");
  const QuantizedNetwork a = quantize(model.graph, model.policy, model.calibration);
  const QuantizedNetwork b = quantize(im.model.graph, im.model.policy, im.model.calibration);
  ReferenceExecutor ra(a), rb(b);
  std::mt19937 rng(seed);
  for (int image = 0; image < images; ++image) {
    const std::vector<int8_t> x = random_image(rng, a);
    EXPECT_EQ(ra.run(x), rb.run(x)) << model.graph.name << " image " << image;
  }
  return im;
}

}  // namespace cimvp::test
