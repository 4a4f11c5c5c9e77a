#include "nn/onnx_import.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/error.h"
#include "nn/onnx_common.h"

namespace cimvp {

namespace onnx_ = ONNX_NAMESPACE;

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

// ------------------------------------------------------------ the importer

namespace {

bool is_integer_op(const std::string& op) {
  return op == "QLinearConv" || op == "QLinearMatMul" || op == "ConvInteger" || op == "MatMulInteger";
}

// An integer range produced by a quantizer: QuantizeLinear's type, narrowed by Clip.
struct QInfo {
  double scale = 1;   // float32 value, widened
  int32_t zp = 0;
  int32_t lo = -128, hi = 127;
  int bits() const {
    if (lo < 0) {
      for (int b = 1; b <= 16; ++b)
        if (lo >= qmin(b, true) && hi <= qmax(b, true)) return b;
    } else {
      for (int b = 1; b <= 16; ++b)
        if (hi <= qmax(b, false)) return b;
    }
    return 32;
  }
  bool is_signed() const { return lo < 0; }
};

int32_t type_lo(int t) { return t == onnx_::TensorProto::INT8 ? -128 : 0; }
int32_t type_hi(int t) { return t == onnx_::TensorProto::INT8 ? 127 : 255; }

// Round half to even, as ONNX's QuantizeLinear (std::nearbyint in the default mode).
double round_even(double x) { return std::nearbyint(x); }

class Importer {
 public:
  Importer(const onnx_::ModelProto& m, std::string source, const OnnxImportOptions& opt)
      : model_(m), g_(m.graph()), source_(std::move(source)), opt_(opt) {}

  OnnxImport run();

 private:
  // ---- common
  [[noreturn]] void fail(const onnx_::NodeProto& n, const std::string& what) const {
    throw Error(source_ + ": " + n.op_type() + " node '" + node_name(n) + "': " + what);
  }
  std::string node_name(const onnx_::NodeProto& n) const {
    if (!n.name().empty()) return n.name();
    return n.output_size() ? n.output(0) : n.op_type();
  }
  // Attribute access; every attribute a node has must be claimed by the converter.
  const onnx_::AttributeProto* attr(const onnx_::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  void allow_attrs(const onnx_::NodeProto& n, std::initializer_list<const char*> names) const {
    for (const auto& a : n.attribute()) {
      bool ok = false;
      for (const char* k : names) ok = ok || a.name() == k;
      if (!ok) fail(n, "unsupported attribute '" + a.name() + "'");
    }
  }
  int64_t attr_int(const onnx_::NodeProto& n, const std::string& name, int64_t def) const {
    const auto* a = attr(n, name);
    return a ? a->i() : def;
  }
  float attr_float(const onnx_::NodeProto& n, const std::string& name, float def) const {
    const auto* a = attr(n, name);
    return a ? a->f() : def;
  }
  std::vector<int64_t> attr_ints(const onnx_::NodeProto& n, const std::string& name) const {
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  }
  bool has_input(const onnx_::NodeProto& n, int i) const { return n.input_size() > i && !n.input(i).empty(); }
  // A layer's weight: in a model cimvp exported (with its calibration in the
  // metadata), the float weights before their quantizer, so that quantize()
  // finds exactly the weights (and weight scales) it had; else the
  // dequantized weights.
  const OnnxTensor& weight(const onnx_::NodeProto& n, int i, const char* what) const {
    const OnnxTensor& t = constant(n, i, what);
    if (!has_meta_) return t;
    auto it = raw_.find(n.input(i));
    return it == raw_.end() ? t : consts_.at(it->second);
  }
  bool is_const(const std::string& name) const { return consts_.count(name) != 0; }
  const OnnxTensor& constant(const onnx_::NodeProto& n, int i, const char* what) const {
    if (!has_input(n, i)) fail(n, std::string("input ") + what + " is missing");
    auto it = consts_.find(n.input(i));
    if (it == consts_.end())
      fail(n, std::string("input ") + what + " ('" + n.input(i) + "') must be a constant (an initializer)");
    return it->second;
  }
  double scalar(const onnx_::NodeProto& n, int i, const char* what) const {
    const OnnxTensor& t = constant(n, i, what);
    if (t.values.empty()) fail(n, std::string(what) + " is empty");
    for (double v : t.values)
      if (v != t.values[0]) fail(n, std::string(what) + " differs per channel (only per-tensor values are supported)");
    return t.values[0];
  }

  // Window attributes of Conv/QLinearConv/ConvInteger/pools: square, symmetric.
  struct Window {
    int kernel = 0, stride = 1, padding = 0;
  };
  Window window(const onnx_::NodeProto& n, int64_t weight_kh, int64_t weight_kw, bool is_pool) const;

  // Constant folding for the few ops exporters leave on constants.
  bool fold_constant(const onnx_::NodeProto& n);

  // ---- float / QDQ graphs
  struct Act {
    int node = -1;
  };
  void float_node(const onnx_::NodeProto& n);
  Act act(const onnx_::NodeProto& n, int i) const {
    if (!has_input(n, i)) fail(n, "input " + std::to_string(i) + " is missing");
    auto it = acts_.find(n.input(i));
    if (it == acts_.end()) fail(n, "input '" + n.input(i) + "' is not computed by a supported operator");
    return it->second;
  }
  std::string new_name(const onnx_::NodeProto& n) {
    std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(graph_.nodes.size()) : n.name();
    std::string nm = base;
    for (int k = 1; graph_.find(nm) >= 0; ++k) nm = base + "_" + std::to_string(k);
    return nm;
  }
  void set_output(const onnx_::NodeProto& n, int node) { acts_[n.output(0)] = Act{node}; }
  // MaxPool, Flatten, Reshape (and ReLU of unsigned values) stay in their input's quantized domain.
  void keep_quantizer(const onnx_::NodeProto& n, bool only_unsigned = false) {
    auto it = qinfo_.find(n.input(0));
    if (it != qinfo_.end() && (!only_unsigned || !it->second.is_signed())) qinfo_[n.output(0)] = it->second;
  }
  OnnxImport finish_float();

  // ---- integer graphs
  struct IAct {
    int tensor = -1;
  };
  void integer_node(const onnx_::NodeProto& n);
  int integer_input(const onnx_::NodeProto& n, int i, double scale, int32_t zp, int type);
  int new_input(const std::string& name, double scale, int32_t zp, int type);
  QOp& add_layer(const onnx_::NodeProto& n, QOpKind kind, int in, std::vector<int32_t> w_eff, int out_ch,
                 const Window& win, const std::vector<double>& bias_int);

  const onnx_::ModelProto& model_;
  const onnx_::GraphProto& g_;
  std::string source_;
  const OnnxImportOptions& opt_;

  std::map<std::string, OnnxTensor> consts_;
  std::map<std::string, QInfo> qinfo_;  // tensor name -> the quantizer that produced it (Q, Clip, DQ outputs)
  std::string data_input_;
  std::vector<int64_t> data_dims_;
  int data_type_ = 1;
  int64_t batch_ = 1;
  Shape data_shape_;

  // float / QDQ
  Graph graph_;
  std::map<std::string, Act> acts_;
  std::map<int, QInfo> domain_q_;            // graph node -> the quantizer of its output (the widest)
  std::map<int, QInfo> layer_w_, layer_a_;   // layer node -> weight / input quantizer
  bool saw_qdq_ = false;
  std::map<std::string, std::string> raw_;  // quantized constant -> the float constant it came from
  bool has_meta_ = false;                   // the model carries cimvp's exact calibration
  Calibration meta_;

  // integer
  QuantizedNetwork net_;
  std::map<std::string, IAct> iacts_;
  bool output_dequantized_ = false;
};

Importer::Window Importer::window(const onnx_::NodeProto& n, int64_t kh, int64_t kw, bool is_pool) const {
  Window w;
  std::vector<int64_t> ks = attr_ints(n, "kernel_shape");
  if (ks.empty() && !is_pool) ks = {kh, kw};
  if (ks.size() != 2) fail(n, "needs a 2-D kernel_shape");
  if (!is_pool && (ks[0] != kh || ks[1] != kw)) fail(n, "kernel_shape disagrees with the weight's shape");
  if (ks[0] != ks[1]) fail(n, "unsupported non-square kernel " + std::to_string(ks[0]) + "x" + std::to_string(ks[1]));
  w.kernel = int(ks[0]);
  std::vector<int64_t> st = attr_ints(n, "strides");
  if (!st.empty()) {
    if (st.size() != 2 || st[0] != st[1]) fail(n, "unsupported attribute strides: only equal strides are supported");
    w.stride = int(st[0]);
  }
  for (int64_t d : attr_ints(n, "dilations"))
    if (d != 1) fail(n, "unsupported attribute dilations: only 1 is supported");
  if (const auto* a = attr(n, "auto_pad")) {
    if (a->s() != "NOTSET" && a->s() != "VALID") fail(n, "unsupported attribute auto_pad = " + a->s());
  }
  std::vector<int64_t> pads = attr_ints(n, "pads");
  if (!pads.empty()) {
    if (pads.size() != 4 || std::any_of(pads.begin(), pads.end(), [&](int64_t p) { return p != pads[0]; }))
      fail(n, "unsupported attribute pads: only the same padding on every side is supported");
    w.padding = int(pads[0]);
  }
  if (attr_int(n, "group", 1) != 1) fail(n, "unsupported attribute group: only group = 1 is supported");
  if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "unsupported attribute ceil_mode = 1");
  if (attr_int(n, "storage_order", 0) != 0) fail(n, "unsupported attribute storage_order = 1");
  return w;
}

bool Importer::fold_constant(const onnx_::NodeProto& n) {
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
  fail(n, "unsupported operator on constants");
}

// ---------------------------------------------------------------- float / QDQ

void Importer::float_node(const onnx_::NodeProto& n) {
  const std::string& op = n.op_type();
  const std::string name = new_name(n);
  auto need_outputs = [&](int k) {
    if (n.output_size() < k) fail(n, "has too few outputs");
    for (int i = k; i < n.output_size(); ++i)
      if (!n.output(i).empty()) fail(n, "unsupported optional output '" + n.output(i) + "'");
  };
  need_outputs(1);

  if (op == "QuantizeLinear" || op == "DequantizeLinear") {
    allow_attrs(n, {"axis"});
    saw_qdq_ = true;
    const OnnxTensor& s = constant(n, 1, "scale");
    std::vector<double> zp(s.values.size(), 0.0);
    int zp_type = onnx_::TensorProto::UINT8;
    if (has_input(n, 2)) {
      const OnnxTensor& z = constant(n, 2, "zero_point");
      zp_type = z.data_type;
      if (z.values.size() != s.values.size()) fail(n, "scale and zero_point differ in size");
      zp = z.values;
    }
    if (zp_type != onnx_::TensorProto::UINT8 && zp_type != onnx_::TensorProto::INT8 &&
        !(op == "DequantizeLinear" && zp_type == onnx_::TensorProto::INT32))
      fail(n, "unsupported zero point type " + std::to_string(zp_type));
    const std::string& x = n.input(0);
    if (is_const(x)) {  // a weight (or bias): fold it, remember the quantizer
      const OnnxTensor& t = consts_.at(x);
      const int64_t axis_len = s.values.size() > 1 ? int64_t(s.values.size()) : 1;
      int64_t axis = attr_int(n, "axis", 1);
      if (axis < 0) axis += int64_t(t.dims.size());
      int64_t inner = 1;
      if (axis_len > 1) {
        if (axis < 0 || axis >= int64_t(t.dims.size()) || t.dims[size_t(axis)] != axis_len)
          fail(n, "per-axis scale does not match the tensor's axis " + std::to_string(axis));
        for (size_t d = size_t(axis) + 1; d < t.dims.size(); ++d) inner *= t.dims[d];
      }
      OnnxTensor r = t;
      r.name = n.output(0);
      QInfo qi;
      qi.scale = *std::max_element(s.values.begin(), s.values.end());  // per channel: the largest (no clipping)
      qi.zp = int32_t(zp[0]);
      if (op == "QuantizeLinear") {
        r.data_type = zp_type;
        qi.lo = type_lo(zp_type);
        qi.hi = type_hi(zp_type);
        for (size_t j = 0; j < r.values.size(); ++j) {
          const size_t c = axis_len > 1 ? size_t((int64_t(j) / inner) % axis_len) : 0;
          const double q = round_even(double(float(t.values[j] / s.values[c]))) + zp[c];
          r.values[j] = std::clamp(q, double(qi.lo), double(qi.hi));
        }
      } else {
        if (qinfo_.count(x)) {
          qi.lo = qinfo_[x].lo;
          qi.hi = qinfo_[x].hi;
        } else if (t.data_type == onnx_::TensorProto::INT32) {
          qi.lo = INT32_MIN + 1;
          qi.hi = INT32_MAX;
        } else {
          qi.lo = type_lo(t.data_type);
          qi.hi = type_hi(t.data_type);
        }
        r.data_type = onnx_::TensorProto::FLOAT;
        for (size_t j = 0; j < r.values.size(); ++j) {
          const size_t c = axis_len > 1 ? size_t((int64_t(j) / inner) % axis_len) : 0;
          r.values[j] = double(float((t.values[j] - zp[c]) * s.values[c]));
        }
        for (double z : zp)
          if (z != 0 && t.data_type != onnx_::TensorProto::INT32 && r.values.size() > 1)
            fail(n, "asymmetric weights (zero point " + std::to_string(int(z)) +
                        ") are not supported in QDQ models: cimvp's weights are symmetric");
      }
      consts_[n.output(0)] = std::move(r);
      qinfo_[n.output(0)] = qi;
      if (op == "QuantizeLinear" && t.data_type == onnx_::TensorProto::FLOAT) raw_[n.output(0)] = x;
      else if (raw_.count(x)) raw_[n.output(0)] = raw_[x];
      return;
    }
    // An activation: the float graph is unchanged; the quantizer is recorded.
    const Act a = act(n, 0);
    if (s.values.size() != 1) fail(n, "per-axis quantization of activations is not supported");
    QInfo qi;
    if (op == "QuantizeLinear") {
      qi.scale = s.values[0];
      qi.zp = int32_t(zp[0]);
      qi.lo = type_lo(zp_type);
      qi.hi = type_hi(zp_type);
    } else {
      auto it = qinfo_.find(x);
      if (it == qinfo_.end()) fail(n, "dequantizes '" + x + "', which no QuantizeLinear produced");
      qi = it->second;
      if (float(qi.scale) != float(s.values[0]) || qi.zp != int32_t(zp[0]))
        fail(n, "its scale or zero point differs from the QuantizeLinear's");
      auto d = domain_q_.find(a.node);
      if (d == domain_q_.end() || d->second.bits() < qi.bits()) domain_q_[a.node] = qi;
    }
    acts_[n.output(0)] = a;
    qinfo_[n.output(0)] = qi;
    return;
  }
  if (op == "Clip") {
    allow_attrs(n, {"min", "max"});
    auto it = qinfo_.find(n.input(0));
    if (it == qinfo_.end()) fail(n, "a Clip is supported only between QuantizeLinear and DequantizeLinear");
    QInfo qi = it->second;
    double lo = attr_float(n, "min", -INFINITY), hi = attr_float(n, "max", INFINITY);
    if (has_input(n, 1)) lo = scalar(n, 1, "min");
    if (has_input(n, 2)) hi = scalar(n, 2, "max");
    qi.lo = int32_t(std::max<double>(qi.lo, std::ceil(lo)));
    qi.hi = int32_t(std::min<double>(qi.hi, std::floor(hi)));
    if (qi.lo > qi.hi) fail(n, "empty integer range");
    if (is_const(n.input(0))) {
      OnnxTensor r = consts_.at(n.input(0));
      r.name = n.output(0);
      for (double& v : r.values) v = std::clamp(v, double(qi.lo), double(qi.hi));
      consts_[n.output(0)] = std::move(r);
      if (raw_.count(n.input(0))) raw_[n.output(0)] = raw_[n.input(0)];
    } else {
      acts_[n.output(0)] = act(n, 0);
    }
    qinfo_[n.output(0)] = qi;
    return;
  }
  if (op == "Quant") {  // QONNX / Brevitas: quantize and dequantize in one node
    allow_attrs(n, {"signed", "narrow", "rounding_mode"});
    saw_qdq_ = true;
    if (const auto* a = attr(n, "rounding_mode"))
      if (a->s() != "ROUND") fail(n, "unsupported attribute rounding_mode = " + a->s());
    const double s = scalar(n, 1, "scale"), z = scalar(n, 2, "zero point"), b = scalar(n, 3, "bit width");
    if (b < 1 || b > 16 || b != std::floor(b)) fail(n, "bit width " + std::to_string(b) + " is not an integer in 1..16");
    const bool sgn = attr_int(n, "signed", 1) != 0, narrow = attr_int(n, "narrow", 0) != 0;
    QInfo qi;
    qi.scale = s;
    qi.zp = int32_t(z);
    qi.lo = qmin(int(b), sgn) + (narrow && sgn ? 1 : 0);
    qi.hi = qmax(int(b), sgn) - (narrow && !sgn ? 1 : 0);
    if (is_const(n.input(0))) {
      if (z != 0) fail(n, "asymmetric weights are not supported: cimvp's weights are symmetric");
      OnnxTensor r = consts_.at(n.input(0));
      r.name = n.output(0);
      for (double& v : r.values) v = s * std::clamp(round_even(v / s) + z, double(qi.lo), double(qi.hi)) - s * z;
      consts_[n.output(0)] = std::move(r);
    } else {
      const Act a = act(n, 0);
      auto d = domain_q_.find(a.node);
      if (d == domain_q_.end() || d->second.bits() < qi.bits()) domain_q_[a.node] = qi;
      acts_[n.output(0)] = a;
    }
    qinfo_[n.output(0)] = qi;
    return;
  }

  if (op == "Identity" || op == "Dropout") {
    allow_attrs(n, {"seed"});
    if (op == "Dropout" && has_input(n, 2)) fail(n, "unsupported training_mode input");
    acts_[n.output(0)] = act(n, 0);
    if (qinfo_.count(n.input(0))) qinfo_[n.output(0)] = qinfo_[n.input(0)];
    return;
  }

  auto weight_info = [&](int node, const std::string& wname, const std::string& xname) {
    if (qinfo_.count(wname)) layer_w_[node] = qinfo_[wname];
    if (qinfo_.count(xname)) layer_a_[node] = qinfo_[xname];
  };

  if (op == "Conv") {
    allow_attrs(n, {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    const Act x = act(n, 0);
    const OnnxTensor& w = weight(n, 1, "W");
    if (w.dims.size() != 4) fail(n, "weight must be 4-D [out][in][kh][kw]");
    const Window win = window(n, w.dims[2], w.dims[3], false);
    const int node = graph_.add_conv(name, x.node, int(w.dims[0]), win.kernel, win.stride, win.padding);
    Node& nd = graph_.nodes[size_t(node)];
    if (int64_t(nd.weight.size()) != w.size())
      fail(n, "weight shape does not match the input's " + std::to_string(graph_.nodes[size_t(x.node)].shape.c) +
                  " channels");
    for (size_t j = 0; j < nd.weight.size(); ++j) nd.weight[j] = float(w.values[j]);
    if (has_input(n, 2)) {
      const OnnxTensor& b = constant(n, 2, "B");
      if (b.size() != nd.out_channels) fail(n, "bias size differs from the output channels");
      for (size_t j = 0; j < nd.bias.size(); ++j) nd.bias[j] = float(b.values[j]);
    }
    weight_info(node, n.input(1), n.input(0));
    set_output(n, node);
    return;
  }
  if (op == "Gemm" || op == "MatMul") {
    if (op == "Gemm")
      allow_attrs(n, {"alpha", "beta", "transA", "transB"});
    else
      allow_attrs(n, {});
    if (attr_int(n, "transA", 0) != 0) fail(n, "unsupported attribute transA = 1");
    const Act x = act(n, 0);
    const OnnxTensor& w = weight(n, 1, "B");
    if (w.dims.size() != 2) fail(n, "the weight must be 2-D");
    const bool tb = attr_int(n, "transB", 0) != 0;
    const int64_t out = tb ? w.dims[0] : w.dims[1], in = tb ? w.dims[1] : w.dims[0];
    const Shape is = graph_.nodes[size_t(x.node)].shape;
    if (is.size() != in)
      fail(n, "the weight has " + std::to_string(in) + " inputs, its input tensor " + std::to_string(is.size()));
    if (is.h != 1 || is.w != 1)
      fail(n, "reads an unflattened " + is.str() + " tensor (Flatten or Reshape it first)");
    const int node = graph_.add_dense(name, x.node, int(out));
    Node& nd = graph_.nodes[size_t(node)];
    const float alpha = attr_float(n, "alpha", 1.f), beta = attr_float(n, "beta", 1.f);
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i)
        nd.weight[size_t(o * in + i)] = alpha * float(w.values[size_t(tb ? o * in + i : i * out + o)]);
    if (has_input(n, 2)) {
      const OnnxTensor& b = constant(n, 2, "C");
      if (b.size() != out && b.size() != 1) fail(n, "unsupported bias shape (must be [N] or [1, N])");
      for (int64_t o = 0; o < out; ++o) nd.bias[size_t(o)] = beta * float(b.values[size_t(b.size() == 1 ? 0 : o)]);
    }
    weight_info(node, n.input(1), n.input(0));
    set_output(n, node);
    return;
  }
  if (op == "Add") {
    allow_attrs(n, {});
    const bool c0 = is_const(n.input(0)), c1 = n.input_size() > 1 && is_const(n.input(1));
    if (c0 || c1) {  // a bias after MatMul (or Conv): folded into the layer
      const Act x = act(n, c0 ? 1 : 0);
      const OnnxTensor& b = consts_.at(n.input(c0 ? 0 : 1));
      Node& nd = graph_.nodes[size_t(x.node)];
      const bool last = x.node == graph_.output();
      if (!nd.quantizable() || !last)
        fail(n, "adding a constant is supported only as the bias of the Conv, Gemm or MatMul just before it");
      if (b.size() != nd.out_channels) fail(n, "the constant's size differs from the layer's outputs");
      for (int o = 0; o < nd.out_channels; ++o) nd.bias[size_t(o)] += float(b.values[size_t(o)]);
      set_output(n, x.node);
      return;
    }
    const Act a = act(n, 0), b = act(n, 1);
    set_output(n, graph_.add_add(name, a.node, b.node));
    return;
  }
  if (op == "Relu") {
    allow_attrs(n, {});
    set_output(n, graph_.add_relu(name, act(n, 0).node));
    keep_quantizer(n, true);
    return;
  }
  if (op == "MaxPool" || op == "AveragePool") {
    allow_attrs(n, {"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order",
                    "count_include_pad"});
    if (op == "MaxPool") need_outputs(1);
    const Window win = window(n, 0, 0, true);
    if (op == "AveragePool" && win.padding > 0 && attr_int(n, "count_include_pad", 0) == 0)
      fail(n, "unsupported attribute count_include_pad = 0 with padding (cimvp divides by k*k)");
    const int x = act(n, 0).node;
    set_output(n, op == "MaxPool" ? graph_.add_maxpool(name, x, win.kernel, win.stride, win.padding)
                                  : graph_.add_avgpool(name, x, win.kernel, win.stride, win.padding));
    if (op == "MaxPool") keep_quantizer(n);
    return;
  }
  if (op == "GlobalAveragePool") {
    allow_attrs(n, {});
    set_output(n, graph_.add_global_avgpool(name, act(n, 0).node));
    return;
  }
  if (op == "Flatten" || op == "Reshape") {
    allow_attrs(n, {"axis", "allowzero"});
    const Act x = act(n, 0);
    if (op == "Flatten" && attr_int(n, "axis", 1) != 1) fail(n, "unsupported attribute axis (only 1)");
    if (op == "Reshape") {
      const OnnxTensor& s = constant(n, 1, "shape");
      const Shape is = graph_.nodes[size_t(x.node)].shape;
      bool ok = s.values.size() == 2 && (s.values[0] == 1 || s.values[0] == -1 || s.values[0] == 0 ||
                                         s.values[0] == double(batch_));
      if (ok) ok = s.values[1] == -1 || s.values[1] == double(is.size());
      if (ok && s.values[0] == -1) ok = s.values[1] == double(is.size());
      if (!ok) fail(n, "unsupported target shape: only [batch, features] (a flatten) is supported");
    }
    const Shape is = graph_.nodes[size_t(x.node)].shape;
    set_output(n, is.h == 1 && is.w == 1 ? x.node : graph_.add_flatten(name, x.node));
    keep_quantizer(n);
    return;
  }
  if (op == "BatchNormalization") {
    allow_attrs(n, {"epsilon", "momentum", "training_mode", "spatial"});
    if (attr_int(n, "training_mode", 0) != 0) fail(n, "unsupported attribute training_mode = 1");
    if (attr_int(n, "spatial", 1) != 1) fail(n, "unsupported attribute spatial = 0");
    need_outputs(1);
    const int node = graph_.add_batchnorm(name, act(n, 0).node, attr_float(n, "epsilon", 1e-5f));
    Node& nd = graph_.nodes[size_t(node)];
    std::vector<float>* dst[4] = {&nd.weight, &nd.bias, &nd.mean, &nd.var};
    const char* what[4] = {"scale", "B", "mean", "var"};
    for (int k = 0; k < 4; ++k) {
      const OnnxTensor& t = constant(n, k + 1, what[k]);
      if (size_t(t.size()) != dst[k]->size()) fail(n, std::string(what[k]) + " size differs from the channels");
      for (size_t j = 0; j < dst[k]->size(); ++j) (*dst[k])[j] = float(t.values[j]);
    }
    set_output(n, node);
    return;
  }
  fail(n, "unsupported operator");
}

OnnxImport Importer::finish_float() {
  OnnxImport r;
  const std::string out_name = g_.output(0).name();
  auto it = acts_.find(out_name);
  if (it == acts_.end()) throw Error(source_ + ": graph output '" + out_name + "' is not computed by the graph");
  if (it->second.node != graph_.output())
    throw Error(source_ + ": graph output '" + out_name + "' is not the last value the graph computes");
  graph_.infer_shapes();
  r.model.graph = graph_;
  r.kind = saw_qdq_ ? OnnxModelKind::Qdq : OnnxModelKind::Float;
  if (!saw_qdq_) return r;

  // QDQ: the policy from the quantizers before each layer, the clips from the domains' quantizers.
  const std::vector<int> layers = graph_.quantizable_layers();
  Policy& p = r.model.policy;
  for (int l : layers) {
    auto w = layer_w_.find(l), a = layer_a_.find(l);
    const int wb = w == layer_w_.end() ? 8 : w->second.bits(), ab = a == layer_a_.end() ? 8 : a->second.bits();
    const std::string& nm = graph_.nodes[size_t(l)].name;
    if (wb < kMinBits || wb > kMaxBits || ab < kMinBits || ab > kMaxBits)
      throw Error(source_ + ": layer '" + nm + "': its quantizers give " + std::to_string(wb) + "-bit weights and " +
                  std::to_string(ab) + "-bit inputs; cimvp supports " + std::to_string(kMinBits) + ".." +
                  std::to_string(kMaxBits));
    p.weight_bits.push_back(wb);
    p.activation_bits.push_back(ab);
    if (w == layer_w_.end()) continue;
    if (has_meta_) {  // cimvp's own export: the exact scale, learned or computed from the weights
      auto m = meta_.weight_scale.find(nm);
      if (m != meta_.weight_scale.end() && float(m->second) == float(w->second.scale)) {
        r.model.calibration.weight_scale[nm] = m->second;
        continue;
      }
      if (m == meta_.weight_scale.end() &&
          float(weight_scale_for(graph_.nodes[size_t(l)], wb, Calibration{})) == float(w->second.scale))
        continue;
    }
    r.model.calibration.weight_scale[nm] = float(w->second.scale);
  }
  // BatchNorm folding keeps node names, so the plan of the folded graph names the same domains.
  const Graph folded = has_batch_norm(graph_) ? fold_batch_norm(graph_) : graph_;
  const ActivationPlan plan = plan_activations(folded, p);
  for (const ActDomain& d : plan.domains) {
    if (d.int32_output) continue;
    const QInfo* q = nullptr;
    for (const int k : {d.node, d.root}) {
      const int orig = graph_.find(folded.nodes[size_t(k)].name);
      if (orig >= 0 && domain_q_.count(orig)) {
        q = &domain_q_.at(orig);
        break;
      }
    }
    if (!q) continue;  // no quantizer: calibration has to choose this clip
    auto m = meta_.act_clip.find(d.name);
    if (has_meta_ && m != meta_.act_clip.end() && q->zp == 0 && q->bits() == d.bits &&
        float(double(m->second) / clip_level(d.bits, d.is_signed)) == float(q->scale)) {
      r.model.calibration.act_clip[d.name] = m->second;  // exact, and consistent with the QDQ scale
      continue;
    }
    double clip;
    if (q->zp == 0 && q->is_signed() == d.is_signed && q->bits() == d.bits)
      clip = q->scale * clip_level(d.bits, d.is_signed);  // the same grid
    else
      clip = std::max(std::fabs(q->scale * (q->lo - q->zp)), std::fabs(q->scale * (q->hi - q->zp)));
    r.model.calibration.act_clip[d.name] = float(clip);
  }
  return r;
}

// ---------------------------------------------------------------- integer

int Importer::integer_input(const onnx_::NodeProto& n, int i, double scale, int32_t zp, int type) {
  const std::string& x = n.input(i);
  auto it = iacts_.find(x);
  if (it != iacts_.end()) {
    const QTensor& t = net_.tensors[size_t(it->second.tensor)];
    if (t.bits == 32) fail(n, "reads the int32 tensor '" + x + "' (only the network output may be int32)");
    if (float(t.scale) != float(scale) || t.zero_point != zp)
      fail(n, "the scale or zero point of input '" + x + "' differs from its producer's");
    return it->second.tensor;
  }
  if (x != data_input_) fail(n, "input '" + x + "' is not computed by a supported operator");
  if (type != onnx_::TensorProto::UINT8 && type != onnx_::TensorProto::INT8)
    fail(n, "the data input must be uint8 or int8");
  if (data_type_ != type) fail(n, "the data input's type differs from the zero point's");
  return new_input(x, scale, zp, type);
}

int Importer::new_input(const std::string& x, double scale, int32_t zp, int type) {
  QTensor t;
  t.name = x;
  t.shape = data_shape_;
  t.bits = 8;
  t.is_signed = type == onnx_::TensorProto::INT8;
  t.scale = scale;
  t.zero_point = zp;
  net_.tensors.push_back(t);
  net_.input = int(net_.tensors.size()) - 1;
  iacts_[x] = IAct{net_.input};
  return net_.input;
}

QOp& Importer::add_layer(const onnx_::NodeProto& n, QOpKind kind, int in, std::vector<int32_t> w_eff, int out_ch,
                         const Window& win, const std::vector<double>& bias_int) {
  const QTensor& it = net_.tensors[size_t(in)];
  QOp op;
  op.kind = kind;
  op.name = node_name(n);
  op.inputs = {in};
  op.kernel = kind == QOpKind::Conv2d ? win.kernel : 1;
  op.stride = win.stride;
  op.padding = win.padding;
  op.layer = int(net_.layers.size());
  op.out_channels = out_ch;
  op.in_channels = kind == QOpKind::Conv2d ? it.shape.c : int(it.shape.size());
  const int64_t per_out = int64_t(w_eff.size()) / out_ch;
  if (per_out != int64_t(op.in_channels) * op.kernel * op.kernel)
    fail(n, "the weight's shape does not match the input (" + it.shape.str() + ")");
  int32_t lo = 0, hi = 0;
  for (int32_t v : w_eff) lo = std::min(lo, v), hi = std::max(hi, v);
  op.weight_bits = 1;
  while (lo < qmin(op.weight_bits, true) || hi > qmax(op.weight_bits, true)) ++op.weight_bits;
  op.activation_bits = it.bits;
  op.input_signed = it.is_signed;
  op.weight.assign(w_eff.begin(), w_eff.end());
  // The input zero point folds into the bias: sum w (x - zp) = sum w x - zp sum w
  // (padded positions read zp, so they add w*zp - w*zp = 0).
  const int64_t in_abs = std::max<int64_t>(-int64_t(it.lo()), it.hi());
  op.bias.resize(size_t(out_ch));
  for (int o = 0; o < out_ch; ++o) {
    int64_t sum = 0, abs_sum = 0;
    for (int64_t j = 0; j < per_out; ++j) {
      sum += w_eff[size_t(o * per_out + j)];
      abs_sum += std::abs(int64_t(w_eff[size_t(o * per_out + j)]));
    }
    const double b = (bias_int.empty() ? 0.0 : bias_int[size_t(o)]) - double(it.zero_point) * double(sum);
    const double bound = double(abs_sum) * double(in_abs) + std::fabs(b);
    if (!(bound < 2147483647.0))
      fail(n, "output channel " + std::to_string(o) + " can overflow the int32 accumulator");
    op.bias[size_t(o)] = int32_t(b);
  }
  net_.policy.weight_bits.push_back(op.weight_bits);
  net_.policy.activation_bits.push_back(op.activation_bits);
  net_.layers.push_back(int(net_.ops.size()));
  net_.ops.push_back(std::move(op));
  return net_.ops.back();
}

void Importer::integer_node(const onnx_::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.output_size() != 1) fail(n, "must have exactly one output");
  auto type_of_zp = [&](int i, int def) { return has_input(n, i) ? constant(n, i, "zero point").data_type : def; };
  auto zp_values = [&](int i, size_t count, const char* what) {
    std::vector<int32_t> z(count, 0);
    if (!has_input(n, i)) return z;
    const OnnxTensor& t = constant(n, i, what);
    if (t.values.size() == 1)
      std::fill(z.begin(), z.end(), int32_t(t.values[0]));
    else if (t.values.size() == count)
      for (size_t k = 0; k < count; ++k) z[k] = int32_t(t.values[k]);
    else
      fail(n, std::string(what) + " has " + std::to_string(t.values.size()) + " values, expected 1 or " +
                  std::to_string(count));
    return z;
  };
  auto new_out = [&](const QOp& layer_or_none, Shape shape, int bits, bool sgn, double scale, int32_t zp) {
    (void)layer_or_none;
    QTensor t;
    t.name = n.output(0);
    t.shape = shape;
    t.bits = bits;
    t.is_signed = sgn;
    t.scale = scale;
    t.zero_point = zp;
    net_.tensors.push_back(t);
    const int idx = int(net_.tensors.size()) - 1;
    iacts_[n.output(0)] = IAct{idx};
    return idx;
  };

  if (op == "QLinearConv" || op == "ConvInteger") {
    const bool ql = op == "QLinearConv";
    allow_attrs(n, {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    const int wi = ql ? 3 : 1;
    const OnnxTensor& w = constant(n, wi, "w");
    if (w.dims.size() != 4) fail(n, "weight must be 4-D [out][in][kh][kw]");
    const int out_ch = int(w.dims[0]);
    const double xs = ql ? scalar(n, 1, "x_scale") : 1.0;
    const int xt = ql ? type_of_zp(2, onnx_::TensorProto::UINT8) : type_of_zp(2, data_type_);
    const int32_t xzp = zp_values(ql ? 2 : 2, 1, "x_zero_point")[0];
    const int in = integer_input(n, 0, xs, xzp, xt);
    const std::vector<int32_t> wzp = zp_values(ql ? 5 : 3, size_t(out_ch), "w_zero_point");
    const Window win = window(n, w.dims[2], w.dims[3], false);
    std::vector<int32_t> w_eff(w.values.size());
    const int64_t per_out = w.size() / std::max<int64_t>(1, out_ch);
    for (size_t j = 0; j < w_eff.size(); ++j) w_eff[j] = int32_t(w.values[j]) - wzp[size_t(int64_t(j) / per_out)];
    std::vector<double> bias;
    if (ql && has_input(n, 8)) {
      const OnnxTensor& b = constant(n, 8, "B");
      if (b.size() != out_ch) fail(n, "bias size differs from the output channels");
      bias = b.values;
    }
    const QTensor itn = net_.tensors[size_t(in)];
    const Shape is = itn.shape;
    const int ho = (is.h + 2 * win.padding - win.kernel) / win.stride + 1;
    const int wo = (is.w + 2 * win.padding - win.kernel) / win.stride + 1;
    if (is.h + 2 * win.padding < win.kernel || is.w + 2 * win.padding < win.kernel)
      fail(n, "the kernel does not fit the input " + is.str());
    QOp& l = add_layer(n, QOpKind::Conv2d, in, std::move(w_eff), out_ch, win, bias);
    if (ql) {
      const double ws = scalar(n, 4, "w_scale"), ys = scalar(n, 6, "y_scale");
      const int yt = type_of_zp(7, onnx_::TensorProto::UINT8);
      const int32_t yzp = zp_values(7, 1, "y_zero_point")[0];
      // ONNX computes the multiplier in float32: x_scale * w_scale / y_scale.
      const float m = float(xs) * float(ws) / float(ys);
      l.weight_scale = ws;
      l.acc_scale = xs * ws;
      l.output = new_out(l, {out_ch, ho, wo}, 8, yt == onnx_::TensorProto::INT8, ys, yzp);
      const QTensor& ot = net_.tensors[size_t(l.output)];
      const QuantMultiplier qm = quantize_multiplier(double(m));
      l.requant = Requant{qm.multiplier, qm.shift, yzp, ot.lo(), ot.hi(), double(m), Rounding::HalfEven};
    } else {
      l.requantize = false;
      l.weight_scale = 1;
      l.acc_scale = 1;
      l.output = new_out(l, {out_ch, ho, wo}, 32, true, 1.0, 0);
    }
    return;
  }
  if (op == "QLinearMatMul" || op == "MatMulInteger") {
    const bool ql = op == "QLinearMatMul";
    allow_attrs(n, {});
    const int bi = ql ? 3 : 1;
    const OnnxTensor& b = constant(n, bi, "B");
    if (b.dims.size() < 2) fail(n, "B must have at least 2 dimensions");
    const int64_t K = b.dims[b.dims.size() - 2], N = b.dims.back();
    for (int64_t rep = 1; rep < b.size() / (K * N); ++rep)  // batched B: every batch must hold the same matrix
      for (int64_t j = 0; j < K * N; ++j)
        if (b.values[size_t(rep * K * N + j)] != b.values[size_t(j)])
          fail(n, "a batched B whose matrices differ per batch is not supported (weights are shared)");
    const double as = ql ? scalar(n, 1, "a_scale") : 1.0;
    const int at = ql ? type_of_zp(2, onnx_::TensorProto::UINT8) : type_of_zp(2, data_type_);
    const int32_t azp = zp_values(2, 1, "a_zero_point")[0];
    const int in = integer_input(n, 0, as, azp, at);
    if (net_.tensors[size_t(in)].shape.size() != K)
      fail(n, "A has " + std::to_string(net_.tensors[size_t(in)].shape.size()) + " features per row, B has " +
                  std::to_string(K) + " rows");
    const std::vector<int32_t> bzp = zp_values(ql ? 5 : 3, size_t(N), "b_zero_point");
    std::vector<int32_t> w_eff(size_t(K * N));
    for (int64_t o = 0; o < N; ++o)
      for (int64_t k = 0; k < K; ++k) w_eff[size_t(o * K + k)] = int32_t(b.values[size_t(k * N + o)]) - bzp[size_t(o)];
    QOp& l = add_layer(n, QOpKind::Dense, in, std::move(w_eff), int(N), Window{1, 1, 0}, {});
    if (ql) {
      const double bs = scalar(n, 4, "b_scale"), ys = scalar(n, 6, "y_scale");
      const int yt = type_of_zp(7, onnx_::TensorProto::UINT8);
      const int32_t yzp = zp_values(7, 1, "y_zero_point")[0];
      const float m = float(as) * float(bs) / float(ys);
      l.weight_scale = bs;
      l.acc_scale = as * bs;
      l.output = new_out(l, {int(N), 1, 1}, 8, yt == onnx_::TensorProto::INT8, ys, yzp);
      const QTensor& ot = net_.tensors[size_t(l.output)];
      const QuantMultiplier qm = quantize_multiplier(double(m));
      l.requant = Requant{qm.multiplier, qm.shift, yzp, ot.lo(), ot.hi(), double(m), Rounding::HalfEven};
    } else {
      l.requantize = false;
      l.weight_scale = 1;
      l.acc_scale = 1;
      l.output = new_out(l, {int(N), 1, 1}, 32, true, 1.0, 0);
    }
    return;
  }
  if (op == "QuantizeLinear") {
    allow_attrs(n, {"axis"});
    if (n.input(0) != data_input_ || data_type_ != onnx_::TensorProto::FLOAT)
      fail(n, "in an integer model, QuantizeLinear is supported only on the float data input");
    const double s = scalar(n, 1, "y_scale");
    const int t = type_of_zp(2, onnx_::TensorProto::UINT8);
    const int32_t zp = zp_values(2, 1, "y_zero_point")[0];
    if (net_.input != 0 || !net_.tensors.empty()) fail(n, "the data input is quantized twice");
    new_input(n.output(0), s, zp, t);  // the network's input is the quantized tensor
    return;
  }
  if (op == "DequantizeLinear") {
    allow_attrs(n, {"axis"});
    auto it = iacts_.find(n.input(0));
    if (it == iacts_.end()) fail(n, "dequantizes '" + n.input(0) + "', which is not computed by the graph");
    if (n.output(0) != g_.output(0).name()) fail(n, "DequantizeLinear is supported only on the graph output");
    iacts_[n.output(0)] = it->second;
    output_dequantized_ = true;
    return;
  }
  if (op == "Flatten" || op == "Reshape" || op == "Identity") {
    allow_attrs(n, {"axis", "allowzero"});
    auto it = iacts_.find(n.input(0));
    if (it == iacts_.end()) fail(n, "input '" + n.input(0) + "' is not computed by a supported operator");
    if (op == "Flatten" && attr_int(n, "axis", 1) != 1) fail(n, "unsupported attribute axis (only 1)");
    iacts_[n.output(0)] = it->second;  // CHW data does not move; a Dense reads it flat
    return;
  }
  if (op == "MaxPool") {
    allow_attrs(n, {"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order"});
    auto it = iacts_.find(n.input(0));
    if (it == iacts_.end()) fail(n, "input '" + n.input(0) + "' is not computed by a supported operator");
    const Window win = window(n, 0, 0, true);
    QTensor t = net_.tensors[size_t(it->second.tensor)];
    if (t.bits == 32) fail(n, "pooling an int32 tensor is not supported");
    if (win.padding >= win.kernel) fail(n, "padding must be smaller than the kernel");
    t.name = n.output(0);
    t.shape = {t.shape.c, (t.shape.h + 2 * win.padding - win.kernel) / win.stride + 1,
               (t.shape.w + 2 * win.padding - win.kernel) / win.stride + 1};
    net_.tensors.push_back(t);
    QOp p;
    p.kind = QOpKind::MaxPool;
    p.name = node_name(n);
    p.inputs = {it->second.tensor};
    p.output = int(net_.tensors.size()) - 1;
    p.kernel = win.kernel;
    p.stride = win.stride;
    p.padding = win.padding;
    net_.ops.push_back(p);
    iacts_[n.output(0)] = IAct{p.output};
    return;
  }
  fail(n, "unsupported operator in an integer (QLinear/ConvInteger/MatMulInteger) model");
}

// ---------------------------------------------------------------- driver

OnnxImport Importer::run() {
  try {
    onnx_::checker::check_model(model_);
  } catch (const std::exception& e) {
    throw Error(source_ + ": the ONNX checker rejects the model: " + e.what());
  }
  if (g_.output_size() != 1)
    throw Error(source_ + ": the graph has " + std::to_string(g_.output_size()) + " outputs, cimvp supports one");
  for (const auto& t : g_.initializer()) consts_[t.name()] = tensor_from_proto(t, source_);
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

std::string read_file(const std::string& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(std::string("cannot open ") + what + " '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
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
  return Importer(m, source, opt).run();
}

OnnxImport import_onnx(const std::string& path, const OnnxImportOptions& options) {
  OnnxImportOptions opt = options;
  if (opt.name.empty()) opt.name = stem(path);
  return import_onnx_bytes(read_file(path, "ONNX model"), path, opt);
}

}  // namespace cimvp
