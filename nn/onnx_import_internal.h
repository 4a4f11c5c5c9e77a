// Internal to nn/onnx_import*.cpp: the importer that turns one ONNX graph
// into a Graph (float and QDQ models, nn/onnx_import_float.cpp) or a
// QuantizedNetwork (integer models, nn/onnx_import_integer.cpp). What both
// share (attributes, constants, windows, constant folding) and the driver
// that picks one are in nn/onnx_import.cpp.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "nn/graph.h"
#include "nn/onnx_common.h"
#include "nn/onnx_import.h"
#include "nn/quant.h"

namespace cimvp {

namespace onnx_ = ONNX_NAMESPACE;

class OnnxImporter {
 public:
  OnnxImporter(const onnx_::ModelProto& m, std::string source, const OnnxImportOptions& opt)
      : model_(m), g_(m.graph()), source_(std::move(source)), opt_(opt) {}

  OnnxImport run();

 private:
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

  // Window attributes of Conv/QLinearConv/ConvInteger/pools: equal strides,
  // the same padding on opposite sides; a convolution's kernel may be
  // non-square (kernel, padding: height; kernel_w, padding_w: width).
  struct Window {
    int kernel = 0, stride = 1, padding = 0;
    int kernel_w = 0, padding_w = 0;
    int dilation = 1;       // convolutions and max pools: the same on both axes
    bool ceil_mode = false;  // pools: the output size rounds up
  };
  Window window(const onnx_::NodeProto& n, int64_t weight_kh, int64_t weight_kw, bool is_pool) const;
  // A convolution's group attribute, checked against its weight
  // [out][in / group][kh][kw] and its input's channels.
  int conv_groups(const onnx_::NodeProto& n, const OnnxTensor& w, int in_channels) const;

  // Constant folding for the few ops exporters leave on constants.
  bool fold_constant(const onnx_::NodeProto& n);

  // ---- float / QDQ graphs
  struct Act {
    int node = -1;
    // Zero padding on every side of height and width from Pad nodes, not
    // yet applied: the convolution or pool that reads it takes it on.
    int pad = 0;
    // A channel shuffle in progress (PyTorch's: Reshape to [N, g, C/g, H, W],
    // Transpose to [N, C/g, g, H, W], Reshape back): the groups, and whether
    // the Transpose came.
    int shuffle_groups = 0;
    bool shuffle_transposed = false;
  };
  void float_node(const onnx_::NodeProto& n);
  // Input i as a graph node. Pending zeros of a Pad (padded_act: a Conv or
  // AveragePool takes them on) become a Pad node, which later readers of
  // the same value share.
  Act act(const onnx_::NodeProto& n, int i) {
    const Act a = padded_act(n, i);
    if (a.shuffle_groups != 0)
      fail(n, "reads '" + n.input(i) + "', a 5-D view of a channel shuffle; cimvp supports only Reshape to "
              "[N, g, C/g, H, W], Transpose [0, 2, 1, 3, 4], Reshape to [N, C, H, W]");
    if (a.pad == 0) return a;
    return acts_[n.input(i)] = Act{materialized(n, a)};
  }
  // x as a graph node: a pending zero padding becomes a Pad node of those zeros.
  int materialized(const onnx_::NodeProto& n, const Act& x) {
    if (x.shuffle_groups != 0)
      fail(n, "reads a 5-D view of a channel shuffle; cimvp supports only Reshape to [N, g, C/g, H, W], "
              "Transpose [0, 2, 1, 3, 4], Reshape to [N, C, H, W]");
    if (x.pad == 0) return x.node;
    PadSpec zeros;
    zeros.top = zeros.left = zeros.bottom = zeros.right = x.pad;
    std::string nm = graph_.nodes[size_t(x.node)].name + "_pad";
    for (int k = 1; graph_.find(nm) >= 0; ++k) nm = graph_.nodes[size_t(x.node)].name + "_pad_" + std::to_string(k);
    return graph_.add_pad(nm, x.node, zeros);
  }
  // Channels of x picked (a Slice, a Gather, a shuffle), composed with x's own
  // pick when x is one.
  int add_channels(const std::string& name, int x, std::vector<int> channels);
  Act padded_act(const onnx_::NodeProto& n, int i) const {
    if (!has_input(n, i)) fail(n, "input " + std::to_string(i) + " is missing");
    auto it = acts_.find(n.input(i));
    if (it == acts_.end()) fail(n, "input '" + n.input(i) + "' is not computed by a supported operator");
    return it->second;
  }
  // Standalone batch norms (not after a Conv or Gemm that only they read)
  // become 1x1 depthwise convolutions: executed on the crossbars.
  void execute_standalone_batch_norms();
  // x * sigmoid(x) and x * hard_sigmoid(x) (how PyTorch exports SiLU and
  // hard swish) become one activation each: one table, one rounding.
  void fuse_gated_activations();
  void remove_unread_channel_picks();
  // Removes the nodes marked in `drop` (read by no kept node), renumbering the rest.
  void remove_nodes(const std::vector<bool>& drop);
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
  // The default ("" or ai.onnx) domain's opset version (1 when the model names none).
  int64_t onnx_opset() const {
    for (const auto& o : model_.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
    return 1;
  }
  const onnx_::GraphProto& g_;
  std::string source_;
  const OnnxImportOptions& opt_;

  std::map<std::string, OnnxTensor> consts_;
  std::map<std::string, QInfo> qinfo_;  // tensor name -> the quantizer that produced it (Q, Clip, DQ outputs)
  // Outputs of DequantizeLinear (and what passes them on): float values,
  // though qinfo_ knows their quantizer. A Clip of these clips reals, not
  // the integers between a QuantizeLinear and its DequantizeLinear.
  std::set<std::string> dequantized_;
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

}  // namespace cimvp
