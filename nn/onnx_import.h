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
  // Values for graph inputs that are not initializers, by input name (the
  // ONNX backend node tests pass weights and scales as graph inputs). They
  // are treated as constants; the one graph input left unbound is the data.
  std::map<std::string, OnnxTensor> bind;
  std::string name;  // the model's name; default: the graph's name, else the file stem
};

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

// One ONNX backend node test (a directory with model.onnx and
// test_data_set_N/{input,output}_*.pb): the first graph input is the data,
// the others (weights, scales, zero points) are bound as constants. Only for
// integer models. Everything the compiler and the VP need to run it:
struct OnnxTestCase {
  std::string name;                             // the directory name, e.g. "test_qlinearconv"
  OnnxImport model;                             // model.network is the QuantizedNetwork
  std::vector<std::vector<int8_t>> inputs;      // per sample: the input tensor's bytes (CHW; uint8 stored as its bits)
  std::vector<std::vector<int32_t>> expected;   // per sample: the expected output tensor (CHW), as integers
};
OnnxTestCase load_onnx_test_case(const std::string& dir, int data_set = 0);

// Where Debian's libonnx-testdata keeps the node tests, and the test
// directories of the integer operators there (QLinearConv, QLinearMatMul,
// ConvInteger, MatMulInteger), sorted; empty if the package is missing.
std::string onnx_node_test_root();
std::vector<std::string> onnx_integer_node_tests();

}  // namespace cimvp
