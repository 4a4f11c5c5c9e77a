// ONNX QDQ export (docs/onnx.md): a quantized cimvp model (graph +
// calibration + policy) as a standard ONNX model (opset 13) of float
// operators with QuantizeLinear -> [Clip] -> DequantizeLinear pairs:
//
//  - every activation domain (quant.h) gets a pair after its producer (after
//    the fused ReLU), uint8 when unsigned and int8 when signed, zero point 0,
//    scale clip / L(bits); bits below 8 narrow the range with a Clip (the
//    Brevitas/QCDQ form); a layer reading fewer bits than its domain gets a
//    second pair at its own bits (the rescaled copy);
//  - every Conv/Gemm weight is a float initializer (the BatchNorm-folded
//    weights) followed by an int8 pair at the layer's weight bits and scale;
//    biases stay float;
//  - the model's metadata_props keep cimvp's exact calibration
//    ("cimvp.calibration") so that cimvp's importer rebuilds bit-identical
//    integer networks; other tools read the QDQ pairs.
//
// The ONNX checker accepts the result; import_onnx() reads it back to the
// same graph, policy and calibration (so quantize() gives the same network).
#pragma once

#include <string>

#include "nn/model_file.h"

namespace cimvp {

// The serialized ModelProto. Throws cimvp::Error if the model has no policy
// or its calibration lacks a domain's clip.
std::string export_onnx_bytes(const ModelFile& m);
void export_onnx(const ModelFile& m, const std::string& path);

}  // namespace cimvp
