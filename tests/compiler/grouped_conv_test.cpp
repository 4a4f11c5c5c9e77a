// Grouped and depthwise convolution (Node::groups, nn/graph.h): a Conv2d
// whose output channels read only their group's input channels, kept in
// the dense layout with zeros across groups. Checked against a direct
// grouped convolution written here from the compact weights; the VP
// against the integer reference bit for bit; training keeps the zeros; the
// model file and ONNX keep the groups; bad groups are refused naming the
// node.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/error.h"
#include "compiler/compile.h"
#include "compiler/explain.h"
#include "compiler/io_layout.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/onnx_export.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "nn/train/network.h"
#include "platform/soc.h"
#include "tests/support/grouped_weights.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"
#include "tests/support/synthetic_dataset.h"

namespace cimvp {
namespace {

// 1x28x28 -> conv 8 -> depthwise 3x3 stride 2 (8 groups) -> 1x1 conv in 2
// groups -> dense 10, random weights within the groups.
Graph depthwise_net(uint32_t seed) {
  Graph g;
  g.name = "depthwise";
  int x = g.add_input("input", {1, 28, 28});
  x = g.add_relu("relu1", g.add_conv("conv1", x, 8, 3, 1, 1));
  x = g.add_relu("relu2", g.add_conv("dw", x, 8, 3, 2, 1, 8));
  x = g.add_relu("relu3", g.add_conv("pw", x, 16, 1, 1, 0, 2));
  g.add_dense("fc", x, 10);
  test::fill_grouped_weights(g, seed);
  return g;
}

// A grouped convolution from the compact weights [out][in / groups][k][k].
std::vector<float> grouped_conv(const std::vector<float>& x, const Shape& in, const std::vector<float>& compact,
                                const std::vector<float>& bias, int out, int k, int stride, int pad, int groups) {
  const int ho = (in.h + 2 * pad - k) / stride + 1, wo = (in.w + 2 * pad - k) / stride + 1;
  const int ipg = in.c / groups, opg = out / groups;
  std::vector<float> y(size_t(out) * size_t(ho) * size_t(wo));
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < ho; ++i)
      for (int j = 0; j < wo; ++j) {
        double s = bias[size_t(o)];
        for (int cj = 0; cj < ipg; ++cj) {
          const int c = (o / opg) * ipg + cj;
          for (int dy = 0; dy < k; ++dy)
            for (int dx = 0; dx < k; ++dx) {
              const int yy = i * stride - pad + dy, xx = j * stride - pad + dx;
              if (yy < 0 || xx < 0 || yy >= in.h || xx >= in.w) continue;
              s += double(compact[((size_t(o) * size_t(ipg) + size_t(cj)) * size_t(k) + size_t(dy)) * size_t(k) + size_t(dx)]) *
                   double(x[(size_t(c) * size_t(in.h) + size_t(yy)) * size_t(in.w) + size_t(xx)]);
            }
        }
        y[(size_t(o) * size_t(ho) + size_t(i)) * size_t(wo) + size_t(j)] = float(s);
      }
  return y;
}

TEST(GroupedConv, ForwardIsTheGroupedConvolution) {
  Graph g = depthwise_net(1);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(8 * 28 * 28);
  for (float& v : x) v = u(rng);
  // The depthwise node alone, on an 8-channel input.
  Graph h;
  const int in = h.add_input("input", {8, 28, 28});
  h.add_conv("dw", in, 8, 3, 2, 1, 8);
  h.nodes[1].weight = g.nodes[3].weight;
  h.nodes[1].bias = g.nodes[3].bias;
  h.infer_shapes();
  const std::vector<float> got = forward(h, x);
  const Node& dw = h.nodes[1];
  const std::vector<float> compact = compact_groups(dw.weight, 8, 8, 8, 9);
  const std::vector<float> want = grouped_conv(x, {8, 28, 28}, compact, dw.bias, 8, 3, 2, 1, 8);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4) << i;
  // A grouped convolution's parameters are its groups' weights and its bias.
  EXPECT_EQ(h.parameter_count(), int64_t(8 * 9 + 8));
}

TEST(GroupedConv, BadGroupsAndWeightsAcrossGroupsAreRefusedNamingTheNode) {
  Graph g;
  const int in = g.add_input("input", {6, 8, 8});
  try {
    g.add_conv("dw", in, 8, 3, 1, 1, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'dw'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("groups = 4 must be positive and divide the 6 input and 8 output channels"),
              std::string::npos)
        << e.what();
  }
  ModelFile bad;
  bad.graph = depthwise_net(3);
  bad.graph.nodes[3].weight[9 * 1] = 0.5f;  // output 0 reading input channel 1: another group
  try {
    parse_model(serialize_model(bad), "bad.cimvp");  // a model file is checked as it loads
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.cimvp"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("node 'dw'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("weight [0][1] is not 0"), std::string::npos) << e.what();
  }
}

TEST(GroupedConv, TheVpEqualsTheIntegerReferenceBitForBit) {
  ModelFile model;
  model.graph = depthwise_net(4);
  model.random_weights = true;  // calibrated on generated inputs
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  Soc soc("soc", arch);
  std::mt19937 rng(5);
  for (int bits : {8, 4}) {
    const Policy policy = uniform_policy(4, bits, bits);
    const QuantizedNetwork q = quantize_model(model, policy);
    EXPECT_EQ(q.ops[size_t(q.layers[1])].groups, 8);
    ReferenceExecutor reference(q);
    for (Placement placement : {Placement::Auto, Placement::PerLayer}) {
      CompileOptions options;
      options.placement = placement;
      const CompileResult compiled = compile(q, arch, options);
      soc.load(compiled.image, "depthwise");
      for (int image = 0; image < 2; ++image) {
        const std::vector<int8_t> x = test::random_image(rng, q);
        const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
        ASSERT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x))
            << "w" << bits << "a" << bits << ", " << placement_name(compiled.placement);
      }
    }
  }
}

// What the dense mapping costs, counted by hand on default.yaml (256 x 256
// crossbars, 2-bit cells, differential columns: 32 8-bit weights per row):
// the depthwise layer's matrix is 9 x 8 = 72 rows by 8 columns, one tile
// of 256 x 32 weight places, holding 8 x 9 = 72 weights (0.9 %).
TEST(GroupedConv, ExplainShowsWhatTheTilesOfAGroupedLayerHold) {
  ModelFile model;
  model.graph = depthwise_net(12);
  model.random_weights = true;
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  const QuantizedNetwork q = quantize_model(model, uniform_policy(4, 8, 8));
  const CompileResult compiled = compile(q, arch, {});
  const LayerPlan* dw = nullptr;
  for (const LayerPlan& l : compiled.plan)
    if (l.name == "dw") dw = &l;
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->matrix_rows, 72);
  EXPECT_EQ(dw->matrix_cols, 8);
  EXPECT_EQ(dw->tiles, 1);
  EXPECT_EQ(dw->weights, 72);
  const std::string table = explain(compiled, arch);
  const size_t at = table.find("  dw ");
  ASSERT_NE(at, std::string::npos) << table;
  EXPECT_NE(table.substr(at, table.find('\n', at) - at).find("    1   0.9% "), std::string::npos) << table;
}

TEST(GroupedConv, TrainingKeepsTheWeightsAcrossGroupsAtZero) {
  Graph g = depthwise_net(6);
  const Dataset d = test::synthetic_bars(128, 7);
  training::Network net(g, 64, 1, 2);
  training::SgdParams sp;
  sp.lr = 0.05f;
  for (int s = 0; s < 2; ++s) {
    net.forward(d.image(size_t(s) * 64), 64, true);
    net.loss_backward(d.labels.data() + size_t(s) * 64);
    net.sgd_step(sp);
  }
  const std::vector<float> before = g.nodes[3].weight;
  net.write_back(g);
  EXPECT_NE(g.nodes[3].weight, before) << "the groups' weights trained";
  EXPECT_NO_THROW(g.infer_shapes()) << "and the weights across groups stayed 0";
}

TEST(GroupedConv, TheModelFileAndOnnxKeepTheGroups) {
  ModelFile model;
  model.graph = depthwise_net(8);
  model.random_weights = true;
  const ModelFile back = parse_model(serialize_model(model), "depthwise.cimvp");
  EXPECT_EQ(back.graph.nodes[3].groups, 8);
  EXPECT_EQ(back.graph.nodes[5].groups, 2);
  EXPECT_EQ(back.graph.nodes[3].weight, model.graph.nodes[3].weight);
  // ONNX: exported with group and the compact weights, imported back to the same network.
  model.policy = uniform_policy(4, 8, 8);
  model.calibration = calibrate(model.graph, test::random_images(model.graph.input_shape(), 4, 10), model.policy);
  const OnnxImport im = import_onnx_bytes(export_onnx_bytes(model), "depthwise.onnx");  // runs the ONNX checker
  EXPECT_EQ(im.model.graph.nodes[3].groups, 8);
  const QuantizedNetwork a = quantize(model.graph, model.policy, model.calibration);
  const QuantizedNetwork b = quantize(im.model.graph, im.model.policy, im.model.calibration);
  ReferenceExecutor ra(a), rb(b);
  std::mt19937 rng(9);
  const std::vector<int8_t> x = test::random_image(rng, a);
  EXPECT_EQ(ra.run(x), rb.run(x));
  bool grouped = false;
  for (const QOp& op : b.ops) grouped = grouped || op.groups == 8;
  EXPECT_TRUE(grouped) << "the imported depthwise layer keeps its 8 groups";
}

}  // namespace
}  // namespace cimvp
