// The figures of merit of a report (platform/figures_of_merit.h), computed
// here by an independent path: operations from the network's layer shapes
// (2 x multiply-accumulates), the rates from the report's time, energy and
// area, and each layer's crossbar utilization from the tiling formula
// (cells of the weight matrix over the cells of its tiles).
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "flow/pipeline.h"
#include "nn/model_source.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// One timing run of lenet5's structure at W8A8 on `arch`.
Report time_lenet5_w8a8(const ArchConfig& arch) {
  flow::Pipeline pipeline(arch);
  flow::BuildOptions options;
  options.compile.timing_only = true;
  const ModelFile model = load_model_structure("lenet5");
  pipeline.load(flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch, options),
                "lenet5");
  return pipeline.time();
}

void expect_rel(double got, double want, const char* what) {
  EXPECT_LE(std::abs(got - want), 1e-12 * std::abs(want)) << what << ": " << got << " vs " << want;
}

struct LayerShape {
  int64_t rows = 0, cols = 0, invocations = 0;  // weight matrix n x m, MVM invocations
};

LayerShape shape_of(const Graph& g, const Node& n) {
  const Shape& in = g.nodes[size_t(n.inputs[0])].shape;
  LayerShape s;
  s.cols = n.out_channels;
  if (n.kind == OpKind::Conv2d) {
    s.rows = int64_t(in.c) * n.kernel * n.kernel;
    s.invocations = int64_t(n.shape.h) * n.shape.w;
  } else {
    s.rows = in.size();
    s.invocations = 1;
  }
  return s;
}

void check(const std::string& model_name) {
  // default.yaml: differential columns, 2-bit cells, 256 x 256 crossbars
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  ASSERT_EQ(arch.crossbar.mapping, WeightMapping::DifferentialColumn);
  flow::Pipeline pipeline(arch);
  flow::BuildOptions options;
  options.compile.timing_only = true;
  const ModelFile model = load_model_structure(model_name);
  const int bits = 8;
  pipeline.load(flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), bits, bits), arch, options),
                model_name);
  const Report r = pipeline.time();
  const FiguresOfMerit& f = r.figures;

  int64_t macs = 0;
  double used_cells = 0, read_cells = 0;  // over every invocation of every layer
  const double crossbar_cells = double(arch.crossbar.rows) * arch.crossbar.cols;
  const int64_t slices = ceil_div(bits, arch.crossbar.cell_bits);
  const int64_t tile_cols = arch.crossbar.cols / (2 * slices);  // logical columns per tile
  for (const int index : model.graph.quantizable_layers()) {
    const Node& n = model.graph.nodes[size_t(index)];
    const LayerShape s = shape_of(model.graph, n);
    macs += s.rows * s.cols * s.invocations;
    const int64_t tiles = ceil_div(s.rows, arch.crossbar.rows) * ceil_div(s.cols, tile_cols);
    const double cells = double(s.rows) * double(s.cols * slices * 2);
    const double utilization = cells / (double(tiles) * crossbar_cells);
    const LayerReport* layer = nullptr;
    for (const LayerReport& l : r.layers)
      if (l.name == n.name) layer = &l;
    ASSERT_NE(layer, nullptr) << n.name;
    expect_rel(layer->crossbar_utilization, utilization, (n.name + " utilization").c_str());
    used_cells += cells * double(s.invocations);
    read_cells += double(tiles) * crossbar_cells * double(s.invocations);
  }
  EXPECT_EQ(f.operations, uint64_t(2 * macs));
  const double ops = double(2 * macs);
  expect_rel(f.tops, ops / r.inference_seconds / 1e12, "TOPS");
  expect_rel(f.tops_per_watt, ops / r.inference_energy_joules / 1e12, "TOPS/W");
  expect_rel(f.tops_per_mm2, ops / r.inference_seconds / 1e12 / r.chip_mm2, "TOPS/mm2");
  expect_rel(f.average_power_watts, r.inference_energy_joules / r.inference_seconds, "average power");
  expect_rel(f.inferences_per_second, 1 / r.inference_seconds, "inferences per second");
  expect_rel(f.crossbar_utilization, used_cells / read_cells, "overall utilization");
  EXPECT_GT(f.tops, 0);
  EXPECT_LT(f.crossbar_utilization, 1);
}

TEST(FiguresOfMerit, Lenet5FromItsLayerShapes) {
  check("lenet5");
}

TEST(FiguresOfMerit, VggSmallFromItsLayerShapes) {
  check("vgg-small");
}

// With a refresh interval the figures describe an inference of the
// deployment: its time and energy with its share of the refreshes.
TEST(FiguresOfMerit, WithARefreshIntervalTheyIncludeTheRefreshShare) {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  arch.device.refresh_interval_s = 0.002;  // 2 ms: about 0.1 of the inference's time for the set-up
  const Report r = time_lenet5_w8a8(arch);
  const FiguresOfMerit& f = r.figures;
  const double seconds = r.inference_seconds + r.setup_seconds * r.inference_seconds / 0.002;
  const double joules = r.inference_energy_joules + r.setup_energy_joules * r.inference_seconds / 0.002;
  EXPECT_GT(seconds, 1.05 * r.inference_seconds);
  const double ops = double(f.operations);
  expect_rel(f.tops, ops / seconds / 1e12, "TOPS");
  expect_rel(f.tops_per_watt, ops / joules / 1e12, "TOPS/W");
  expect_rel(f.tops_per_mm2, ops / seconds / 1e12 / r.chip_mm2, "TOPS/mm2");
  expect_rel(f.average_power_watts, joules / seconds, "average power");
  expect_rel(f.inferences_per_second, 1 / seconds, "inferences per second");
}

// lenet5's first convolution: 25 inputs x 6 outputs x 4 cells x 2 columns
// of one 256 x 256 crossbar, under 2 %: the report says so.
TEST(FiguresOfMerit, Lenet5Conv1UsesUnderTwoPercentOfItsCrossbar) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  const Report r = time_lenet5_w8a8(arch);
  const LayerReport* conv1 = nullptr;
  for (const LayerReport& l : r.layers)
    if (l.name == "conv1") conv1 = &l;
  ASSERT_NE(conv1, nullptr);
  EXPECT_DOUBLE_EQ(conv1->crossbar_utilization, 25.0 * 48 / (256 * 256));
  EXPECT_LT(conv1->crossbar_utilization, 0.02);
}

}  // namespace
}  // namespace cimvp
