#include "nn/onnx_import.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "nn/onnx_common.h"
#include "nn/onnx_import_internal.h"

namespace cimvp {

// ------------------------------------------------------------ tensors

int64_t OnnxTensor::size() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

const char* onnx_kind_name(OnnxModelKind k) {
  switch (k) {
    case OnnxModelKind::Float: return "float";
    case OnnxModelKind::Qdq: return "qdq";
    case OnnxModelKind::Integer: return "integer";
  }
  return "unknown";
}

namespace {

template <typename T>
void append_raw(const std::string& raw, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));  // little-endian, as ONNX stores raw data
    out.push_back(double(v));
  }
}

size_t element_bytes(int type) {
  switch (type) {
    case onnx_::TensorProto::FLOAT: case onnx_::TensorProto::INT32: case onnx_::TensorProto::UINT32: return 4;
    case onnx_::TensorProto::UINT8: case onnx_::TensorProto::INT8: case onnx_::TensorProto::BOOL: return 1;
    case onnx_::TensorProto::INT16: case onnx_::TensorProto::UINT16: return 2;
    case onnx_::TensorProto::INT64: case onnx_::TensorProto::UINT64: case onnx_::TensorProto::DOUBLE: return 8;
    default: return 0;
  }
}

}  // namespace

OnnxTensor tensor_from_proto(const onnx_::TensorProto& t, const std::string& where) {
  OnnxTensor out;
  out.name = t.name();
  out.data_type = t.data_type();
  for (int64_t d : t.dims()) {
    if (d < 0) throw Error(where + ": tensor '" + t.name() + "' has a negative dimension");
    out.dims.push_back(d);
  }
  if (t.data_location() == onnx_::TensorProto::EXTERNAL)
    throw Error(where + ": tensor '" + t.name() + "' keeps its data in an external file (not supported)");
  const size_t eb = element_bytes(t.data_type());
  if (eb == 0)
    throw Error(where + ": tensor '" + t.name() + "' has the unsupported element type " +
                onnx_::TensorProto::DataType_Name(onnx_::TensorProto::DataType(t.data_type())) + " (" +
                std::to_string(t.data_type()) + ")");
  const int64_t n = out.size();
  if (t.has_raw_data()) {
    if (t.raw_data().size() != size_t(n) * eb)
      throw Error(where + ": tensor '" + t.name() + "' has " + std::to_string(t.raw_data().size()) +
                  " bytes of raw data, its shape needs " + std::to_string(size_t(n) * eb));
    switch (t.data_type()) {
      case onnx_::TensorProto::FLOAT: append_raw<float>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::UINT8: append_raw<uint8_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::INT8: append_raw<int8_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::BOOL: append_raw<uint8_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::INT16: append_raw<int16_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::UINT16: append_raw<uint16_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::INT32: append_raw<int32_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::UINT32: append_raw<uint32_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::INT64: append_raw<int64_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::UINT64: append_raw<uint64_t>(t.raw_data(), out.values); break;
      case onnx_::TensorProto::DOUBLE: append_raw<double>(t.raw_data(), out.values); break;
      default: break;
    }
  } else {
    switch (t.data_type()) {
      case onnx_::TensorProto::FLOAT: for (float v : t.float_data()) out.values.push_back(v); break;
      case onnx_::TensorProto::DOUBLE: for (double v : t.double_data()) out.values.push_back(v); break;
      case onnx_::TensorProto::INT64: for (int64_t v : t.int64_data()) out.values.push_back(double(v)); break;
      case onnx_::TensorProto::UINT32:
      case onnx_::TensorProto::UINT64: for (uint64_t v : t.uint64_data()) out.values.push_back(double(v)); break;
      default: for (int32_t v : t.int32_data()) out.values.push_back(v); break;  // the narrow integer types
    }
    if (int64_t(out.values.size()) != n)
      throw Error(where + ": tensor '" + t.name() + "' has " + std::to_string(out.values.size()) +
                  " values, its shape needs " + std::to_string(n));
  }
  return out;
}

OnnxTensor read_onnx_tensor(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open ONNX tensor file '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  onnx_::TensorProto t;
  if (!t.ParseFromString(ss.str())) throw Error(path + ": not a serialized ONNX TensorProto");
  return tensor_from_proto(t, path);
}

// ------------------------------------------------------------ the importer: what every model shares

OnnxImporter::Window OnnxImporter::window(const onnx_::NodeProto& n, int64_t kh, int64_t kw, bool is_pool) const {
  Window w;
  std::vector<int64_t> ks = attr_ints(n, "kernel_shape");
  if (ks.empty() && !is_pool) ks = {kh, kw};
  if (ks.size() != 2) fail(n, "needs a 2-D kernel_shape");
  if (!is_pool && (ks[0] != kh || ks[1] != kw)) fail(n, "kernel_shape disagrees with the weight's shape");
  w.kernel = int(ks[0]);
  w.kernel_w = int(ks[1]);
  std::vector<int64_t> st = attr_ints(n, "strides");
  if (!st.empty()) {
    if (st.size() != 2 || st[0] != st[1]) fail(n, "unsupported attribute strides: only equal strides are supported");
    w.stride = int(st[0]);
  }
  const std::vector<int64_t> dil = attr_ints(n, "dilations");
  if (!dil.empty()) {
    if (dil.size() != 2 || dil[0] != dil[1] || dil[0] < 1)
      fail(n, "unsupported attribute dilations: only the same dilation on both axes");
    if (dil[0] != 1 && n.op_type() == "AveragePool") fail(n, "unsupported attribute dilations: average pools only 1");
    w.dilation = int(dil[0]);
  }
  if (const auto* a = attr(n, "auto_pad")) {
    if (a->s() != "NOTSET" && a->s() != "VALID") fail(n, "unsupported attribute auto_pad = " + a->s());
  }
  std::vector<int64_t> pads = attr_ints(n, "pads");
  if (!pads.empty()) {  // [top, left, bottom, right]
    if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3])
      fail(n, "unsupported attribute pads: only the same padding at the top and bottom, and left and right");
    w.padding = int(pads[0]);
    w.padding_w = int(pads[1]);
  }
  w.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
  if (w.ceil_mode && n.op_type() != "MaxPool")
    fail(n, "unsupported attribute ceil_mode = 1 (cimvp supports it for MaxPool only)");
  if (attr_int(n, "storage_order", 0) != 0) fail(n, "unsupported attribute storage_order = 1");
  return w;
}

int OnnxImporter::conv_groups(const onnx_::NodeProto& n, const OnnxTensor& w, int in_channels) const {
  const int groups = int(attr_int(n, "group", 1));
  if (groups < 1 || in_channels % groups != 0 || w.dims[0] % groups != 0 || w.dims[1] * groups != in_channels)
    fail(n, "weight [" + std::to_string(w.dims[0]) + "][" + std::to_string(w.dims[1]) + "] in " +
                std::to_string(groups) + " groups does not match the input's " + std::to_string(in_channels) +
                " channels");
  return groups;
}

bool OnnxImporter::fold_constant(const onnx_::NodeProto& n) {
  const std::string& op = n.op_type();
  auto all_const = [&]() {
    for (const auto& in : n.input())
      if (!in.empty() && !is_const(in)) return false;
    return true;
  };
  if (op == "Constant") {
    allow_attrs(n, {"value"});
    const auto* a = attr(n, "value");
    if (!a) fail(n, "unsupported Constant without a tensor 'value'");
    OnnxTensor t = tensor_from_proto(a->t(), source_);
    t.name = n.output(0);
    consts_[n.output(0)] = std::move(t);
    return true;
  }
  if (!all_const() || n.input_size() == 0) return false;
  if (op == "Identity") {
    OnnxTensor t = consts_.at(n.input(0));
    t.name = n.output(0);
    consts_[n.output(0)] = t;
    if (qinfo_.count(n.input(0))) qinfo_[n.output(0)] = qinfo_[n.input(0)];
    return true;
  }
  if (op == "Cast") {
    allow_attrs(n, {"to"});
    OnnxTensor t = consts_.at(n.input(0));
    t.name = n.output(0);
    t.data_type = int(attr_int(n, "to", 1));
    if (t.data_type == onnx_::TensorProto::FLOAT)
      for (double& v : t.values) v = double(float(v));
    consts_[n.output(0)] = t;
    return true;
  }
  if (op == "QuantizeLinear" || op == "DequantizeLinear" || op == "Clip" || op == "Quant") {
    // A weight's quantizer: folded, and remembered for the layer that reads it.
    return false;  // handled by float_node, which knows about the quantizer info
  }
  // Shape arithmetic (ShuffleNet's channel split: Shape, Gather, Add, Div,
  // Mul): small integer tensors, computed here.
  auto fold = [&](OnnxTensor t) {
    t.name = n.output(0);
    consts_[n.output(0)] = std::move(t);
    return true;
  };
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    allow_attrs(n, {});
    const OnnxTensor &a = consts_.at(n.input(0)), &b = consts_.at(n.input(1));
    if (a.size() != b.size() && a.size() != 1 && b.size() != 1) fail(n, "unsupported broadcast of constants");
    OnnxTensor t = a.size() >= b.size() ? a : b;
    const bool integer = a.data_type == onnx_::TensorProto::INT64 || a.data_type == onnx_::TensorProto::INT32;
    for (size_t i = 0; i < t.values.size(); ++i) {
      const double x = a.values[a.size() == 1 ? 0 : i], y = b.values[b.size() == 1 ? 0 : i];
      if (op == "Div" && y == 0) fail(n, "division by zero in constants");
      const double q = x / y;
      t.values[i] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : integer ? std::trunc(q) : q;
    }
    return fold(t);
  }
  if (op == "Gather") {
    allow_attrs(n, {"axis"});
    const OnnxTensor &data = consts_.at(n.input(0)), &idx = consts_.at(n.input(1));
    if (data.dims.size() != 1 || attr_int(n, "axis", 0) != 0) fail(n, "unsupported gather of constants (1-D only)");
    OnnxTensor t = data;
    t.dims = idx.dims;
    t.values.clear();
    for (double v : idx.values) {
      const int64_t k = int64_t(v) < 0 ? int64_t(v) + data.size() : int64_t(v);
      if (k < 0 || k >= data.size()) fail(n, "index " + std::to_string(int64_t(v)) + " out of range");
      t.values.push_back(data.values[size_t(k)]);
    }
    return fold(t);
  }
  if (op == "Unsqueeze" || op == "Squeeze") {  // of a scalar or a vector: the values do not move
    OnnxTensor t = consts_.at(n.input(0));
    t.dims = {t.size()};
    return fold(t);
  }
  if (op == "Concat") {
    allow_attrs(n, {"axis"});
    OnnxTensor t = consts_.at(n.input(0));
    t.values.clear();
    for (const auto& in : n.input()) {
      const OnnxTensor& part = consts_.at(in);
      if (part.dims.size() > 1) fail(n, "unsupported concatenation of constants (1-D only)");
      t.values.insert(t.values.end(), part.values.begin(), part.values.end());
    }
    t.dims = {int64_t(t.values.size())};
    return fold(t);
  }
  if (op == "Transpose") {  // of a matrix (old exporters' Linear: Gemm of the transposed weight)
    allow_attrs(n, {"perm"});
    const OnnxTensor& in = consts_.at(n.input(0));
    const std::vector<int64_t> perm = attr_ints(n, "perm");
    if (in.dims.size() != 2 || !(perm.empty() || perm == std::vector<int64_t>{1, 0}))
      fail(n, "unsupported transpose of constants: only of a matrix");
    OnnxTensor t = in;
    const int64_t rows = in.dims[0], cols = in.dims[1];
    t.dims = {cols, rows};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) t.values[size_t(c * rows + r)] = in.values[size_t(r * cols + c)];
    return fold(t);
  }
  fail(n, "unsupported operator on constants");
}

// ---------------------------------------------------------------- driver

namespace {

bool is_integer_op(const std::string& op) {
  return op == "QLinearConv" || op == "QLinearMatMul" || op == "ConvInteger" || op == "MatMulInteger";
}

}  // namespace

OnnxImport OnnxImporter::run() {
  try {
    onnx_::checker::check_model(model_);
  } catch (const std::exception& e) {
    throw Error(source_ + ": the ONNX checker rejects the model: " + e.what());
  }
  if (g_.output_size() != 1)
    throw Error(source_ + ": the graph has " + std::to_string(g_.output_size()) + " outputs, cimvp supports one");
  graph_.structure_only = opt_.structure_only;
  for (const auto& t : g_.initializer()) {
    int64_t n = 1;
    for (int64_t d : t.dims()) n *= d;
    if (opt_.structure_only && n > kStructureTensorLimit) {  // a weight: its shape is all a structure needs
      OnnxTensor& s = consts_[t.name()];
      s.name = t.name();
      s.data_type = t.data_type();
      s.dims.assign(t.dims().begin(), t.dims().end());
      continue;
    }
    consts_[t.name()] = tensor_from_proto(t, source_);
  }
  for (const auto& kv : model_.metadata_props()) {
    if (kv.key() != "cimvp.calibration") continue;
    std::istringstream in(kv.value());
    std::string line;
    while (std::getline(in, line)) {
      const size_t a = line.find('\t'), b = line.rfind('\t');
      if (a == std::string::npos || a == b) throw Error(source_ + ": malformed cimvp.calibration metadata");
      const std::string kind = line.substr(0, a), key = line.substr(a + 1, b - a - 1);
      const float v = std::strtof(line.c_str() + b + 1, nullptr);
      if (kind == "act_clip")
        meta_.act_clip[key] = v;
      else if (kind == "weight_scale")
        meta_.weight_scale[key] = v;
      else
        throw Error(source_ + ": malformed cimvp.calibration metadata");
    }
    has_meta_ = true;
  }
  for (const auto& [name, t] : opt_.bind) {
    OnnxTensor c = t;
    c.name = name;
    consts_[name] = c;
  }
  for (const auto& in : g_.input()) {
    if (consts_.count(in.name())) continue;
    if (!data_input_.empty())
      throw Error(source_ + ": the graph has more than one data input ('" + data_input_ + "', '" + in.name() +
                  "'); cimvp networks have one");
    data_input_ = in.name();
    if (!in.type().has_tensor_type()) throw Error(source_ + ": input '" + in.name() + "' is not a tensor");
    data_type_ = in.type().tensor_type().elem_type();
    for (const auto& d : in.type().tensor_type().shape().dim())
      data_dims_.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  if (data_input_.empty()) throw Error(source_ + ": the graph has no data input");
  // The data's shape: [N, C, H, W] (N images) or [..., K] (rows of K features).
  auto bad_shape = [&]() {
    std::string s;
    for (int64_t d : data_dims_) s += (s.empty() ? "" : "x") + (d < 0 ? std::string("?") : std::to_string(d));
    return Error(source_ + ": input '" + data_input_ + "' has the unsupported shape [" + s +
                 "] (expected [N, C, H, W] or [..., features])");
  };
  if (data_dims_.size() == 4) {
    for (size_t k = 1; k < 4; ++k)
      if (data_dims_[k] <= 0) throw bad_shape();
    batch_ = data_dims_[0] > 0 ? data_dims_[0] : 1;
    data_shape_ = {int(data_dims_[1]), int(data_dims_[2]), int(data_dims_[3])};
  } else if (data_dims_.size() >= 1 && data_dims_.back() > 0) {
    batch_ = 1;
    for (size_t k = 0; k + 1 < data_dims_.size(); ++k) batch_ *= data_dims_[k] > 0 ? data_dims_[k] : 1;
    data_shape_ = {int(data_dims_.back()), 1, 1};
  } else {
    throw bad_shape();
  }

  bool integer = false;
  for (const auto& n : g_.node()) integer = integer || is_integer_op(n.op_type());
  std::string name = opt_.name.empty() ? g_.name() : opt_.name;

  OnnxImport r;
  if (integer) {
    net_.name = name;
    for (const auto& n : g_.node()) {
      if (fold_constant(n)) continue;
      integer_node(n);
    }
    auto it = iacts_.find(g_.output(0).name());
    if (it == iacts_.end() || net_.ops.empty())
      throw Error(source_ + ": graph output '" + g_.output(0).name() + "' is not computed by the graph");
    net_.output = it->second.tensor;
    if (net_.output != net_.ops.back().output)
      throw Error(source_ + ": graph output '" + g_.output(0).name() + "' is not the last value computed");
    for (size_t i = 0; i + 1 < net_.ops.size(); ++i)
      if (net_.tensors[size_t(net_.ops[i].output)].bits == 32)
        throw Error(source_ + ": '" + net_.ops[i].name + "' produces int32 values that other operators read");
    r.kind = OnnxModelKind::Integer;
    r.network = std::move(net_);
    r.model.graph.name = name;
    r.output_dequantized = output_dequantized_;
  } else {
    if (data_type_ != onnx_::TensorProto::FLOAT)
      throw Error(source_ + ": input '" + data_input_ + "' of a float model must be float32");
    graph_.name = name;
    acts_[data_input_] = Act{graph_.add_input(data_input_, data_shape_)};
    for (const auto& n : g_.node()) {
      if (fold_constant(n)) continue;
      try {
        float_node(n);
      } catch (const Error& e) {
        const std::string m = e.what();
        if (m.rfind(source_ + ":", 0) == 0) throw;
        fail(n, m);  // a graph error (shape inference) names the node too
      }
    }
    r = finish_float();
  }
  r.input_name = data_input_;
  r.output_name = g_.output(0).name();
  r.input_dims = data_dims_;
  for (const auto& d : g_.output(0).type().tensor_type().shape().dim())
    r.output_dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  r.batch = batch_;
  return r;
}

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw Error(std::string("cannot open ") + what + " '" + path + "'");
  // One read into a string of the file's size: a stringstream copies it
  // twice (a second for vgg11's 531 MB).
  const std::streamoff size = f.tellg();
  std::string bytes(size > 0 ? size_t(size) : 0, '\0');
  f.seekg(0);
  if (size > 0 && !f.read(bytes.data(), size)) throw Error(std::string("cannot read ") + what + " '" + path + "'");
  return bytes;
}

std::string stem(const std::string& path) {
  std::string s = path.substr(path.find_last_of('/') + 1);
  const size_t dot = s.rfind('.');
  return dot == std::string::npos ? s : s.substr(0, dot);
}

}  // namespace

OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& source, const OnnxImportOptions& options) {
  onnx_::ModelProto m;
  if (bytes.empty()) throw Error(source + ": empty file, not an ONNX model");
  if (!m.ParseFromString(bytes)) throw Error(source + ": not an ONNX model (the protobuf does not parse)");
  if (!m.has_graph() || m.graph().node_size() == 0) throw Error(source + ": not an ONNX model (no graph nodes)");
  OnnxImportOptions opt = options;
  if (opt.name.empty() && m.graph().name().empty()) opt.name = stem(source);
  return OnnxImporter(m, source, opt).run();
}

OnnxImport import_onnx(const std::string& path, const OnnxImportOptions& options) {
  OnnxImportOptions opt = options;
  if (opt.name.empty()) opt.name = stem(path);
  return import_onnx_bytes(read_file(path, "ONNX model"), path, opt);
}

}  // namespace cimvp
