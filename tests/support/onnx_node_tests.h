// The ONNX project's backend node tests for the integer operators
// (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger), as Debian's
// libonnx-testdata ships them: a directory with model.onnx and
// test_data_set_N/{input,output}_*.pb. Loaded here for the conformance tests
// in tests/nn and tests/compiler; the importer sees them through its public
// API only (OnnxImportOptions::bind for the inputs that hold weights).
#pragma once

#include <dirent.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "nn/onnx_import.h"

namespace cimvp::test {

// One node test: the first graph input is the data, the others (weights,
// scales, zero points) are bound as constants. Only for integer models.
// Everything the compiler and the VP need to run it:
struct OnnxTestCase {
  std::string name;                            // the directory name, e.g. "test_qlinearconv"
  OnnxImport model;                            // model.network is the QuantizedNetwork
  std::vector<std::vector<int8_t>> inputs;     // per sample: the input tensor's bytes (CHW; uint8 stored as its bits)
  std::vector<std::vector<int32_t>> expected;  // per sample: the expected output tensor (CHW), as integers
};

inline OnnxTestCase load_onnx_test_case(const std::string& dir, int data_set = 0) {
  OnnxTestCase tc;
  tc.name = dir.substr(dir.find_last_of('/', dir.size() - 2) + 1);
  if (!tc.name.empty() && tc.name.back() == '/') tc.name.pop_back();
  const std::string model_path = dir + "/model.onnx";
  const std::string data = dir + "/test_data_set_" + std::to_string(data_set) + "/";
  // The graph's inputs are read here (only their names and order), before the import binds them.
  std::ifstream f(model_path, std::ios::binary);
  if (!f) throw Error("cannot open ONNX model '" + model_path + "'");
  std::stringstream bytes;
  bytes << f.rdbuf();
  ONNX_NAMESPACE::ModelProto m;
  if (!m.ParseFromString(bytes.str())) throw Error(model_path + ": not an ONNX model (the protobuf does not parse)");
  // Inputs in graph order: the first is the data, the others are bound as constants.
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  OnnxImportOptions opt;
  opt.name = tc.name;
  OnnxTensor x;
  int k = 0;
  for (const auto& in : m.graph().input()) {
    if (inits.count(in.name())) continue;
    OnnxTensor t = read_onnx_tensor(data + "input_" + std::to_string(k) + ".pb");
    if (k++ == 0)
      x = std::move(t);
    else
      opt.bind[in.name()] = std::move(t);
  }
  tc.model = import_onnx(model_path, opt);
  if (tc.model.kind != OnnxModelKind::Integer)
    throw Error(model_path + ": not an integer model (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger)");
  const QuantizedNetwork& q = tc.model.network;
  const OnnxTensor y = read_onnx_tensor(data + "output_0.pb");
  const int64_t in_size = q.input_tensor().shape.size(), out_size = q.output_tensor().shape.size();
  if (x.size() != tc.model.batch * in_size || y.size() != tc.model.batch * out_size)
    throw Error(dir + ": the test data's sizes do not match the model (" + std::to_string(x.size()) + " inputs, " +
                std::to_string(y.size()) + " outputs for " + std::to_string(tc.model.batch) + " samples)");
  for (int64_t s = 0; s < tc.model.batch; ++s) {
    std::vector<int8_t> in(static_cast<size_t>(in_size));
    for (int64_t j = 0; j < in_size; ++j) in[size_t(j)] = int8_t(uint8_t(int32_t(x.values[size_t(s * in_size + j)])));
    std::vector<int32_t> out(static_cast<size_t>(out_size));
    for (int64_t j = 0; j < out_size; ++j) out[size_t(j)] = int32_t(y.values[size_t(s * out_size + j)]);
    tc.inputs.push_back(std::move(in));
    tc.expected.push_back(std::move(out));
  }
  return tc;
}

// Where Debian's libonnx-testdata keeps the node tests.
inline std::string onnx_node_test_root() { return "/usr/share/libonnx-testdata/data/node"; }

// The test directories of the four integer operators there, sorted; empty if
// the package is missing.
inline std::vector<std::string> onnx_integer_node_tests() {
  std::vector<std::string> out;
  DIR* d = opendir(onnx_node_test_root().c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    for (const char* k : {"qlinearconv", "qlinearmatmul", "convinteger", "matmulinteger"})
      if (n.rfind("test_", 0) == 0 && n.find(k) != std::string::npos) {
        out.push_back(onnx_node_test_root() + "/" + n);
        break;
      }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cimvp::test
