// The importer's float and QDQ models: float operators become a Graph;
// QuantizeLinear/DequantizeLinear pairs (with Clip between them, or QONNX
// Quant nodes) leave the graph unchanged and give the Policy and the
// Calibration that quantize() then keeps (nn/onnx_import.h).
#include <algorithm>
#include <cmath>

#include "nn/onnx_import_internal.h"

namespace cimvp {

namespace {

int32_t type_lo(int t) { return t == onnx_::TensorProto::INT8 ? -128 : 0; }
int32_t type_hi(int t) { return t == onnx_::TensorProto::INT8 ? 127 : 255; }

// Round half to even, as ONNX's QuantizeLinear (std::nearbyint in the default mode).
double round_even(double x) { return std::nearbyint(x); }

}  // namespace

void OnnxImporter::float_node(const onnx_::NodeProto& n) {
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
    if (op == "DequantizeLinear") dequantized_.insert(n.output(0));
    return;
  }
  if (op == "Clip") {
    allow_attrs(n, {"min", "max"});
    double lo = attr_float(n, "min", -INFINITY), hi = attr_float(n, "max", INFINITY);
    if (has_input(n, 1)) lo = scalar(n, 1, "min");
    if (has_input(n, 2)) hi = scalar(n, 2, "max");
    auto it = qinfo_.find(n.input(0));
    if (it == qinfo_.end() || dequantized_.count(n.input(0))) {  // on float values: Clip(0, max) after a layer is a bounded ReLU (ReLU6)
      if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
        fail(n, "unsupported bounds [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "] on float values: both bounds finite, min < max");
      const Act x = act(n, 0);
      if (lo == 0 && graph_.nodes[size_t(x.node)].kind != OpKind::Input) {
        set_output(n, graph_.add_relu(name, x.node, float(hi)));
        keep_quantizer(n, true);
      } else {  // any other clip: a table (nn/activation.h)
        set_output(n, graph_.add_activation(name, x.node, ActivationFn(Activation::Clip, lo, hi)));
      }
      return;
    }
    QInfo qi = it->second;
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
    if (dequantized_.count(n.input(0))) dequantized_.insert(n.output(0));
    return;
  }

  auto weight_info = [&](int node, const std::string& wname, const std::string& xname) {
    if (qinfo_.count(wname)) layer_w_[node] = qinfo_[wname];
    if (qinfo_.count(xname)) layer_a_[node] = qinfo_[xname];
  };

  if (op == "Conv") {
    allow_attrs(n, {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    const Act x = padded_act(n, 0);
    const OnnxTensor& w = weight(n, 1, "W");
    if (w.dims.size() != 4) fail(n, "weight must be 4-D [out][in][kh][kw]");
    Window win = window(n, w.dims[2], w.dims[3], false);
    win.padding += x.pad;
    win.padding_w += x.pad;
    const int in_channels = graph_.nodes[size_t(x.node)].shape.c;
    const int groups = conv_groups(n, w, in_channels);
    const int node = graph_.add_conv_rect(name, x.node, int(w.dims[0]), win.kernel, win.kernel_w, win.stride,
                                          win.padding, win.padding_w, groups, win.dilation);
    Node& nd = graph_.nodes[size_t(node)];
    if (!graph_.structure_only)
      expand_groups(w.values, nd.out_channels, in_channels, groups, win.kernel * win.kernel_w, nd.weight);
    if (has_input(n, 2) && !graph_.structure_only) {
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
      allow_attrs(n, {"alpha", "beta", "transA", "transB", "broadcast"});  // opset < 7: broadcast (of the bias)
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
    if (!graph_.structure_only)
      for (int64_t o = 0; o < out; ++o)
        for (int64_t i = 0; i < in; ++i)
          nd.weight[size_t(o * in + i)] = alpha * float(w.values[size_t(tb ? o * in + i : i * out + o)]);
    if (has_input(n, 2) && !graph_.structure_only) {
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
      if (!graph_.structure_only)
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
  if (op == "LeakyRelu") {
    allow_attrs(n, {"alpha"});
    set_output(n, graph_.add_activation(name, act(n, 0).node,
                                        ActivationFn(Activation::LeakyRelu, attr_float(n, "alpha", 0.01f))));
    return;
  }
  if (op == "PRelu") {  // one slope: a leaky ReLU
    allow_attrs(n, {});
    const double slope = scalar(n, 1, "slope");
    set_output(n, graph_.add_activation(name, act(n, 0).node, ActivationFn(Activation::LeakyRelu, slope)));
    return;
  }
  if (op == "MaxPool" || op == "AveragePool") {
    allow_attrs(n, {"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order",
                    "count_include_pad"});
    if (op == "MaxPool") need_outputs(1);
    Window win = window(n, 0, 0, true);
    if (op == "AveragePool" && win.padding > 0 && attr_int(n, "count_include_pad", 0) == 0)
      fail(n, "unsupported attribute count_include_pad = 0 with padding (cimvp divides by k*k)");
    const Act x = padded_act(n, 0);
    // A Pad's zeros are values: an average counts them (as count_include_pad
    // does); a max pool's padding never wins, so it reads a Pad node's zeros.
    const int in = op == "MaxPool" ? materialized(n, x) : x.node;
    if (op != "MaxPool") win.padding += x.pad, win.padding_w += x.pad;
    const int node = op == "MaxPool" ? graph_.add_maxpool(name, in, win.kernel, win.stride, win.padding, win.ceil_mode)
                                     : graph_.add_avgpool(name, in, win.kernel, win.stride, win.padding);
    Node& nd = graph_.nodes[size_t(node)];
    nd.kernel_w = win.kernel_w;
    nd.padding_w = win.padding_w;
    nd.dilation = win.dilation;
    set_output(n, node);
    if (op == "MaxPool") keep_quantizer(n);
    return;
  }
  static const std::map<std::string, Activation> kActivations = {
      {"Sigmoid", Activation::Sigmoid},   {"HardSigmoid", Activation::HardSigmoid}, {"HardSwish", Activation::HardSwish},
      {"Tanh", Activation::Tanh},         {"Softplus", Activation::Softplus},       {"Elu", Activation::Elu},
      {"Selu", Activation::Selu}};
  if (const auto fn = kActivations.find(op); fn != kActivations.end()) {
    allow_attrs(n, {"alpha", "beta", "gamma"});
    if (op == "HardSigmoid" && (std::fabs(attr_float(n, "alpha", 0.2f) - 1.f / 6.f) > 1e-6f ||
                                attr_float(n, "beta", 0.5f) != 0.5f))
      fail(n, "unsupported alpha and beta: only PyTorch's hard sigmoid (alpha 1/6, beta 1/2)");
    if (op == "Selu" && (std::fabs(attr_float(n, "alpha", 1.67326319f) - 1.67326319f) > 1e-6f ||
                         std::fabs(attr_float(n, "gamma", 1.05070102f) - 1.05070102f) > 1e-6f))
      fail(n, "unsupported alpha and gamma: only ONNX's defaults");
    ActivationFn f = fn->second;
    if (op == "Elu") f.alpha = attr_float(n, "alpha", 1.f);
    set_output(n, graph_.add_activation(name, act(n, 0).node, f));
    return;
  }
  if (op == "Mul") {  // of two values; one may be per channel (squeeze-and-excitation)
    allow_attrs(n, {});
    if (is_const(n.input(0)) || is_const(n.input(1)))
      fail(n, "unsupported: a product with a constant (only of two computed values)");
    int a = act(n, 0).node, b = act(n, 1).node;
    if (graph_.nodes[size_t(a)].shape.size() < graph_.nodes[size_t(b)].shape.size()) std::swap(a, b);
    set_output(n, graph_.add_mul(name, a, b));
    return;
  }
  if (op == "Concat") {
    allow_attrs(n, {"axis"});
    const int64_t axis = attr_int(n, "axis", 1);
    if (axis != 1 && axis != -3) fail(n, "unsupported axis " + std::to_string(axis) + ": only channels (1)");
    std::vector<int> parts;
    for (int i = 0; i < n.input_size(); ++i) parts.push_back(act(n, i).node);
    set_output(n, parts.size() == 1 ? parts[0] : graph_.add_concat(name, parts));
    return;
  }
  // Zeros on equal sides of height and width: taken on by the Conv or
  // AveragePool that reads it (a MaxPool's padding never wins, so it reads
  // them from a Pad node). Any other border: a Pad node (nn/pad.h).
  if (op == "Pad") {
    allow_attrs(n, {"mode", "pads", "value"});  // opset < 11: pads and value are attributes
    PadMode mode = PadMode::Constant;
    if (const auto* m = attr(n, "mode")) {
      try {
        mode = pad_mode_from_name(m->s());
      } catch (const Error&) {
        fail(n, "unsupported mode '" + m->s() + "' (constant, reflect or edge)");
      }
    }
    const Act x = padded_act(n, 0);
    std::vector<double> p, value;
    if (attr(n, "pads")) {
      for (int64_t v : attr_ints(n, "pads")) p.push_back(double(v));
      value.push_back(attr_float(n, "value", 0.f));
    } else {
      p = constant(n, 1, "pads").values;
      if (has_input(n, 2)) value = constant(n, 2, "constant_value").values;
    }
    if (value.size() > 1) fail(n, "unsupported constant_value of " + std::to_string(value.size()) + " values");
    const double v = value.empty() ? 0.0 : value[0];
    if (has_input(n, 3)) fail(n, "unsupported input axes");
    // p: [n, c, h, w] begins, then ends
    if (p.size() != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0)
      fail(n, "unsupported pads: only around height and width (of a 4-D [N, C, H, W] tensor)");
    if (std::any_of(p.begin(), p.end(), [](double e) { return e < 0; }))
      fail(n, "unsupported pads: negative pads (a crop)");
    if (mode == PadMode::Constant && v == 0 && p[3] == p[2] && p[6] == p[2] && p[7] == p[2]) {
      acts_[n.output(0)] = Act{x.node, x.pad + int(p[2])};
      return;
    }
    PadSpec spec;
    spec.top = int(p[2]), spec.left = int(p[3]), spec.bottom = int(p[6]), spec.right = int(p[7]);
    spec.mode = mode;
    spec.value = float(v);
    set_output(n, graph_.add_pad(name, materialized(n, x), spec));
    return;
  }
  // Over a classifier's scores (K x 1 x 1: axis 1, or -1 of rows [N, K]),
  // each pixel's channels (opset 13's axis 1 of [N, C, H, W]) or each
  // row's width (its last axis). (The graph does not keep the ONNX rank:
  // axis -1 of K x 1 x 1 is taken for the scores of [N, K], not the
  // singleton last axis of [N, K, 1, 1].)
  if (op == "Softmax" || op == "LogSoftmax") {
    allow_attrs(n, {"axis"});
    const int x = act(n, 0).node;
    const Shape s = graph_.nodes[size_t(x)].shape;
    const bool spatial = s.h * s.w > 1;
    const int64_t opset = onnx_opset();
    const int64_t axis = attr_int(n, "axis", opset >= 13 ? -1 : 1);
    SoftmaxAxis over;
    if (!spatial && (axis == 1 || axis == -1))
      over = SoftmaxAxis::Channels;
    else if (spatial && axis == 1 && opset >= 13)
      over = SoftmaxAxis::Channels;
    else if (spatial && (axis == 3 || axis == -1))
      over = SoftmaxAxis::Width;
    else
      fail(n, "unsupported axis " + std::to_string(axis) + " of a " + s.str() + " tensor at opset " +
                  std::to_string(opset) +
                  ": only over a classifier's scores, each pixel's channels (opset 13 axis 1) or each row's width "
                  "(the last axis)");
    set_output(n, graph_.add_softmax(name, x, over, op == "LogSoftmax"));
    return;
  }
  if (op == "GlobalAveragePool") {
    allow_attrs(n, {});
    set_output(n, graph_.add_global_avgpool(name, act(n, 0).node));
    return;
  }
  if (op == "ReduceMean") {  // the mean over height and width (MnasNet's head): a global average pool
    allow_attrs(n, {"axes", "keepdims"});
    std::vector<int64_t> axes = attr_ints(n, "axes");
    for (int64_t& a : axes) a = a < 0 ? a + 4 : a;
    std::sort(axes.begin(), axes.end());
    if (axes != std::vector<int64_t>{2, 3} || n.input_size() > 1)
      fail(n, "unsupported axes: only the mean over height and width (axes [2, 3]) of an image tensor");
    // keepdims 0 gives [N, C]: the same values in the same order as C x 1 x 1.
    set_output(n, graph_.add_global_avgpool(name, act(n, 0).node));
    return;
  }
  if (op == "Reshape" && (n.input_size() < 2 || consts_.count(n.input(1)))) {  // a channel shuffle's views
    const Act x = padded_act(n, 0);
    const OnnxTensor& target = constant(n, 1, "shape");
    const Shape is = graph_.nodes[size_t(x.node)].shape;
    const std::vector<double>& t = target.values;
    if (x.pad == 0 && x.shuffle_groups == 0 && t.size() == 5 && t[1] > 0 && t[2] > 0 && t[1] * t[2] == is.c &&
        t[3] == is.h && t[4] == is.w) {
      acts_[n.output(0)] = Act{x.node, 0, int(t[1]), false};
      return;
    }
    if (x.shuffle_groups != 0) {
      if (!x.shuffle_transposed || t.size() != 4 || !(t[1] == -1 || t[1] == is.c) || t[2] != is.h || t[3] != is.w)
        fail(n, "unsupported view of a channel shuffle (only back to [N, C, H, W] after the Transpose)");
      const int g = x.shuffle_groups, per = is.c / g;
      std::vector<int> channels;  // [N, C/g, g] read out of [N, g, C/g]: output i * g + k is input k * per + i
      for (int i = 0; i < per; ++i)
        for (int k = 0; k < g; ++k) channels.push_back(k * per + i);
      set_output(n, add_channels(name, x.node, channels));
      return;
    }
  }
  if (op == "Transpose") {
    allow_attrs(n, {"perm"});
    const Act x = padded_act(n, 0);
    if (x.shuffle_groups == 0 || x.shuffle_transposed || attr_ints(n, "perm") != std::vector<int64_t>{0, 2, 1, 3, 4})
      fail(n, "unsupported transpose: only the channel shuffle's [0, 2, 1, 3, 4] of a [N, g, C/g, H, W] view");
    acts_[n.output(0)] = Act{x.node, 0, x.shuffle_groups, true};
    return;
  }
  if (op == "Shape") {  // of a value whose shape is known: a constant [N, C, H, W]
    allow_attrs(n, {});
    const Shape s = graph_.nodes[size_t(act(n, 0).node)].shape;
    OnnxTensor t;
    t.name = n.output(0);
    t.data_type = onnx_::TensorProto::INT64;
    t.dims = {4};
    t.values = {double(batch_), double(s.c), double(s.h), double(s.w)};
    consts_[n.output(0)] = t;
    return;
  }
  if (op == "Slice") {  // of channels
    allow_attrs(n, {"starts", "ends", "axes"});  // opset < 10: attributes instead of inputs
    const Act x = act(n, 0);
    const int c = graph_.nodes[size_t(x.node)].shape.c;
    const auto doubles = [](const std::vector<int64_t>& v) { return std::vector<double>(v.begin(), v.end()); };
    const bool old_form = attr(n, "starts") != nullptr;
    const std::vector<double> starts = old_form ? doubles(attr_ints(n, "starts")) : constant(n, 1, "starts").values;
    const std::vector<double> ends = old_form ? doubles(attr_ints(n, "ends")) : constant(n, 2, "ends").values;
    const std::vector<double> axes = old_form && attr(n, "axes") ? doubles(attr_ints(n, "axes"))
                                     : !old_form && has_input(n, 3) ? constant(n, 3, "axes").values
                                                                    : std::vector<double>{1};
    const bool axes_ok = axes == std::vector<double>{1} || axes == std::vector<double>{-3};
    const bool step_ok = old_form || !has_input(n, 4) || constant(n, 4, "steps").values == std::vector<double>{1};
    if (!axes_ok || !step_ok || starts.size() != 1 || ends.size() != 1)
      fail(n, "unsupported slice: only of channels (axis 1), with step 1");
    auto clamp_index = [&](double v) { return int(std::clamp(v < 0 ? v + c : v, 0.0, double(c))); };
    const int b = clamp_index(starts[0]), e = clamp_index(ends[0]);
    if (b >= e) fail(n, "the slice [" + std::to_string(b) + ", " + std::to_string(e) + ") of channels is empty");
    std::vector<int> channels;
    for (int k = b; k < e; ++k) channels.push_back(k);
    set_output(n, add_channels(name, x.node, channels));
    keep_quantizer(n);
    return;
  }
  if (op == "Gather" && !is_const(n.input(0))) {  // channels picked by constant indices (cimvp's export)
    allow_attrs(n, {"axis"});
    const Act x = act(n, 0);
    const int c = graph_.nodes[size_t(x.node)].shape.c;
    const OnnxTensor& idx = constant(n, 1, "indices");
    if (attr_int(n, "axis", 0) != 1 || idx.dims.size() != 1)
      fail(n, "unsupported gather: only of channels (axis 1) by a 1-D list of indices");
    std::vector<int> channels;
    for (double v : idx.values) channels.push_back(int(v < 0 ? v + c : v));
    set_output(n, add_channels(name, x.node, channels));
    keep_quantizer(n);
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
    allow_attrs(n, {"epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"});  // (opset < 7: is_test, consumed_inputs)
    if (attr_int(n, "training_mode", 0) != 0) fail(n, "unsupported attribute training_mode = 1");
    if (attr(n, "is_test") && attr_int(n, "is_test", 1) != 1) fail(n, "unsupported attribute is_test = 0 (training)");
    if (attr_int(n, "spatial", 1) != 1) fail(n, "unsupported attribute spatial = 0");
    // Its channels are axis 1: the last axis of rows [N, K], not of the
    // 1-D and 3-D data cimvp reads as rows of their last axis.
    if (data_dims_.size() != 2 && data_dims_.size() != 4)
      fail(n, "normalizes axis 1 of a rank-" + std::to_string(data_dims_.size()) +
                  " input: only images [N, C, H, W] and rows [N, K] are supported");
    need_outputs(1);
    const int node = graph_.add_batchnorm(name, act(n, 0).node, attr_float(n, "epsilon", 1e-5f));
    Node& nd = graph_.nodes[size_t(node)];
    std::vector<float>* dst[4] = {&nd.weight, &nd.bias, &nd.mean, &nd.var};
    const char* what[4] = {"scale", "B", "mean", "var"};
    for (int k = 0; k < 4 && !graph_.structure_only; ++k) {
      const OnnxTensor& t = constant(n, k + 1, what[k]);
      if (size_t(t.size()) != dst[k]->size()) fail(n, std::string(what[k]) + " size differs from the channels");
      for (size_t j = 0; j < dst[k]->size(); ++j) (*dst[k])[j] = float(t.values[j]);
    }
    set_output(n, node);
    return;
  }
  fail(n, "unsupported operator");
}

int OnnxImporter::add_channels(const std::string& name, int x, std::vector<int> channels) {
  const Node& in = graph_.nodes[size_t(x)];
  if (in.kind == OpKind::Channels) {  // a pick of a pick: one pick of the first one's input
    for (int& c : channels) c = in.channels.at(size_t(c));
    x = in.inputs[0];
  }
  return graph_.add_channels(name, x, channels);
}

void OnnxImporter::remove_unread_channel_picks() {
  // A pick that later picks composed away reads nothing now; the output stays.
  for (bool again = true; again;) {
    const auto readers = graph_.consumers();
    std::vector<bool> drop(graph_.nodes.size(), false);
    again = false;
    for (size_t i = 0; i + 1 < graph_.nodes.size(); ++i)
      if (graph_.nodes[i].kind == OpKind::Channels && readers[i].empty()) drop[i] = again = true;
    remove_nodes(drop);
  }
}

void OnnxImporter::fuse_gated_activations() {
  const auto readers = graph_.consumers();
  std::vector<bool> drop(graph_.nodes.size(), false);
  for (Node& mul : graph_.nodes) {
    if (mul.kind != OpKind::Mul) continue;
    for (int k = 0; k < 2; ++k) {
      const int gate = mul.inputs[size_t(k)], x = mul.inputs[size_t(1 - k)];
      const Node& g = graph_.nodes[size_t(gate)];
      if (g.kind != OpKind::Activation || g.inputs[0] != x || readers[size_t(gate)].size() != 1) continue;
      if (g.function.f != Activation::Sigmoid && g.function.f != Activation::HardSigmoid) continue;
      mul.kind = OpKind::Activation;
      mul.function = g.function.f == Activation::Sigmoid ? Activation::Silu : Activation::HardSwish;
      mul.inputs = {x};
      drop[size_t(gate)] = true;
      break;
    }
  }
  remove_nodes(drop);
}

void OnnxImporter::remove_nodes(const std::vector<bool>& drop) {
  if (std::none_of(drop.begin(), drop.end(), [](bool d) { return d; })) return;
  std::vector<int> index(graph_.nodes.size(), -1);
  std::vector<Node> kept;
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    if (drop[i]) continue;
    index[i] = int(kept.size());
    kept.push_back(std::move(graph_.nodes[i]));
  }
  for (Node& nd : kept)
    for (int& in : nd.inputs) in = index[size_t(in)];
  graph_.nodes = std::move(kept);
  // What refers to nodes by index: the layers' quantizers and the values' domains.
  auto remap = [&](auto& by_node) {
    std::decay_t<decltype(by_node)> moved;
    for (auto& [node, info] : by_node)
      if (index[size_t(node)] >= 0) moved[index[size_t(node)]] = info;
    by_node = std::move(moved);
  };
  remap(layer_w_);
  remap(layer_a_);
  remap(domain_q_);
  for (auto& [name, a] : acts_) a.node = a.node >= 0 && index[size_t(a.node)] >= 0 ? index[size_t(a.node)] : -1;
}

void OnnxImporter::execute_standalone_batch_norms() {
  const auto readers = graph_.consumers();
  for (Node& bn : graph_.nodes) {
    if (bn.kind != OpKind::BatchNorm) continue;
    const int src = bn.inputs[0];
    if (graph_.nodes[size_t(src)].quantizable() && readers[size_t(src)].size() == 1) continue;  // folds
    const int c = graph_.nodes[size_t(src)].shape.c;
    std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
    for (int k = 0; k < c && !graph_.structure_only; ++k) {  // y = scale x + shift, as fold_batch_norm computes it
      const double a = double(bn.weight[size_t(k)]) / std::sqrt(double(bn.var[size_t(k)]) + double(bn.eps));
      scale[size_t(k)] = float(a);
      shift[size_t(k)] = float(double(bn.bias[size_t(k)]) - a * double(bn.mean[size_t(k)]));
    }
    bn.kind = OpKind::Conv2d;
    bn.out_channels = c;
    bn.kernel = 1;
    bn.groups = c;
    bn.mean.clear();
    bn.var.clear();
    if (graph_.structure_only) {
      bn.weight.clear();
      bn.bias.clear();
      continue;
    }
    expand_groups(scale, c, c, c, 1, bn.weight);
    bn.bias = shift;
  }
}

OnnxImport OnnxImporter::finish_float() {
  OnnxImport r;
  const std::string out_name = g_.output(0).name();
  auto it = acts_.find(out_name);
  if (it == acts_.end()) throw Error(source_ + ": graph output '" + out_name + "' is not computed by the graph");
  if (it->second.node != graph_.output())
    throw Error(source_ + ": graph output '" + out_name + "' is not the last value the graph computes");
  // An input quantized unsigned from zero (cimvp's export of a model whose
  // input is nonnegative) keeps that grid: the input is nonnegative.
  if (const auto in = domain_q_.find(0); in != domain_q_.end() && in->second.zp == 0 && !in->second.is_signed())
    graph_.nodes[0].nonnegative = true;
  execute_standalone_batch_norms();
  fuse_gated_activations();
  remove_unread_channel_picks();
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

}  // namespace cimvp
