// ONNX import (docs/onnx.md), with Debian's libonnx-dev. Every model is run
// through the ONNX checker first. Three kinds of models:
//
//  - Float: Conv, Gemm, MatMul (+ Add bias), Relu, MaxPool, AveragePool,
//    GlobalAveragePool, Add, Flatten, Reshape (to 2-D), BatchNormalization
//    (plus Identity, Dropout, Constant) become a Graph, quantized later by
//    calibration like a zoo model.
//  - QDQ: the float operators above with QuantizeLinear/DequantizeLinear pairs
//    (optionally QuantizeLinear -> Clip -> DequantizeLinear for fewer bits, as
//    Brevitas and PyTorch export them; or QONNX/Brevitas `Quant` nodes): a
//    Graph plus the Calibration (activation clips, weight scales) and the
//    Policy (bits) the pairs specify, so quantize() keeps their scales and bits.
//  - Integer: QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger (with
//    QuantizeLinear on the input, DequantizeLinear on the output, MaxPool,
//    Flatten/Reshape between them): a QuantizedNetwork directly, with zero
//    points and ONNX's round-half-to-even requantization, so that the
//    ReferenceExecutor computes exactly the ONNX results.
//
// Unsupported operators and attributes are cimvp::Error naming the operator
// type and the node; unreadable or malformed files name the file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/model_file.h"
#include "nn/quant.h"

namespace cimvp {

// A tensor from a TensorProto, every element widened to double (exact for
// float32 and the integer types up to 2^53).
struct OnnxTensor {
  std::string name;
  int data_type = 0;  // TensorProto.DataType: 1 float, 2 uint8, 3 int8, 5 int16, 6 int32, 7 int64, 11 double, ...
  std::vector<int64_t> dims;
  std::vector<double> values;
  int64_t size() const;
};

// Reads a serialized TensorProto (a test_data_set_*/input_*.pb file).
OnnxTensor read_onnx_tensor(const std::string& path);

enum class OnnxModelKind { Float, Qdq, Integer };
const char* onnx_kind_name(OnnxModelKind k);  // "float", "qdq", "integer"

struct OnnxImportOptions {
  // Values for graph inputs that are not initializers, by input name. They
  // are treated as constants; the one graph input left unbound is the data.
  // For models that take their weights and scales as graph inputs, as the
  // ONNX backend node tests do (tests/support/onnx_node_tests.h binds them).
  std::map<std::string, OnnxTensor> bind;
  std::string name;  // the model's name; default: the graph's name, else the file stem
  // The structure alone (float models): tensors of more than
  // kStructureTensorLimit values (the weights) are not decoded and the graph
  // is structure-only (shapes, no parameters), for timing-only compiles.
  bool structure_only = false;
};
constexpr int64_t kStructureTensorLimit = 4096;

struct OnnxImport {
  OnnxModelKind kind = OnnxModelKind::Float;
  // Float and QDQ models: the graph; QDQ models also the calibration and the
  // policy from their quantizers (quantize(model.graph, model.policy,
  // model.calibration) gives the integer network).
  ModelFile model;
  // Integer models: the network itself (empty ops otherwise).
  QuantizedNetwork network;
  // The ONNX data input and output: names and shapes (batch included). An
  // ONNX tensor holds `batch` samples, each one network input (output), in
  // consecutive order: NCHW holds N images; a MatMul's [..., M, K] holds the
  // product of the leading dimensions of K-vectors.
  std::string input_name, output_name;
  std::vector<int64_t> input_dims, output_dims;
  int64_t batch = 1;
  bool output_dequantized = false;  // Integer: the graph ends in DequantizeLinear (outputs are real values)
};

// Imports a model file or serialized ModelProto bytes (`source` names it in errors).
OnnxImport import_onnx(const std::string& path, const OnnxImportOptions& options = {});
OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& source,
                             const OnnxImportOptions& options = {});

}  // namespace cimvp
