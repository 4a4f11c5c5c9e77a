// The importer's integer models: QLinearConv, QLinearMatMul, ConvInteger
// and MatMulInteger (with QuantizeLinear on the input, DequantizeLinear on
// the output, MaxPool, Flatten/Reshape between them) become a
// QuantizedNetwork directly, with zero points folded into the biases and
// ONNX's round-half-to-even requantization (nn/onnx_import.h).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "nn/onnx_import_internal.h"

namespace cimvp {

int OnnxImporter::integer_input(const onnx_::NodeProto& n, int i, double scale, int32_t zp, int type) {
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

int OnnxImporter::new_input(const std::string& x, double scale, int32_t zp, int type) {
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

QOp& OnnxImporter::add_layer(const onnx_::NodeProto& n, QOpKind kind, int in, std::vector<int32_t> w_eff, int out_ch,
                         const Window& win, const std::vector<double>& bias_int) {
  const QTensor& it = net_.tensors[size_t(in)];
  QOp op;
  op.kind = kind;
  op.name = node_name(n);
  op.inputs = {in};
  op.kernel = kind == QOpKind::Conv2d ? win.kernel : 1;
  op.kernel_w = kind == QOpKind::Conv2d ? win.kernel_w : 1;
  if (win.dilation != 1) fail(n, "unsupported attribute dilations: integer convolutions only 1");
  op.stride = win.stride;
  op.padding = win.padding;
  op.padding_w = win.padding_w;
  op.layer = int(net_.layers.size());
  op.out_channels = out_ch;
  op.in_channels = kind == QOpKind::Conv2d ? it.shape.c : int(it.shape.size());
  const int64_t per_out = int64_t(w_eff.size()) / out_ch;
  if (per_out != int64_t(op.in_channels) * op.kernel * op.kernel_w)
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

void OnnxImporter::integer_node(const onnx_::NodeProto& n) {
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

  // A layer's output. QLinearConv/QLinearMatMul (`ql`) requantize to y
  // (inputs 4: the weight scale, 6: y_scale, 7: y_zero_point); ConvInteger
  // and MatMulInteger output their int32 accumulators.
  auto set_layer_output = [&](QOp& l, bool ql, double in_scale, const char* weight_scale, Shape shape) {
    if (ql) {
      const double ws = scalar(n, 4, weight_scale), ys = scalar(n, 6, "y_scale");
      const int yt = type_of_zp(7, onnx_::TensorProto::UINT8);
      const int32_t yzp = zp_values(7, 1, "y_zero_point")[0];
      // ONNX computes the multiplier in float32: x_scale * w_scale / y_scale.
      const float m = float(in_scale) * float(ws) / float(ys);
      l.weight_scale = ws;
      l.acc_scale = in_scale * ws;
      l.output = new_out(l, shape, 8, yt == onnx_::TensorProto::INT8, ys, yzp);
      const QTensor& ot = net_.tensors[size_t(l.output)];
      const QuantMultiplier qm = quantize_multiplier(double(m));
      l.requant = Requant{qm.multiplier, qm.shift, yzp, ot.lo(), ot.hi(), double(m), Rounding::HalfEven};
    } else {
      l.requantize = false;
      l.weight_scale = 1;
      l.acc_scale = 1;
      l.output = new_out(l, shape, 32, true, 1.0, 0);
    }
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
    const int in_channels = net_.tensors[size_t(in)].shape.c;
    const int groups = conv_groups(n, w, in_channels);
    if (groups > 1) {  // the dense layout every layer keeps (nn/graph.h)
      std::vector<int32_t> dense;
      expand_groups(w_eff, out_ch, in_channels, groups, int(w.dims[2] * w.dims[3]), dense);
      w_eff = std::move(dense);
    }
    std::vector<double> bias;
    if (ql && has_input(n, 8)) {
      const OnnxTensor& b = constant(n, 8, "B");
      if (b.size() != out_ch) fail(n, "bias size differs from the output channels");
      bias = b.values;
    }
    const QTensor itn = net_.tensors[size_t(in)];
    const Shape is = itn.shape;
    const int ho = (is.h + 2 * win.padding - win.kernel) / win.stride + 1;
    const int wo = (is.w + 2 * win.padding_w - win.kernel_w) / win.stride + 1;
    if (is.h + 2 * win.padding < win.kernel || is.w + 2 * win.padding_w < win.kernel_w)
      fail(n, "the kernel does not fit the input " + is.str());
    QOp& l = add_layer(n, QOpKind::Conv2d, in, std::move(w_eff), out_ch, win, bias);
    l.groups = groups;
    set_layer_output(l, ql, xs, "w_scale", {out_ch, ho, wo});
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
    set_layer_output(l, ql, as, "b_scale", {int(N), 1, 1});
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
    if (win.ceil_mode) fail(n, "unsupported attribute ceil_mode = 1 in an integer model");
    QTensor t = net_.tensors[size_t(it->second.tensor)];
    if (t.bits == 32) fail(n, "pooling an int32 tensor is not supported");
    if (win.padding >= win.kernel || win.padding_w >= win.kernel_w) fail(n, "padding must be smaller than the kernel");
    QOp p;
    p.kernel = win.kernel;
    p.kernel_w = win.kernel_w;
    p.dilation = win.dilation;
    p.stride = win.stride;
    p.padding = win.padding;
    p.padding_w = win.padding_w;
    const int span_h = t.shape.h + 2 * win.padding - p.span_h(), span_w = t.shape.w + 2 * win.padding_w - p.span_w();
    if (span_h < 0 || span_w < 0) fail(n, "the window does not fit the input " + t.shape.str());
    t.name = n.output(0);
    t.shape = {t.shape.c, span_h / win.stride + 1, span_w / win.stride + 1};
    net_.tensors.push_back(t);
    p.kind = QOpKind::MaxPool;
    p.name = node_name(n);
    p.inputs = {it->second.tensor};
    p.output = int(net_.tensors.size()) - 1;
    net_.ops.push_back(p);
    iacts_[n.output(0)] = IAct{p.output};
    return;
  }
  fail(n, "unsupported operator in an integer (QLinear/ConvInteger/MatMulInteger) model");
}

}  // namespace cimvp
