#include "nn/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "nn/quant.h"

namespace cimvp {

namespace onnx_ = ONNX_NAMESPACE;

namespace {

std::string fmt9(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

class Exporter {
 public:
  explicit Exporter(const ModelFile& m) : m_(m) {}
  std::string run();

 private:
  onnx_::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> in,
                         const std::string& out) {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void ints(onnx_::NodeProto* n, const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx_::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void str1(onnx_::NodeProto* n, const char* name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx_::AttributeProto::STRING);
    a->set_s(v);
  }
  static void int1(onnx_::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx_::AttributeProto::INT);
    a->set_i(v);
  }
  std::string float_init(const std::string& name, const std::vector<float>& v, std::vector<int64_t> dims) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx_::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return name;
  }
  std::string int_scalar(const std::string& name, int32_t v, bool is_signed) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(is_signed ? onnx_::TensorProto::INT8 : onnx_::TensorProto::UINT8);
    const char b = char(is_signed ? uint8_t(int8_t(v)) : uint8_t(v));
    t->set_raw_data(std::string(1, b));
    return name;
  }
  // x -> QuantizeLinear -> [Clip] -> DequantizeLinear; returns the DQ output.
  std::string qdq(const std::string& x, const std::string& base, double scale, int bits, bool is_signed) {
    const std::string s = float_init(base + "_scale", {float(scale)}, {});
    const std::string z = int_scalar(base + "_zero_point", 0, is_signed);
    std::string q = base + "_q";
    node("QuantizeLinear", base + "_quantize", {x, s, z}, q);
    if (bits < 8) {
      const std::string lo = int_scalar(base + "_min", qmin(bits, is_signed), is_signed);
      const std::string hi = int_scalar(base + "_max", qmax(bits, is_signed), is_signed);
      node("Clip", base + "_clip", {q, lo, hi}, base + "_clipped");
      q = base + "_clipped";
    }
    node("DequantizeLinear", base + "_dequantize", {q, s, z}, base + "_dq");
    return base + "_dq";
  }

  const ModelFile& m_;
  onnx_::GraphProto* g_ = nullptr;
};

std::string Exporter::run() {
  if (!m_.has_policy()) throw Error("model '" + m_.graph.name + "' has no policy: only quantized models export as QDQ");
  if (m_.graph.structure_only) throw Error("model '" + m_.graph.name + "' is structure-only (no weights)");
  const Graph g = has_batch_norm(m_.graph) ? fold_batch_norm(m_.graph) : m_.graph;
  const Policy& p = m_.policy;
  const Calibration& c = m_.calibration;
  const ActivationPlan plan = plan_activations(g, p);
  for (const ActDomain& d : plan.domains)
    if (!d.int32_output && !c.act_clip.count(d.name))
      throw Error("model '" + g.name + "': the calibration has no activation clip for '" + d.name + "'");

  onnx_::ModelProto model;
  model.set_ir_version(7);
  model.set_producer_name("cimvp");
  model.set_producer_version("1");
  model.add_opset_import()->set_version(13);
  g_ = model.mutable_graph();
  g_->set_name(g.name);

  // Exact scales for cimvp's importer (QDQ scales are float32 roundings of clip / L).
  std::string cal;
  for (const auto& [k, v] : c.act_clip) cal += "act_clip\t" + k + "\t" + fmt9(v) + "\n";
  for (const auto& [k, v] : c.weight_scale) cal += "weight_scale\t" + k + "\t" + fmt9(v) + "\n";
  auto* md = model.add_metadata_props();
  md->set_key("cimvp.calibration");
  md->set_value(cal);

  std::vector<std::string> value(g.nodes.size());  // ONNX name of each node's (quantized) output
  std::vector<bool> flat(g.nodes.size(), false);   // 2-D [1, N] rather than 4-D [1, C, H, W]
  const auto layers = g.quantizable_layers();
  int layer = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& nd = g.nodes[i];
    const std::string in0 = nd.inputs.empty() ? "" : value[size_t(nd.inputs[0])];
    std::string out = nd.name;
    switch (nd.kind) {
      case OpKind::Input: {
        auto* in = g_->add_input();
        in->set_name(nd.name);
        auto* tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnx_::TensorProto::FLOAT);
        for (int64_t d : {1, nd.shape.c, nd.shape.h, nd.shape.w}) tt->mutable_shape()->add_dim()->set_dim_value(d);
        break;
      }
      case OpKind::Conv2d:
      case OpKind::Dense: {
        const int w = p.weight_bits[size_t(layer)], a = p.activation_bits[size_t(layer)];
        std::string x = in0;
        const ActDomain& src = plan.domains[size_t(plan.layer_input_domain[size_t(layer)])];
        if (a < src.bits)  // the rescaled copy at the layer's bits
          x = qdq(x, nd.name + "_input_a" + std::to_string(a), activation_scale(src, c.act_clip.at(src.name), a), a,
                  src.is_signed);
        const double ws = weight_scale_for(nd, w, c);
        const int groups = nd.kind == OpKind::Conv2d ? nd.groups : 1;  // ONNX keeps a group's weights only
        std::vector<int64_t> wd = nd.kind == OpKind::Conv2d
                                      ? std::vector<int64_t>{nd.out_channels, nd.in_channels / groups, nd.kernel, nd.kw()}
                                      : std::vector<int64_t>{nd.out_channels, nd.in_channels};
        const std::vector<float> weight =
            groups > 1 ? compact_groups(nd.weight, nd.out_channels, nd.in_channels, groups, nd.kernel * nd.kw())
                       : nd.weight;
        const std::string wq = qdq(float_init(nd.name + "_weight", weight, wd), nd.name + "_weight", ws, w, true);
        const std::string b = float_init(nd.name + "_bias", nd.bias, {nd.out_channels});
        if (nd.kind == OpKind::Conv2d) {
          auto* n = node("Conv", nd.name, {x, wq, b}, out);
          ints(n, "kernel_shape", {nd.kernel, nd.kw()});
          ints(n, "strides", {nd.stride, nd.stride});
          ints(n, "pads", {nd.padding, nd.pw(), nd.padding, nd.pw()});
          if (groups > 1) int1(n, "group", groups);
          if (nd.dilation != 1) ints(n, "dilations", {nd.dilation, nd.dilation});
        } else {
          if (!flat[size_t(nd.inputs[0])]) {
            auto* f = node("Flatten", nd.name + "_flatten", {x}, nd.name + "_flat");
            int1(f, "axis", 1);
            x = nd.name + "_flat";
          }
          auto* n = node("Gemm", nd.name, {x, wq, b}, out);
          int1(n, "transB", 1);
          flat[i] = true;
        }
        ++layer;
        break;
      }
      case OpKind::Relu:
        if (nd.max > 0)  // a bounded ReLU: Clip(0, max)
          node("Clip", nd.name,
               {in0, float_init(nd.name + "_min", {0.f}, {}), float_init(nd.name + "_max", {nd.max}, {})}, out);
        else
          node("Relu", nd.name, {in0}, out);
        break;
      case OpKind::MaxPool:
      case OpKind::AvgPool: {
        auto* n = node(nd.kind == OpKind::MaxPool ? "MaxPool" : "AveragePool", nd.name, {in0}, out);
        ints(n, "kernel_shape", {nd.kernel, nd.kw()});
        ints(n, "strides", {nd.stride, nd.stride});
        ints(n, "pads", {nd.padding, nd.pw(), nd.padding, nd.pw()});
        if (nd.dilation != 1) ints(n, "dilations", {nd.dilation, nd.dilation});
        if (nd.kind == OpKind::AvgPool) int1(n, "count_include_pad", 1);
        if (nd.ceil_mode) int1(n, "ceil_mode", 1);
        break;
      }
      case OpKind::GlobalAvgPool: node("GlobalAveragePool", nd.name, {in0}, out); break;
      case OpKind::Add: {
        node("Add", nd.name, {in0, value[size_t(nd.inputs[1])]}, out);
        flat[i] = flat[size_t(nd.inputs[0])];
        break;
      }
      case OpKind::Flatten: {
        auto* n = node("Flatten", nd.name, {in0}, out);
        int1(n, "axis", 1);
        flat[i] = true;
        break;
      }
      case OpKind::Activation: {  // SiLU and hard swish as x times (hard) sigmoid(x): opset 13 has neither
        const Activation f = nd.function.f;
        const bool gate = f == Activation::Silu || f == Activation::HardSwish;
        const bool hard = f == Activation::HardSigmoid || f == Activation::HardSwish;
        const std::string s = gate ? nd.name + "_gate" : out;
        std::vector<std::string> inputs = {in0};
        if (f == Activation::Clip) {  // opset 13: the bounds are inputs
          inputs.push_back(float_init(nd.name + "_min", {float(nd.function.alpha)}, {}));
          inputs.push_back(float_init(nd.name + "_max", {float(nd.function.beta)}, {}));
        }
        const char* op = f == Activation::Tanh        ? "Tanh"
                         : f == Activation::Softplus  ? "Softplus"
                         : f == Activation::Elu       ? "Elu"
                         : f == Activation::Selu      ? "Selu"
                         : f == Activation::Relu      ? "Relu"
                         : f == Activation::LeakyRelu ? "LeakyRelu"
                         : f == Activation::Clip      ? "Clip"
                         : hard                       ? "HardSigmoid"
                                                      : "Sigmoid";
        auto* n = node(op, gate ? s : nd.name, inputs, s);
        if (hard || f == Activation::Elu || f == Activation::LeakyRelu) {
          auto* a = n->add_attribute();
          a->set_name("alpha");
          a->set_type(onnx_::AttributeProto::FLOAT);
          a->set_f(hard ? 1.f / 6.f : float(nd.function.alpha));
        }
        if (gate) node("Mul", nd.name, {in0, s}, out);
        break;
      }
      case OpKind::Mul: node("Mul", nd.name, {in0, value[size_t(nd.inputs[1])]}, out); break;
      case OpKind::Channels: {  // Gather along channels by the constant indices
        auto* t = g_->add_initializer();
        t->set_name(nd.name + "_channels");
        t->set_data_type(onnx_::TensorProto::INT64);
        t->add_dims(int64_t(nd.channels.size()));
        for (int c : nd.channels) t->add_int64_data(c);
        int1(node("Gather", nd.name, {in0, nd.name + "_channels"}, out), "axis", 1);
        break;
      }
      case OpKind::Pad: {  // opset 13: pads [N, C, H, W begins, then ends] and the value are inputs
        auto* t = g_->add_initializer();
        t->set_name(nd.name + "_pads");
        t->set_data_type(onnx_::TensorProto::INT64);
        t->add_dims(8);
        for (int p : {0, 0, nd.pad.top, nd.pad.left, 0, 0, nd.pad.bottom, nd.pad.right}) t->add_int64_data(p);
        // The border holds the value on its tensor's grid (nn/quant.cpp), as
        // cimvp computes with it; ONNX pads after the input's DequantizeLinear.
        const ActDomain& dom = plan.domains[size_t(plan.domain_of[i])];
        const double scale = activation_scale(dom, c.act_clip.at(dom.name), dom.bits);
        const float on_grid = float(
            scale * pad_level(nd.pad.value, scale, 0, qmin(dom.bits, dom.is_signed), qmax(dom.bits, dom.is_signed)));
        str1(node("Pad", nd.name, {in0, nd.name + "_pads", float_init(nd.name + "_value", {on_grid}, {})}, out), "mode",
             pad_mode_name(nd.pad.mode));
        break;
      }
      case OpKind::Softmax:  // opset 13: one axis, of [1, C, H, W] or of the flattened [1, K]
        int1(node(nd.log ? "LogSoftmax" : "Softmax", nd.name, {in0}, out), "axis",
             nd.softmax_axis == SoftmaxAxis::Width ? 3 : 1);
        break;
      case OpKind::Concat: {
        std::vector<std::string> parts;
        for (int in : nd.inputs) parts.push_back(value[size_t(in)]);
        int1(node("Concat", nd.name, parts, out), "axis", 1);
        break;
      }
      case OpKind::BatchNorm: throw Error("node '" + nd.name + "': batch norm left after folding");
    }
    if (nd.kind == OpKind::Relu || nd.kind == OpKind::MaxPool || nd.kind == OpKind::Activation || nd.kind == OpKind::Mul ||
        nd.kind == OpKind::Channels || nd.kind == OpKind::Softmax)
      flat[i] = flat[size_t(nd.inputs[0])];
    value[i] = out;
    const int d = plan.domain_of[i];
    if (d >= 0 && plan.domains[size_t(d)].node == int(i) && !plan.domains[size_t(d)].int32_output) {
      const ActDomain& dom = plan.domains[size_t(d)];
      value[i] = qdq(out, dom.name + "_act", activation_scale(dom, c.act_clip.at(dom.name), dom.bits), dom.bits,
                     dom.is_signed);
    }
  }
  (void)layers;
  // The output: an Identity gives it a stable name.
  const std::string out_name = "output";
  node("Identity", "output", {value.back()}, out_name);
  auto* o = g_->add_output();
  o->set_name(out_name);
  auto* tt = o->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_::TensorProto::FLOAT);
  const Shape os = g.output_shape();
  if (flat.back())
    for (int64_t d : {int64_t(1), os.size()}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  else
    for (int64_t d : {1, os.c, os.h, os.w}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  try {
    onnx_::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error("model '" + g.name + "': the exported ONNX model fails the checker: " + e.what());
  }
  return model.SerializeAsString();
}

}  // namespace

std::string export_onnx_bytes(const ModelFile& m) { return Exporter(m).run(); }

void export_onnx(const ModelFile& m, const std::string& path) {
  const std::string bytes = export_onnx_bytes(m);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error("cannot write ONNX file '" + path + "'");
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw Error("error writing ONNX file '" + path + "'");
}

}  // namespace cimvp
