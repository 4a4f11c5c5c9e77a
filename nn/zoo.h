// The model zoo: Graphs with seeded random weights (He initialization).
//   lenet5        1x28x28 -> 10     5 layers: conv 6@5x5 pad 2, conv 16@5x5, dense 120, 84, 10
//   vgg-small     1x28x28 -> 10     8 layers: conv3x3+BN+ReLU 16-32-M-32-64-M-64-128-M, dense 256, dense 10
//   resnet-small  1x28x28 -> 10    10 layers: stem 16, basic blocks 16, 32/2, 64/2 (1x1 downsample), GAP, dense 10
//   vgg16         3x224x224 -> 1000 16 layers: 13 conv3x3 then 3 dense (no BN)
//   resnet18      3x224x224 -> 1000 21 layers: stem 7x7/2, 8 basic blocks, 3 downsample 1x1 convs, dense 1000
//   mobilenet-small 1x28x28 -> 10  23 layers: stem 16, depthwise-separable 16/2 -> 24, inverted residuals
//                 (1x1 expand + ReLU6, depthwise 3x3 + ReLU6, squeeze-and-excitation with hard sigmoid,
//                 linear 1x1 projection, residual) 72:24, 72:40/2, 120:40, 160:64, head 1x1 256, GAP, dense 10
// Quantizable layers are listed in PyTorch module order (a block's conv1,
// conv2, then its downsample conv).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/graph.h"

namespace cimvp {

std::vector<std::string> zoo_names();
bool is_zoo_model(const std::string& name);

// Builds a zoo model with weights from `seed`. An unknown name throws
// cimvp::Error listing the valid names.
Graph make_model(const std::string& name, uint64_t seed = 1);
// with_weights == false: a structure-only graph (Graph::structure_only, no
// parameter is allocated; `seed` is unused), for timing-only compiles of
// ImageNet-size networks through quantize_structure() (nn/quant.h).
Graph make_model(const std::string& name, uint64_t seed, bool with_weights);
Graph make_model_structure(const std::string& name);  // == make_model(name, 0, false)

// (Re)initializes every parameter: conv/dense weights He-uniform
// U(-sqrt(6/fan_in), +sqrt(6/fan_in)) (variance 2/fan_in), biases 0,
// BatchNorm gamma 1, beta 0, mean 0, var 1. Deterministic in `seed`.
void init_weights(Graph& g, uint64_t seed);

}  // namespace cimvp
