// ONNX import of models exported by PyTorch (tests/fixtures/onnx, made by
// make_lenet5_onnx.py with Debian's python3-torch): the float model against
// PyTorch's outputs, the QDQ model's scales and bits, its integer reference
// against float; and bad input: malformed files, unsupported operators.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <onnx/onnx_pb.h>

#include "common/error.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"

using namespace cimvp;

namespace {

const std::string kDir = std::string(CIMVP_SOURCE_DIR) + "/tests/fixtures/onnx/";

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<float> v;
  float x;
  while (f.read(reinterpret_cast<char*>(&x), 4)) v.push_back(x);
  return v;
}

std::vector<std::vector<float>> split(const std::vector<float>& v, size_t n) {
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i + n <= v.size(); i += n) out.emplace_back(v.begin() + long(i), v.begin() + long(i + n));
  return out;
}

int argmax_f(const std::vector<float>& v) { return int(std::max_element(v.begin(), v.end()) - v.begin()); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A one-node float model built with the protobuf API.
std::string one_node_model(const std::string& op, const std::vector<std::pair<std::string, int64_t>>& attrs,
                           const std::string& node_name = "n1") {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 2, 4, 4}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  auto* out = g->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  out->mutable_type()->mutable_tensor_type()->mutable_shape();
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(node_name);
  n->add_input("x");
  n->add_output("y");
  for (const auto& [k, v] : attrs) {
    auto* a = n->add_attribute();
    a->set_name(k);
    if (k == "kernel_shape" || k == "strides" || k == "pads") {
      a->set_type(onnx::AttributeProto::INTS);
      for (int i = 0; i < (k == "pads" ? 4 : 2); ++i) a->add_ints(v);
    } else {
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(v);
    }
  }
  return m.SerializeAsString();
}

}  // namespace

TEST(OnnxImport, PyTorchFloatLenet5MatchesTorchOutputs) {
  const OnnxImport im = import_onnx(kDir + "lenet5_float.onnx");
  EXPECT_EQ(im.kind, OnnxModelKind::Float);
  const Graph& g = im.model.graph;
  EXPECT_EQ(g.input_shape(), (Shape{1, 28, 28}));
  EXPECT_EQ(g.quantizable_layers().size(), 5u);
  EXPECT_EQ(g.parameter_count(), 156 + 2416 + 48120 + 10164 + 850);
  const auto inputs = split(read_f32(kDir + "lenet5_inputs.bin"), 784);
  const auto torch_out = split(read_f32(kDir + "lenet5_float_out.bin"), 10);
  ASSERT_EQ(inputs.size(), 16u);
  ASSERT_EQ(torch_out.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<float> y = forward(g, inputs[i]);
    ASSERT_EQ(y.size(), 10u);
    for (size_t j = 0; j < 10; ++j) EXPECT_NEAR(y[j], torch_out[i][j], 1e-4) << "image " << i << " logit " << j;
  }
}

TEST(OnnxImport, PyTorchQdqLenet5KeepsScalesAndBits) {
  const OnnxImport im = import_onnx(kDir + "lenet5_qdq.onnx");
  ASSERT_EQ(im.kind, OnnxModelKind::Qdq);
  const ModelFile& m = im.model;
  EXPECT_EQ(m.policy, uniform_policy(5, 8, 8));
  // Every quantized domain has its clip from the QDQ scales: the ReLU outputs
  // are uint8 with zero point 0, so the scale is kept exactly.
  const ActivationPlan plan = plan_activations(m.graph, m.policy);
  for (const ActDomain& d : plan.domains) {
    if (!d.int32_output) {
      EXPECT_TRUE(m.calibration.act_clip.count(d.name)) << d.name;
    }
  }
  EXPECT_EQ(m.calibration.weight_scale.size(), 5u);
  const QuantizedNetwork q = quantize(m.graph, m.policy, m.calibration);
  // The input (uint8, 1/255, zero point 0) stays unsigned, on PyTorch's own grid.
  EXPECT_TRUE(m.graph.nodes[0].nonnegative);
  EXPECT_FALSE(q.input_tensor().is_signed);
  EXPECT_NEAR(q.input_tensor().scale * 255, 1.0, 1e-6);
  for (const QOp& op : q.ops)
    if (op.kind == QOpKind::Conv2d && op.name != q.ops[0].name) {
      EXPECT_FALSE(q.tensors[size_t(op.inputs[0])].is_signed);
    }

  const auto inputs = split(read_f32(kDir + "lenet5_inputs.bin"), 784);
  const auto float_out = split(read_f32(kDir + "lenet5_float_out.bin"), 10);
  const auto qdq_out = split(read_f32(kDir + "lenet5_qdq_out.bin"), 10);
  ReferenceExecutor ex(q);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<int32_t> y = ex.run(quantize_input(q, inputs[i]));
    EXPECT_EQ(argmax(y), argmax_f(float_out[i])) << "image " << i;
    // Within quantization error of PyTorch's fake-quantized outputs.
    float mx = 0;
    for (float v : qdq_out[i]) mx = std::max(mx, std::fabs(v));
    for (size_t j = 0; j < 10; ++j) EXPECT_NEAR(q.output_scale() * y[j], qdq_out[i][j], 0.05 * mx) << i << " " << j;
  }
}

TEST(OnnxImport, MalformedFilesNameTheFile) {
  EXPECT_NE(error_of([] { import_onnx("/nonexistent/x.onnx"); }).find("/nonexistent/x.onnx"), std::string::npos);
  const std::string bytes = [] {
    std::ifstream f(kDir + "lenet5_float.onnx", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }();
  for (size_t cut : {size_t(0), size_t(7), bytes.size() / 2, bytes.size() - 3}) {
    const std::string m = error_of([&] { import_onnx_bytes(bytes.substr(0, cut), "cut.onnx"); });
    EXPECT_NE(m.find("cut.onnx"), std::string::npos) << cut << ": " << m;
  }
  const std::string garbage(100, '\xff');
  EXPECT_NE(error_of([&] { import_onnx_bytes(garbage, "garbage.onnx"); }).find("garbage.onnx"), std::string::npos);
  // The ONNX checker runs: a node without an op type is rejected.
  onnx::ModelProto m;
  m.ParseFromString(bytes);
  m.mutable_graph()->mutable_node(1)->set_op_type("");
  const std::string msg = error_of([&] { import_onnx_bytes(m.SerializeAsString(), "bad.onnx"); });
  EXPECT_NE(msg.find("bad.onnx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("checker"), std::string::npos) << msg;
}

TEST(OnnxImport, UnsupportedOperatorsAndAttributesNameTheNode) {
  // A registered operator cimvp does not support.
  std::string m = error_of([] { import_onnx_bytes(one_node_model("Hardmax", {}, "act7"), "s.onnx"); });
  EXPECT_NE(m.find("Hardmax"), std::string::npos) << m;
  EXPECT_NE(m.find("act7"), std::string::npos) << m;
  // An unsupported attribute value.
  m = error_of([] {
    import_onnx_bytes(one_node_model("AveragePool", {{"kernel_shape", 2}, {"ceil_mode", 1}}, "pool3"), "p.onnx");
  });
  EXPECT_NE(m.find("AveragePool"), std::string::npos) << m;
  EXPECT_NE(m.find("pool3"), std::string::npos) << m;
  EXPECT_NE(m.find("ceil_mode"), std::string::npos) << m;
  // A supported one imports.
  const OnnxImport ok = import_onnx_bytes(one_node_model("MaxPool", {{"kernel_shape", 2}, {"strides", 2}}), "ok.onnx");
  EXPECT_EQ(ok.model.graph.output_shape(), (Shape{2, 2, 2}));
}

// ReduceMean over height and width (MnasNet's head) is a global average
// pool: the mean of each channel; any other axes are refused naming the node.
TEST(OnnxImport, ReduceMeanOverHeightAndWidthIsAGlobalAveragePool) {
  auto model = [](std::vector<int64_t> axes) {
    onnx::ModelProto m;
    m.ParseFromString(one_node_model("ReduceMean", {{"keepdims", 0}}, "mean"));
    auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
    a->set_name("axes");
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : axes) a->add_ints(x);
    return m.SerializeAsString();
  };
  const OnnxImport im = import_onnx_bytes(model({-1, 2}), "mean.onnx");
  std::vector<float> x(2 * 4 * 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) - 2.5f;
  const std::vector<float> y = forward(im.model.graph, x);
  ASSERT_EQ(y.size(), 2u);
  for (int c = 0; c < 2; ++c) {
    double s = 0;
    for (int i = 0; i < 16; ++i) s += x[size_t(c * 16 + i)];
    EXPECT_NEAR(y[size_t(c)], s / 16, 1e-6) << "channel " << c;
  }
  EXPECT_EQ(error_of([&] { import_onnx_bytes(model({1}), "mean.onnx"); }),
            "mean.onnx: ReduceMean node 'mean': unsupported axes: only the mean over height and width (axes [2, 3]) "
            "of an image tensor");
}

// The structure alone (timing-only compiles): the weights are not decoded,
// the graph has the full import's nodes and shapes and no parameters.
TEST(OnnxImport, StructureOnlyKeepsEveryNodeAndShapeWithoutTheWeights) {
  OnnxImportOptions o;
  o.structure_only = true;
  const OnnxImport s = import_onnx(kDir + "lenet5_float.onnx", o), full = import_onnx(kDir + "lenet5_float.onnx");
  const Graph& gs = s.model.graph;
  const Graph& gf = full.model.graph;
  EXPECT_TRUE(gs.structure_only);
  ASSERT_EQ(gs.nodes.size(), gf.nodes.size());
  for (size_t i = 0; i < gf.nodes.size(); ++i) {
    EXPECT_EQ(gs.nodes[i].kind, gf.nodes[i].kind) << gf.nodes[i].name;
    EXPECT_EQ(gs.nodes[i].shape, gf.nodes[i].shape) << gf.nodes[i].name;
    EXPECT_TRUE(gs.nodes[i].weight.empty() && gs.nodes[i].bias.empty()) << gf.nodes[i].name;
  }
  EXPECT_EQ(gs.parameter_count(), gf.parameter_count());
}

namespace {

// one_node_model's node, read through a node `first` (its output "x0") whose
// extra inputs are float initializers.
std::string after(const std::string& model, const std::string& op,
                  const std::vector<std::pair<std::string, std::vector<float>>>& inits,
                  const std::string& name = "first", onnx::TensorProto::DataType type = onnx::TensorProto::FLOAT) {
  onnx::ModelProto m;
  m.ParseFromString(model);
  auto* g = m.mutable_graph();
  g->mutable_node(0)->set_input(0, "x0");
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  n.add_input("x");
  n.add_output("x0");
  for (const auto& [nm, values] : inits) {
    n.add_input(nm);
    auto* t = g->add_initializer();
    t->set_name(nm);
    t->set_data_type(type);
    t->add_dims(int64_t(values.size()));
    for (float v : values) {
      if (type == onnx::TensorProto::INT64)
        t->add_int64_data(int64_t(v));
      else
        t->add_float_data(v);
    }
  }
  *g->add_node() = n;
  // Nodes in topological order: the new one first.
  for (int i = g->node_size() - 1; i > 0; --i) g->mutable_node()->SwapElements(i, i - 1);
  return m.SerializeAsString();
}

}  // namespace

// A Pad of zeros before an AveragePool (how PyTorch exports avg_pool2d with
// padding, Inception's branch pools) is the pool's own zero padding, counted
// in the divisor; read by anything else it is refused naming the reader.
TEST(OnnxImport, AZeroPadIsTheReadersPadding) {
  const std::string pool = one_node_model("AveragePool", {{"kernel_shape", 3}, {"strides", 1}}, "avg");
  const OnnxImport im =
      import_onnx_bytes(after(pool, "Pad", {{"pads", {0, 0, 1, 1, 0, 0, 1, 1}}}, "pad", onnx::TensorProto::INT64), "p.onnx");
  ASSERT_EQ(im.model.graph.nodes.size(), 2u);
  EXPECT_EQ(im.model.graph.nodes[1].padding, 1);
  std::vector<float> x(2 * 4 * 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5) - 1.5f;
  const std::vector<float> y = forward(im.model.graph, x);
  ASSERT_EQ(y.size(), x.size());
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        double s = 0;
        for (int a = i - 1; a <= i + 1; ++a)
          for (int b = j - 1; b <= j + 1; ++b)
            if (a >= 0 && a < 4 && b >= 0 && b < 4) s += x[size_t((c * 4 + a) * 4 + b)];
        EXPECT_NEAR(y[size_t((c * 4 + i) * 4 + j)], s / 9, 1e-6);
      }
  // A reader that cannot take the zeros on reads a Pad node of them; so
  // does every reader of unequal sides.
  const std::string relu = one_node_model("Relu", {}, "act");
  const OnnxImport r =
      import_onnx_bytes(after(relu, "Pad", {{"pads", {0, 0, 1, 1, 0, 0, 1, 1}}}, "pad", onnx::TensorProto::INT64), "r.onnx");
  ASSERT_EQ(r.model.graph.nodes.size(), 3u);
  EXPECT_EQ(r.model.graph.nodes[1].kind, OpKind::Pad);
  EXPECT_EQ(r.model.graph.nodes[1].pad, (PadSpec{1, 1, 1, 1, PadMode::Constant, 0.f}));
  const OnnxImport a =
      import_onnx_bytes(after(pool, "Pad", {{"pads", {0, 0, 1, 0, 0, 0, 1, 1}}}, "pad", onnx::TensorProto::INT64), "a.onnx");
  ASSERT_EQ(a.model.graph.nodes.size(), 3u);
  EXPECT_EQ(a.model.graph.nodes[1].pad, (PadSpec{1, 0, 1, 1, PadMode::Constant, 0.f}));
  EXPECT_EQ(a.model.graph.nodes[2].padding, 0);
  EXPECT_EQ(error_of([&] {
              import_onnx_bytes(after(pool, "Pad", {{"pads", {0, 0, 1, 0, 0, 0, 1, -1}}}, "pad", onnx::TensorProto::INT64),
                                "n.onnx");
            }),
            "n.onnx: Pad node 'pad': unsupported pads: negative pads (a crop)");
}

// A batch norm that follows no convolution (DenseNet's, after each
// concatenation) is executed: a 1x1 depthwise convolution computing
// gamma (x - mean) / sqrt(var + eps) + beta per channel.
TEST(OnnxImport, AStandaloneBatchNormIsADepthwiseConvolution) {
  const std::string relu = one_node_model("Relu", {}, "act");
  const OnnxImport im = import_onnx_bytes(
      after(relu, "BatchNormalization", {{"scale", {2.f, -0.5f}}, {"B", {0.25f, 1.f}}, {"mean", {1.f, -2.f}}, {"var", {4.f, 0.25f}}},
            "bn"),
      "bn.onnx");
  const Node& bn = im.model.graph.nodes[1];
  EXPECT_EQ(bn.kind, OpKind::Conv2d);
  EXPECT_EQ(bn.groups, 2);
  EXPECT_EQ(bn.kernel, 1);
  std::vector<float> x(2 * 4 * 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) - 3.f;
  const std::vector<float> y = forward(im.model.graph, x);
  const float gamma[2] = {2.f, -0.5f}, beta[2] = {0.25f, 1.f}, mean[2] = {1.f, -2.f}, var[2] = {4.f, 0.25f};
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 16; ++i) {
      const double v = gamma[c] * (x[size_t(c * 16 + i)] - mean[c]) / std::sqrt(var[c] + 1e-5) + beta[c];
      EXPECT_NEAR(y[size_t(c * 16 + i)], std::max(v, 0.0), 1e-5);
    }
}
