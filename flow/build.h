// Steps 1 and 2 of the pipeline: a model at a policy becomes an integer
// network (the one quantization path, nn/model_source.h) and the compiler
// maps it onto an architecture as a firmware image. Nothing else in cimvp
// turns a model into an image: `cimvp compile` writes what build() returns,
// and flow::Pipeline (pipeline.h) loads it on the SoC.
#pragma once

#include <string>

#include "compiler/compile.h"
#include "config/arch_config.h"
#include "nn/model_file.h"
#include "nn/policy.h"
#include "nn/quant.h"

namespace cimvp::flow {

struct BuildOptions {
  // timing_only compiles the network's structure alone: the weights are not
  // needed, so any model source will do (a loaded model is stripped).
  CompileOptions compile;
  // Training images for a trained model that carries no scales for the
  // policy (nn/model_source.h calibration_images); "" = the model file's own.
  std::string dataset;
};

struct Build {
  QuantizedNetwork network;
  CompileResult compiled;
};

// Throws cimvp::Error naming the model, layer or parameter when the policy
// does not fit the model, calibration images are missing or the network
// cannot be mapped.
Build build(const ModelFile& model, const Policy& policy, const ArchConfig& arch, const BuildOptions& options = {});

// Step 1 alone: the integer network build() compiles.
QuantizedNetwork quantize(const ModelFile& model, const Policy& policy, const BuildOptions& options = {});

}  // namespace cimvp::flow
