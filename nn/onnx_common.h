// Internal to nn/onnx_import.cpp and nn/onnx_export.cpp: the parts that need
// the ONNX protobuf headers (which cimvp's public headers do not include).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "nn/onnx_import.h"

namespace cimvp {

// A TensorProto as an OnnxTensor; `where` names the file in errors.
OnnxTensor tensor_from_proto(const ONNX_NAMESPACE::TensorProto& t, const std::string& where);

}  // namespace cimvp
